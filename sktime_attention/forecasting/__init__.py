"""Forecasters of sktime_attention; ``ALL_FORECASTERS`` lists every public one."""

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._hmm import HMMConvergenceWarning, HMMForecaster

__all__ = [
    "ALL_FORECASTERS",
    "AttentionLSTMForecaster",
    "HMMConvergenceWarning",
    "HMMForecaster",
]

# Every public forecaster; the conformance test runs sktime's checks on each.
ALL_FORECASTERS = [AttentionLSTMForecaster, HMMForecaster]
