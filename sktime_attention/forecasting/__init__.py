"""Forecasters of sktime_attention; ``ALL_FORECASTERS`` lists every public one."""

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._dual_stage import DualStageAttentionForecaster
from sktime_attention.forecasting._hmm import HMMConvergenceWarning, HMMForecaster
from sktime_attention.forecasting._hybrid import HybridForecaster
from sktime_attention.forecasting._members import default_forecasters
from sktime_attention.forecasting._weights import simplex_weights

__all__ = [
    "ALL_FORECASTERS",
    "AttentionLSTMForecaster",
    "DualStageAttentionForecaster",
    "HMMConvergenceWarning",
    "HMMForecaster",
    "HybridForecaster",
    "default_forecasters",
    "simplex_weights",
]

# Every public forecaster; the conformance test runs sktime's checks on each.
ALL_FORECASTERS = [
    AttentionLSTMForecaster,
    DualStageAttentionForecaster,
    HMMForecaster,
    HybridForecaster,
]
