"""Forecasters of sktime_attention."""
