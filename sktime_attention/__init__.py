"""sktime_attention: attention LSTM, HMM and hybrid forecasters for sktime."""

from sktime_attention.forecasting import (
    AttentionLSTMForecaster,
    DualStageAttentionForecaster,
    HMMForecaster,
    HybridForecaster,
)
from sktime_attention.plotting import (
    plot_attention,
    plot_attention_overlay,
    plot_feature_attention,
)

__version__ = "0.1.0"

__all__ = [
    "AttentionLSTMForecaster",
    "DualStageAttentionForecaster",
    "HMMForecaster",
    "HybridForecaster",
    "plot_attention",
    "plot_attention_overlay",
    "plot_feature_attention",
    "__version__",
]
