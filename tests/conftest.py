"""Shared fixtures: sktime datasets, synthetic series, single-threaded torch."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from sktime.datasets import load_airline, load_longley  # noqa: E402

from sktime_attention.synthetic import make_seasonal  # noqa: E402

# On 2 cores sktime's checks ran about 5x faster with one torch thread.
torch.set_num_threads(1)


@pytest.fixture
def seasonal_series():
    return make_seasonal()


@pytest.fixture
def multivariate_frame():
    a = make_seasonal(seed=1)
    b = make_seasonal(seed=2) * 0.5
    return pd.DataFrame({"a": a, "b": b})


@pytest.fixture(scope="session")
def airline():
    """sktime's airline passengers, monthly, 144 points."""
    return load_airline()


@pytest.fixture(scope="session")
def longley():
    """sktime's Longley data as (GNP, X with ARMED and POP)."""
    _, data = load_longley()
    return data["GNP"], data[["ARMED", "POP"]]
