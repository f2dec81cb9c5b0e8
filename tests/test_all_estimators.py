"""What every public forecaster must do.

- pass sktime's own ``check_estimator``, one check per test;
- construct without sktime's ``remember_data`` FutureWarning;
- round-trip through pickle, cloudpickle and sktime's save/load with the *same
  values* (sktime's own persistence checks only compare types): point forecasts,
  intervals where supported, attention tables, and forecasts after an ``update``
  of the loaded copy. A model trained on a GPU must load on a CPU-only machine;
  without a GPU here that is simulated: the fitted torch networks must live on the
  CPU, the pickle must not mention CUDA, and unpickling with
  ``torch.cuda.is_available`` patched to False must work. The real check
  (``device="cuda"`` fit, load in a CUDA-less process) needs a GPU machine.
"""

import pickle
import warnings
from unittest import mock

import pandas as pd
import pytest
import torch
from skbase.lookup import all_objects
from sktime.base import BaseObject, load
from sktime.forecasting.base import BaseForecaster
from sktime.utils.estimator_checks import check_estimator, parametrize_with_checks

from sktime_attention.forecasting import ALL_FORECASTERS
from sktime_attention.synthetic import make_seasonal

FH = [1, 2, 3]


def _n_sets(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # sktime 1.2 members warn
        return len(cls.get_test_params())


CASES = [
    pytest.param(cls, i, id=f"{cls.__name__}-{i}")
    for cls in ALL_FORECASTERS
    for i in range(_n_sets(cls))
]


def _series(n=48, start="2000-01"):
    return make_seasonal(n, trend=0.1, start=start)


def _make(cls, i, **overrides):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        est = cls(**cls.get_test_params()[i])
    if overrides:
        names = est.get_params()  # nested members' parameters included
        est.set_params(
            **{
                name: value
                for key, value in overrides.items()
                for name in names
                if name == key or name.endswith("__" + key)
            }
        )
    return est


_FITTED = {}


def _fitted(cls, i):
    """Fit once per (class, parameter set); tests get a pickled copy."""
    key = (cls.__name__, i)
    if key not in _FITTED:
        y = _series()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _FITTED[key] = pickle.dumps(_make(cls, i).fit(y.iloc[:-6], fh=FH))
    return pickle.loads(_FITTED[key])


def _outputs(est):
    """Everything a user reads off a fitted forecaster, as comparable values."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = {"predict": est.predict(fh=FH)}
        if est.get_tag("capability:pred_int"):
            out["interval"] = est.predict_interval(fh=FH, coverage=0.9)
        for name in ("attention_weights_", "feature_attention_", "weights_"):
            value = getattr(est, name, None)
            if value is not None:
                out[name] = value
        if hasattr(est, "predict_attention"):
            out["predict_attention"] = est.predict_attention(fh=FH)
        if hasattr(est, "filter_states"):
            out["filter_states"] = est.filter_states()
        updated = pickle.loads(pickle.dumps(est))
        updated.update(_series().iloc[-6:-3], update_params=False)
        out["after_update"] = updated.predict(fh=FH)
    return out


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for key in a:
        if isinstance(a[key], pd.Series):
            pd.testing.assert_series_equal(a[key], b[key], check_exact=True, obj=key)
        else:
            pd.testing.assert_frame_equal(a[key], b[key], check_exact=True, obj=key)


@pytest.mark.parametrize("cls, i", CASES)
def test_round_trips_give_identical_outputs(cls, i, tmp_path):
    est = _fitted(cls, i)
    expected = _outputs(est)
    copies = {
        "pickle": pickle.loads(pickle.dumps(est)),
        "save in memory": load(est.save()),
    }
    est.save(tmp_path / "model")  # writes model.zip
    assert (tmp_path / "model.zip").exists()
    # sktime 1.2: load adds ".zip" to a str, but takes a Path as it is
    copies["save to file, load(str)"] = load(str(tmp_path / "model"))
    copies["save to file, load(Path)"] = load(tmp_path / "model.zip")
    try:
        import cloudpickle  # what dask and loky ship estimators with

        copies["cloudpickle"] = cloudpickle.loads(cloudpickle.dumps(est))
    except ImportError:  # pragma: no cover - cloudpickle comes with dask / joblib
        pass
    for how, copy in copies.items():
        assert type(copy) is cls, how
        _assert_same(expected, _outputs(copy))


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_unfitted_round_trip_keeps_parameters(cls):
    est = _make(cls, 0)
    copy = load(est.save())
    assert copy.get_params(deep=False).keys() == est.get_params(deep=False).keys()
    assert repr(copy) == repr(est)


def _torch_modules(obj, seen=None, depth=0):
    """Yield every torch module reachable from a fitted estimator's attributes."""
    seen = set() if seen is None else seen
    if isinstance(obj, torch.nn.Module):
        yield obj
        return
    if depth > 6 or id(obj) in seen:
        return
    seen.add(id(obj))
    if isinstance(obj, dict):
        values = list(obj.values())
    elif isinstance(obj, list | tuple):
        values = list(obj)
    elif isinstance(obj, BaseObject):
        values = list(vars(obj).values())
    else:
        return
    for value in values:
        yield from _torch_modules(value, seen, depth + 1)


def _fit_on_cpu(cls, i):
    est = _make(cls, i, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(_series().iloc[:-6], fh=FH)


@pytest.mark.parametrize("cls, i", CASES)
def test_fitted_networks_live_on_the_cpu(cls, i):
    est = _fit_on_cpu(cls, i)
    modules = list(_torch_modules(est))
    if not modules:
        pytest.skip(f"{cls.__name__} with parameter set {i} holds no torch network")
    for module in modules:
        tensors = [*module.parameters(), *module.buffers()]
        assert {t.device.type for t in tensors} == {"cpu"}
        assert not module.training  # kept in eval mode: no dropout at predict


@pytest.mark.parametrize("cls, i", CASES)
def test_unpickles_and_predicts_without_cuda(cls, i):
    est = _fitted(cls, i)
    expected = est.predict(fh=FH)
    blob = pickle.dumps(est)
    # a tensor saved from a GPU records its device ("cuda:0") in the pickle
    assert b"cuda" not in blob
    with mock.patch("torch.cuda.is_available", return_value=False):
        copy = pickle.loads(blob)
        pd.testing.assert_frame_equal(
            _as_frame(copy.predict(fh=FH)), _as_frame(expected), check_exact=True
        )
        refit = _make(cls, i)  # device="auto" resolves to the CPU then
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            refit.fit(_series().iloc[:-6], fh=FH)
        for module in _torch_modules(refit):
            assert {p.device.type for p in module.parameters()} == {"cpu"}


def _as_frame(pred):
    return pred.to_frame() if isinstance(pred, pd.Series) else pred


# -- sktime's conformance suite ---------------------------------------------------
@parametrize_with_checks(ALL_FORECASTERS)
def test_sktime_conformance(obj, test_name):
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True)


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_construction_emits_no_future_warning(cls):
    # built outside the check: sktime's own forecasters used as hybrid members
    # warn about remember_data themselves
    all_params = cls.get_test_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        cls()
        for params in all_params:
            cls(**params)


def test_registry_lists_every_public_forecaster():
    """The conformance, round-trip and bad-input tests cover ``ALL_FORECASTERS``
    only, so every public forecaster class of the package must be listed there."""
    found = {
        cls
        for _, cls in all_objects(
            object_types=BaseForecaster,
            package_name="sktime_attention",
            modules_to_ignore=("__main__",),  # importing it runs the main job
        )
    }
    registry = set(ALL_FORECASTERS)
    missing = sorted(cls.__name__ for cls in found - registry)
    assert not missing, f"public forecasters missing from ALL_FORECASTERS: {missing}"
    unseen = sorted(cls.__name__ for cls in registry - found)
    assert not unseen, f"ALL_FORECASTERS entries the package lookup missed: {unseen}"
