"""HybridForecaster on panels: one model, weights across series, bad input."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sktime.forecasting.naive import NaiveForecaster
from sktime.forecasting.trend import PolynomialTrendForecaster
from sktime.split import SingleWindowSplitter
from sktime.transformations.series.detrend import Deseasonalizer

from sktime_attention import AttentionLSTMForecaster, HMMForecaster, HybridForecaster
from sktime_attention.forecasting import default_forecasters
from sktime_attention.forecasting._panel import Layout, infer_sp
from sktime_attention.synthetic import make_panel

pytestmark = pytest.mark.filterwarnings("ignore:The default of config:FutureWarning")


class _CountingAttention(AttentionLSTMForecaster):
    """Counts network trainings (class-wide) to show the member is global."""

    trainings = 0

    def _train(self, start=None, epochs=None):
        type(self).trainings += 1
        return super()._train(start, epochs)


def _tiny(cls=AttentionLSTMForecaster, **kwargs):
    params = {"window_length": 6, "hidden_size": 4, "max_epochs": 1, "batch_size": 16}
    return cls(**{**params, **kwargs})


def _members(cls=AttentionLSTMForecaster):
    return [
        ("attention", _tiny(cls)),
        ("snaive", NaiveForecaster(strategy="last", sp=12)),
        ("last", NaiveForecaster()),
    ]


def test_global_member_trained_once_and_local_members_per_series():
    y = make_panel(n_series=5, n=60)
    _CountingAttention.trainings = 0
    hybrid = HybridForecaster(_members(_CountingAttention), random_state=0)
    hybrid.fit(y, fh=[1, 2, 3])
    assert _CountingAttention.trainings == 1  # not once per series, nor per fold
    attention = hybrid.get_member("attention")
    assert not attention._is_vectorized and attention.network_ is not None
    snaive = hybrid.get_member("snaive")
    assert snaive._is_vectorized and len(snaive.forecasters_) == 5
    assert isinstance(hybrid.weights_, pd.Series)  # one hybrid, not one per series
    np.testing.assert_allclose(hybrid.weights_.sum(), 1.0)
    y_pred = hybrid.predict()
    assert y_pred.index.names == ["series", "time"] and len(y_pred) == 15
    # the attention of any series, and the per-series member of one series
    assert attention.attention_weights_.loc["s3"].shape == (3, 6)
    one = hybrid.get_member("snaive", series="s3")
    assert isinstance(one, NaiveForecaster) and one.is_fitted
    with pytest.raises(ValueError, match="`series` must be a key"):
        hybrid.get_member("snaive", series="nope")
    hybrid = HybridForecaster(_members(_CountingAttention), refit_global=True)
    _CountingAttention.trainings = 0
    hybrid.fit(y, fh=[1, 2, 3])
    # the hybrid's holdout network, then all data; the final fit is not a
    # pretrained one, so it also trains the member's interval calibration network
    assert _CountingAttention.trainings == 3


def test_weights_pooled_over_series_find_the_exact_member():
    index = pd.period_range("2000-01", periods=40, freq="M")
    slopes = {"a": 0.5, "b": -2.0, "c": 30.0}
    y = pd.concat(
        {
            k: pd.DataFrame({"y": 5 + s * np.arange(40.0)}, index)
            for k, s in slopes.items()
        },
        names=["series", "time"],
    )
    members = [("trend", PolynomialTrendForecaster()), ("last", NaiveForecaster())]
    hybrid = HybridForecaster(members).fit(y, fh=[1, 2])
    assert hybrid.weights_["trend"] > 0.99
    assert hybrid.cv_errors_.loc["trend", "mae"] < 1e-9
    expected = np.concatenate([5 + s * np.arange(40.0, 42.0) for s in slopes.values()])
    np.testing.assert_allclose(hybrid.predict().to_numpy().ravel(), expected)


@pytest.mark.parametrize("weighting", ["global", "per_step", "per_series"])
def test_each_weighting_gives_finite_weights_summing_to_one(weighting):
    y = make_panel(n_series=10, n=48, noise=0.5)
    members = [
        ("snaive", NaiveForecaster(strategy="last", sp=12)),
        ("last", NaiveForecaster()),
        ("mean", NaiveForecaster(strategy="mean")),
    ]
    hybrid = HybridForecaster(members, weighting=weighting).fit(y, fh=[1, 2, 3])
    table = hybrid.weights_.to_numpy().reshape(-1, 3)
    assert np.isfinite(table).all() and (table >= 0).all()
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    if weighting == "per_series":
        sw = hybrid.series_weights_
        assert sw.shape == (10, 3) and list(sw.index) == [f"s{i}" for i in range(10)]
        np.testing.assert_allclose(sw.sum(axis=1), 1.0)
        assert "intercept" in hybrid.weight_features_.index
        assert hybrid.series_features_.shape[0] == 10
    else:
        assert hybrid.series_weights_ is None
    # seasonal naive is exact up to noise on these seasonal series
    assert hybrid.weights_.to_numpy().reshape(-1, 3)[:, 0].mean() > 0.5
    assert np.isfinite(hybrid.predict_interval(coverage=0.9).to_numpy()).all()


def test_predict_takes_another_fh_and_fit_needs_none():
    y = make_panel(n_series=3, n=60)
    hybrid = HybridForecaster(_members(), random_state=0).fit(y, fh=[1, 2, 3])
    assert len(hybrid.predict(fh=[1, 2, 3, 4, 5, 6])) == 18
    assert len(hybrid.predict(fh=[2])) == 3
    y = make_panel(n_series=3, n=96)
    hybrid = HybridForecaster(_members(), weighting="per_step").fit(y)
    assert hybrid.sp_ == 12  # monthly index
    assert list(hybrid.weights_.index) == list(range(1, 25))  # steps 1..2 * sp
    assert len(hybrid.predict(fh=[1, 30])) == 6


def test_series_ending_at_different_times_get_one_hybrid_each():
    y = pd.concat(
        [
            make_panel(n_series=2, n=60).loc[["s0"]],
            make_panel(n_series=2, n=58).loc[["s1"]],
        ]
    )
    members = [("last", NaiveForecaster()), ("mean", NaiveForecaster("mean"))]
    with pytest.warns(UserWarning, match=r"1 series of `y` end before.*'s1'"):
        hybrid = HybridForecaster(members).fit(y, fh=[1])
    assert hybrid._is_vectorized and len(hybrid.forecasters_) == 2
    y_pred = hybrid.predict()
    assert len(y_pred) == 2 and np.isfinite(y_pred.to_numpy()).all()
    with pytest.raises(ValueError, match="must end at the same time point"):
        Layout(y)


def test_short_series_named():
    long = make_panel(n_series=3, n=60)
    short = make_panel(n_series=1, n=10)
    index = long.loc["s0"].index[-10:]
    short.index = pd.MultiIndex.from_product([["tiny"], index], names=long.index.names)
    y = pd.concat([long, short])
    with pytest.raises(ValueError, match=r"\('tiny', 10\).* too short"):
        HybridForecaster(_members()).fit(y, fh=[1, 2, 3])
    cv = SingleWindowSplitter(fh=[1, 2, 3], window_length=40)
    with pytest.raises(ValueError, match=r"too short for holdout fold 0.*'tiny', 7"):
        HybridForecaster(_members(), cv=cv).fit(y, fh=[1, 2, 3])


def test_member_warnings_name_member_and_fold_defaults_quiet():
    y = make_panel(n_series=2, n=40)
    members = [("hmm", HMMForecaster(n_iter=1, n_init=1)), ("last", NaiveForecaster())]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hybrid = HybridForecaster(members, random_state=0).fit(y, fh=[1, 2])
    texts = [str(w.message) for w in caught]
    assert any("member 'hmm'" in t and "holdout fold" in t for t in texts)
    assert not [t for t in texts if "remember_data" in t]
    assert (hybrid.member_warnings_["member"] == "hmm").any()


def test_verbose_progress_labels_fold_and_member(capsys):
    y = make_panel(n_series=2, n=40)
    members = [("last", NaiveForecaster()), ("mean", NaiveForecaster("mean"))]
    HybridForecaster(members, verbose=True).fit(y, fh=[1, 2])
    err = capsys.readouterr().err
    assert "fold 0: mean" in err or "final fit" in err


def test_parallel_backend_config_reaches_per_series_members():
    y = make_panel(n_series=3, n=40)
    # a pipeline vectorises its steps under their own config, not the pipeline's
    pipeline = Deseasonalizer(sp=4) * NaiveForecaster()
    members = [("last", NaiveForecaster()), ("deseasonalised", pipeline)]
    hybrid = HybridForecaster(members, weights="equal")
    hybrid.set_config(**{"backend:parallel": "threading"})
    hybrid.fit(y, fh=[1])
    assert hybrid.get_member("last").get_config()["backend:parallel"] == "threading"
    fitted = hybrid.get_member("deseasonalised")
    for _, step in [("pipeline", fitted), *fitted.steps_]:
        assert step.get_config()["backend:parallel"] == "threading"
    assert pipeline.steps[-1].get_config()["backend:parallel"] is None  # caller's
    serial = HybridForecaster(members, weights="equal").fit(y, fh=[1])
    pd.testing.assert_frame_equal(hybrid.predict(), serial.predict())


def test_seasonal_period_and_default_members_follow_the_data():
    assert infer_sp(pd.period_range("2000", periods=5, freq="h")) == 24
    assert infer_sp(pd.period_range("2000", periods=5, freq="M")) == 12
    assert infer_sp(pd.date_range("2000", periods=5, freq="D")) == 7
    assert infer_sp(pd.RangeIndex(5)) == 1
    monthly = dict(default_forecasters(sp=12))
    assert monthly["arima"].seasonal_order == (0, 1, 1, 12)
    assert monthly["attention"].window_length == 24
    assert monthly["attention"].seasonal_lags == [12]  # each step's seasonal naive
    assert dict(default_forecasters(sp=1))["attention"].seasonal_lags is None
    short = dict(default_forecasters(sp=12, window_length=8))["attention"]
    assert short.seasonal_lags is None  # a lag longer than the window is dropped
    hourly = dict(default_forecasters(sp=24))
    assert hourly["arima"].get_params()["deseasonalize__sp"] == 24


class _FailsAbove(NaiveForecaster):
    """A last-value forecaster whose fit raises on series with values above 50."""

    def _fit(self, y, X=None, fh=None):
        if (y.to_numpy() > 50).any():
            raise RuntimeError("cannot fit this series")
        return super()._fit(y, X, fh)


def test_member_failing_on_some_series_names_member_fold_and_series():
    y = make_panel(n_series=4, n=40, level_step=20.0)  # s2, s3 above 50
    members = [("last", NaiveForecaster()), ("picky", _FailsAbove())]
    with pytest.raises(RuntimeError, match="cannot fit") as info:
        HybridForecaster(members).fit(y, fh=[1, 2])
    notes = "".join(info.value.__notes__)
    assert "member 'picky'" in notes and "holdout fold 0" in notes
    assert "['s2', 's3'] (2 in all)" in notes
