"""Beyond one process: sktime's ``evaluate`` and per-series fitting on dask (and loky,
ray) must give the results of the serial run, for every forecaster in the registry.

Notes on sktime 1.2 that shape these tests:

- ``evaluate(..., backend="dask")`` builds a dask dataframe from delayed folds and
  calls ``.compute()`` *without* ``backend_params``: the scheduler is dask's default
  (threads, or the active ``distributed.Client``). Choose it with
  ``dask.config.set(scheduler=...)`` or by creating a ``Client``.
- With ``return_data=True`` dask (``dataframe.convert-string``, on by default with
  pandas 3) turns the ``y_train`` / ``y_test`` / ``y_pred`` Series into strings;
  ``_dask(...)`` below switches that off.
- Per-series fitting (vectorisation over a panel, for forecasters without native
  panel support) passes ``backend:parallel:params`` to ``dask.compute``.
"""

import logging
import warnings

import numpy as np
import pandas as pd
import pytest
from sktime.forecasting.model_evaluation import evaluate
from sktime.split import ExpandingWindowSplitter

from sktime_attention.forecasting import ALL_FORECASTERS
from sktime_attention.synthetic import make_seasonal

dask = pytest.importorskip("dask")
pytest.importorskip("dask.dataframe")  # evaluate's dask backend needs dask[dataframe]

# sktime 1.2 warns on every construction of a member NaiveForecaster, in workers too
pytestmark = pytest.mark.filterwarnings(
    "ignore:The default of config ``remember_data``:FutureWarning"
)

FH = [1, 2, 3]
CV = ExpandingWindowSplitter(initial_window=24, step_length=6, fh=FH)  # 4 folds on 48


def _series(n=48, seed=0, level=10.0):
    return make_seasonal(n, seed=seed, level=level, trend=0.1, phase=seed)


def _panel(n_series=3):
    frames = {
        f"s{i}": _series(seed=i, level=10.0 * (i + 1)).to_frame()
        for i in range(n_series)
    }
    return pd.concat(frames, names=["series", "time"])


def _make(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return cls.create_test_instance()


def _evaluate(cls, backend=None, backend_params=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return evaluate(
            _make(cls),
            cv=CV,
            y=_series(),
            backend=backend,
            backend_params=backend_params,
            return_data=True,
            error_score="raise",
        )


def _dask(**config):
    """dask config for a run: the scheduler, and Series kept as Series."""
    return dask.config.set({"dataframe.convert-string": False, **config})


def _assert_same(serial, parallel):
    """Same folds, same errors, same forecasts (timings aside)."""
    assert len(serial) == len(parallel) == 4
    metrics = [c for c in serial.columns if c.startswith("test_")]
    np.testing.assert_array_equal(
        serial[metrics].to_numpy(float), parallel[metrics].to_numpy(float)
    )
    assert list(serial["cutoff"]) == list(parallel["cutoff"])
    for a, b in zip(serial["y_pred"], parallel["y_pred"]):
        pd.testing.assert_series_equal(a, b, check_exact=True)


REGISTRY = pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)


@REGISTRY
def test_evaluate_with_dask_backend_matches_serial(cls):
    serial = _evaluate(cls)
    with _dask(scheduler="sync"):
        lazy = _evaluate(cls, "dask")
    _assert_same(serial, lazy)


@REGISTRY
def test_evaluate_on_dask_threads_matches_serial(cls):
    """Threads share torch's global RNG; the torch forecasters' training lock
    keeps seeded fits identical to serial ones."""
    serial = _evaluate(cls)
    # without the lock the race showed in most runs of 4 folds on 2 threads
    for _ in range(5):
        with _dask(scheduler="threads", num_workers=2):
            threaded = _evaluate(cls, "dask")
        _assert_same(serial, threaded)


def _natively_global(cls):
    inner = cls.get_class_tag("y_inner_mtype")
    inner = [inner] if isinstance(inner, str) else inner
    return any(m in ("pd-multiindex", "pd_multiindex_hier") for m in inner)


VECTORISED = [cls for cls in ALL_FORECASTERS if not _natively_global(cls)]


def _per_series(cls, backend=None, params=None):
    est = _make(cls)
    if backend is not None:
        est.set_config(
            **{"backend:parallel": backend, "backend:parallel:params": params or {}}
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pred = est.fit(_panel(), fh=FH).predict()
    assert est._is_vectorized  # sktime fitted one clone per series
    return pred


@pytest.mark.parametrize("cls", VECTORISED, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "params", [{"scheduler": "sync"}, {"scheduler": "threads", "num_workers": 2}]
)
def test_per_series_fitting_on_dask_matches_serial(cls, params):
    serial = _per_series(cls)
    parallel = _per_series(cls, "dask", params)
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)
    assert set(parallel.index.get_level_values("series")) == {"s0", "s1", "s2"}


@pytest.mark.parametrize("cls", VECTORISED, ids=lambda c: c.__name__)
def test_per_series_fitting_on_loky_matches_serial(cls):
    serial = _per_series(cls)
    parallel = _per_series(cls, "loky", {"n_jobs": 2})
    pd.testing.assert_frame_equal(serial, parallel, check_exact=True)


@REGISTRY
def test_evaluate_with_loky_backend_matches_serial(cls):
    _assert_same(_evaluate(cls), _evaluate(cls, "loky", {"n_jobs": 2}))


@pytest.fixture(scope="module")
def dask_cluster():
    """Two single-threaded worker processes, as in the documented recipe."""
    distributed = pytest.importorskip("dask.distributed")
    cluster = distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        silence_logs=logging.ERROR,
        env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


@REGISTRY
def test_evaluate_on_a_local_dask_cluster_matches_serial(cls, dask_cluster):
    serial = _evaluate(cls)
    with _dask(scheduler=dask_cluster.get):
        distributed = _evaluate(cls, "dask")
    _assert_same(serial, distributed)


@REGISTRY
@pytest.mark.slow
def test_evaluate_with_ray_backend_matches_serial(cls):
    pytest.importorskip("ray")
    params = {
        "ray_remote_args": {
            "num_cpus": 2,
            "include_dashboard": False,
            "log_to_driver": False,
        },
        "shutdown_ray": True,
        "mute_warnings": True,
    }
    _assert_same(_evaluate(cls), _evaluate(cls, "ray", params))
