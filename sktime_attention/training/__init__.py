"""Torch only, no pandas or sktime: windows, the training loop, the inference pass.

- :class:`Windows`: training windows over one series or a panel, gathered per batch;
- :func:`train_network`: seed, threads and device in one context, then the epochs
  (:class:`TrainingSettings` says how);
- :func:`run_network`: the one path that runs a fitted network over windows, for
  forecasts and for every kind of attention.
"""

from ._run import run_network
from ._train import TrainingSettings, train_network
from ._windows import Windows

__all__ = ["TrainingSettings", "Windows", "run_network", "train_network"]
