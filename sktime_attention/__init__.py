"""sktime_attention: attention LSTM, HMM and hybrid forecasters for sktime."""

__version__ = "0.1.0"
