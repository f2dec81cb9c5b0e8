"""Shared fixtures: synthetic series, single-threaded torch for fast CPU tests."""

import importlib.util
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

# On 2 cores sktime's checks ran about 5x faster with one torch thread.
torch.set_num_threads(1)


def make_seasonal(n=120, period=12, seed=0, freq="M"):
    """Noisy seasonal series with a trend, PeriodIndex, positive values."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = 10 + 0.05 * t + 2 * np.sin(2 * np.pi * t / period)
    values = values + 0.1 * rng.standard_normal(n)
    index = pd.period_range("2000-01", periods=n, freq=freq)
    return pd.Series(values, index=index, name="y")


@pytest.fixture
def seasonal_series():
    return make_seasonal()


@pytest.fixture
def multivariate_frame():
    a = make_seasonal(seed=1)
    b = make_seasonal(seed=2) * 0.5
    return pd.DataFrame({"a": a, "b": b})


@pytest.fixture(scope="session")
def benchmark_script():
    """Import a script of ``benchmarks/`` (not a package) by name, e.g. to reuse
    its planted-truth generators rather than copy them."""

    def load(name):
        path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(f"_bench_{name}", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
