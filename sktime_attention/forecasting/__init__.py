"""Forecasters of sktime_attention; ``ALL_FORECASTERS`` lists every public one."""

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster

__all__ = ["ALL_FORECASTERS", "AttentionLSTMForecaster"]

ALL_FORECASTERS = [AttentionLSTMForecaster]
