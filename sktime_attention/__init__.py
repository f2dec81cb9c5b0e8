"""sktime_attention: attention LSTM, HMM and hybrid forecasters for sktime."""

from sktime_attention.forecasting import AttentionLSTMForecaster, HMMForecaster

__version__ = "0.1.0"

__all__ = ["AttentionLSTMForecaster", "HMMForecaster", "__version__"]
