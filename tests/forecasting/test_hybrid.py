"""Tests of HybridForecaster: conformance, known answers, composition, intervals."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LinearRegression
from sktime.datasets import load_airline
from sktime.forecasting.base import ForecastingHorizon
from sktime.forecasting.compose import TransformedTargetForecaster, YfromX
from sktime.forecasting.model_evaluation import evaluate
from sktime.forecasting.model_selection import ForecastingGridSearchCV
from sktime.forecasting.naive import NaiveForecaster
from sktime.forecasting.trend import PolynomialTrendForecaster
from sktime.split import ExpandingWindowSplitter, SingleWindowSplitter
from sktime.transformations.series.boxcox import LogTransformer

from sktime_attention import AttentionLSTMForecaster, HybridForecaster
from sktime_attention.forecasting import default_forecasters, simplex_weights

# sktime 1.2 warns about remember_data whenever its own forecasters are built
pytestmark = pytest.mark.filterwarnings("ignore:The default of config:FutureWarning")


def tiny_attention(**kwargs):
    params = {"window_length": 3, "hidden_size": 4, "max_epochs": 1, "batch_size": 8}
    return AttentionLSTMForecaster(**{**params, **kwargs})


def trend_series(n=40):
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(5.0 + 0.5 * np.arange(n), index=index, name="y")


def trend_and_naive():
    return [
        ("trend", PolynomialTrendForecaster(degree=1)),
        ("naive", NaiveForecaster()),
    ]


def naive_pair():
    return [("last", NaiveForecaster()), ("mean", NaiveForecaster(strategy="mean"))]


def test_no_future_warning_on_construction():
    members = naive_pair()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        HybridForecaster()  # builds the default members
        HybridForecaster(members, weights="equal")
        HybridForecaster().clone().get_params()


def test_fit_drops_remember_data_warning_but_passes_others(seasonal_series):
    from sktime_attention import HMMForecaster
    from sktime_attention.forecasting import HMMConvergenceWarning

    members = [("hmm", HMMForecaster(n_iter=1, n_init=1)), *naive_pair()]
    hybrid = HybridForecaster(members, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        hybrid.fit(seasonal_series, fh=[1, 2])
    messages = [str(w.message) for w in caught]
    assert any(issubclass(w.category, HMMConvergenceWarning) for w in caught)
    assert not [m for m in messages if "remember_data" in m]


# -- known answers -------------------------------------------------------------
@pytest.mark.parametrize("weights", ["optimal", "inverse_error"])
@pytest.mark.parametrize("metric", ["mse", "mae"])
@pytest.mark.parametrize("weighting", ["global", "per_step"])
def test_exact_member_gets_all_weight(weights, metric, weighting):
    y = trend_series()
    hybrid = HybridForecaster(
        trend_and_naive(), weights=weights, metric=metric, weighting=weighting
    )
    y_pred = hybrid.fit(y, fh=[1, 2, 3]).predict()
    w = hybrid.weights_
    rows = w.to_numpy().reshape(-1, 2)
    assert (rows >= 0).all()
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    assert (rows[:, 0] > 0.99).all()
    if weighting == "per_step":
        assert list(w.index) == [1, 2, 3] and list(w.columns) == ["trend", "naive"]
    assert list(hybrid.cv_errors_.columns) == ["mse", "mae"]
    assert hybrid.cv_errors_.loc["trend", "mse"] < 1e-12
    expected = 5.0 + 0.5 * np.arange(40, 43)
    np.testing.assert_allclose(y_pred.to_numpy(), expected, atol=1e-6)
    assert np.isfinite(hybrid.cv_errors_.to_numpy()).all()


@pytest.mark.parametrize(
    "weights", [[1.0, 3.0], (0.25, 0.75), {"last": 2, "mean": 6}, np.array([1, 3])]
)
def test_fixed_weights_reproduce_hand_blend(seasonal_series, weights):
    fh = [1, 2, 3, 4]
    hybrid = HybridForecaster(naive_pair(), weights=weights)
    y_pred = hybrid.fit(seasonal_series, fh=fh).predict()
    last = NaiveForecaster().fit(seasonal_series, fh=fh).predict()
    mean = NaiveForecaster(strategy="mean").fit(seasonal_series, fh=fh).predict()
    np.testing.assert_allclose(y_pred.to_numpy(), 0.25 * last + 0.75 * mean)
    assert hybrid.cv_errors_ is None and hybrid.cv_blend_rmse_ is None
    pd.testing.assert_series_equal(
        hybrid.weights_, pd.Series([0.25, 0.75], index=["last", "mean"], name="weight")
    )


def test_equal_weights_and_dict_defaults_to_zero(seasonal_series):
    members = [*naive_pair(), ("drift", NaiveForecaster(strategy="drift"))]
    hybrid = HybridForecaster(members, weights="equal").fit(seasonal_series)
    np.testing.assert_allclose(hybrid.weights_, 1 / 3)
    hybrid = HybridForecaster(members, weights={"drift": 1}).fit(seasonal_series)
    assert hybrid.weights_.to_dict() == {"last": 0, "mean": 0, "drift": 1}


def test_zero_variance_member_and_constant_series_no_nan():
    y = trend_series()
    members = [
        ("trend", PolynomialTrendForecaster(degree=1)),
        ("mean", NaiveForecaster(strategy="mean")),  # constant forecast
    ]
    for weights in ["optimal", "inverse_error"]:
        hybrid = HybridForecaster(members, weights=weights, weighting="per_step")
        y_pred = hybrid.fit(y, fh=[1, 2]).predict()
        assert np.isfinite(y_pred).all() and np.isfinite(hybrid.weights_).all().all()
    # constant y: every member is exact, they share the weight
    const = pd.Series(3.0, index=y.index)
    hybrid = HybridForecaster(members).fit(const, fh=[1, 2])
    np.testing.assert_allclose(hybrid.weights_, 0.5)
    np.testing.assert_allclose(hybrid.predict(), 3.0)
    assert np.isfinite(hybrid.predict_interval().to_numpy()).all()


# -- composition ---------------------------------------------------------------
def test_evaluate_with_expanding_window(seasonal_series):
    hybrid = HybridForecaster(naive_pair())
    cv = ExpandingWindowSplitter(fh=[1, 2, 3], initial_window=90, step_length=12)
    results = evaluate(hybrid, cv, seasonal_series, return_data=True)
    assert len(results) == 3
    assert np.isfinite(results.filter(like="test_").select_dtypes("number")).all().all()


def test_grid_search_tunes_member_parameter(seasonal_series):
    hybrid = HybridForecaster(
        [("naive", NaiveForecaster()), ("trend", PolynomialTrendForecaster())]
    )
    assert "naive__strategy" in hybrid.get_params()
    gscv = ForecastingGridSearchCV(
        hybrid,
        cv=ExpandingWindowSplitter(fh=[1, 2], initial_window=96, step_length=12),
        param_grid={"naive__strategy": ["last", "mean"]},
        backend=None,  # sequential: loky workers cost ~10 s to start here
    )
    gscv.fit(seasonal_series, fh=[1, 2])
    assert gscv.best_params_["naive__strategy"] in ("last", "mean")
    assert (
        gscv.best_forecaster_.get_member("naive").strategy
        == (gscv.best_params_["naive__strategy"])
    )
    assert len(gscv.predict()) == 2


def test_pipeline_with_log_transform():
    y = load_airline()
    pipe = TransformedTargetForecaster(
        [("log", LogTransformer()), ("hybrid", HybridForecaster(naive_pair()))]
    )
    y_pred = pipe.fit(y, fh=[1, 2, 3]).predict()
    assert y_pred.index.equals(
        ForecastingHorizon([1, 2, 3]).to_absolute_index(y.index[-1:])
    )
    assert (y_pred > 0).all()


def test_with_exogenous_x():
    index = pd.period_range("2000-01", periods=60, freq="M")
    x = pd.DataFrame({"x": np.sin(np.arange(60) / 3)}, index=index)
    y = pd.Series(2.0 * x["x"].to_numpy() + 1.0, index=index, name="y")
    members = [("yfromx", YfromX(LinearRegression())), ("naive", NaiveForecaster())]
    hybrid = HybridForecaster(members).fit(y[:-3], X=x[:-3], fh=[1, 2, 3])
    assert hybrid.weights_["yfromx"] > 0.99
    np.testing.assert_allclose(hybrid.predict(X=x[-3:]), y[-3:], atol=1e-8)


def test_multivariate_y(multivariate_frame):
    members = [*naive_pair(), ("attention", tiny_attention(random_state=0))]
    hybrid = HybridForecaster(members, random_state=0)
    y_pred = hybrid.fit(multivariate_frame, fh=[1, 2]).predict()
    assert list(y_pred.columns) == ["a", "b"] and np.isfinite(y_pred).all().all()
    assert isinstance(hybrid.forecasters_, list) and len(hybrid.weights_) == 3
    assert list(hybrid.cv_blend_rmse_.columns) == ["a", "b"]
    intervals = hybrid.predict_interval(coverage=0.8)
    assert intervals.shape == (2, 4)


def test_update_moves_members_cutoff(seasonal_series):
    hybrid = HybridForecaster(naive_pair()).fit(seasonal_series[:100], fh=[1, 2])
    hybrid.update(seasonal_series[100:110])
    assert hybrid.cutoff[0] == seasonal_series.index[109]
    for _, member in hybrid.forecasters_:
        assert member.cutoff[0] == seasonal_series.index[109]
    expected = 0.0
    for name, member in hybrid.forecasters_:
        expected = expected + hybrid.weights_[name] * member.predict()
    pd.testing.assert_series_equal(
        hybrid.predict(), expected.squeeze(), check_names=False
    )


def test_default_members_and_attention_access():
    y = load_airline()
    hybrid = HybridForecaster(default_forecasters(), random_state=0)
    assert {"attention__hidden_size", "arima__order", "hmm__n_states"} <= set(
        hybrid.get_params()
    )
    hybrid.set_params(attention__max_epochs=2, hmm__n_init=1)
    assert hybrid.forecasters[0][1].max_epochs == 2
    hybrid.fit(y, fh=[1, 2, 3])
    assert list(hybrid.weights_.index) == ["attention", "arima", "hmm"]
    attention = hybrid.get_member("attention").attention_weights_
    assert hybrid.forecasters_[0][1].attention_weights_ is attention
    fitted = hybrid.get_fitted_params()
    pd.testing.assert_frame_equal(fitted["attention__attention_weights"], attention)
    assert fitted["weights"] is hybrid.weights_
    assert hybrid.get_member("hmm").filter_states().shape[1] == 2
    assert np.isfinite(hybrid.predict_interval(coverage=0.9).to_numpy()).all()


def test_default_members_have_no_parameters_until_passed(seasonal_series):
    hybrid = HybridForecaster(random_state=0)
    assert not [key for key in hybrid.get_params() if "__" in key]
    with pytest.raises(ValueError, match="`forecasters` is None") as info:
        hybrid.set_params(attention__max_epochs=2)
    assert "HybridForecaster(default_forecasters()" in str(info.value)
    hybrid.fit(seasonal_series, fh=[1, 2])
    assert hybrid.forecasters is None
    assert [name for name, _ in hybrid.forecasters_] == ["attention", "arima", "hmm"]


# -- intervals -----------------------------------------------------------------
@pytest.mark.parametrize("mode", ["members", "residuals"])
def test_intervals_are_ordered(seasonal_series, mode):
    if mode == "members":  # fixed weights, every member has intervals
        members = [*naive_pair(), ("drift", NaiveForecaster(strategy="drift"))]
        hybrid = HybridForecaster(members, weights=[1, 2, 1])
    else:  # learned weights: split-conformal on the blend's holdout residuals
        members = [("trend", PolynomialTrendForecaster()), *naive_pair()]
        hybrid = HybridForecaster(members, weighting="per_step")
    hybrid.fit(seasonal_series, fh=[1, 2, 3, 6])
    assert hybrid.get_tag("capability:pred_int")
    assert hybrid.interval_method_ == mode
    point = hybrid.predict()
    for coverage in [0.5, 0.9]:
        bounds = hybrid.predict_interval(coverage=coverage)
        lower, upper = bounds.iloc[:, 0], bounds.iloc[:, 1]
        assert (lower <= point).all() and (point <= upper).all()
        assert (lower < upper).all()
    quantiles = hybrid.predict_quantiles(alpha=[0.1, 0.5, 0.9]).to_numpy()
    assert (np.diff(quantiles, axis=1) >= 0).all()


def test_learned_weights_give_blend_intervals_though_members_have_some(
    seasonal_series,
):
    # members' quantiles averaged with the blend's weights are not calibrated
    # for the blend (benchmarks/coverage_hybrid.py --members intervals)
    members = [*naive_pair(), ("drift", NaiveForecaster(strategy="drift"))]
    hybrid = HybridForecaster(members).fit(seasonal_series, fh=[1, 2, 3])
    assert hybrid.interval_method_ == "residuals"


def test_fixed_weights_without_member_intervals_have_none(seasonal_series):
    hybrid = HybridForecaster(trend_and_naive(), weights="equal")
    assert not hybrid.get_tag("capability:pred_int")
    assert not hybrid.get_tag("requires-fh-in-fit")


# -- residual hybrid (Zhang 2003) ----------------------------------------------
def test_zhang_residual_hybrid_with_residual_boosting():
    from sktime.forecasting.arima import StatsModelsARIMA
    from sktime.forecasting.residual_booster import ResidualBoostingForecaster

    y = load_airline()
    zhang = ResidualBoostingForecaster(
        StatsModelsARIMA(order=(1, 1, 1), trend="t"),
        tiny_attention(window_length=12, random_state=0),
    )
    y_pred = zhang.fit(y, fh=[1, 2, 3]).predict()
    assert np.isfinite(y_pred).all()
    assert y_pred.index.equals(
        ForecastingHorizon([1, 2, 3]).to_absolute_index(y.index[-1:])
    )
    assert zhang.residual_forecaster_.attention_weights_.shape == (3, 12)


# -- reproducibility -----------------------------------------------------------
def test_random_state_reproducible_and_pickle(seasonal_series):
    members = [("attention", tiny_attention()), ("last", NaiveForecaster())]

    def fit():
        hybrid = HybridForecaster(members, random_state=3, weighting="per_step")
        return hybrid.fit(seasonal_series, fh=[1, 2, 3])

    first, second = fit(), fit()
    pd.testing.assert_series_equal(first.predict(), second.predict())
    pd.testing.assert_frame_equal(first.weights_, second.weights_)
    restored = pickle.loads(pickle.dumps(first))
    pd.testing.assert_series_equal(restored.predict(), first.predict())
    pd.testing.assert_frame_equal(restored.predict_interval(), first.predict_interval())
    assert isinstance(first.get_member("attention").random_state, int)
    assert members[0][1].random_state is None and not members[0][1].is_fitted


# -- errors and caller's data --------------------------------------------------
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"weights": "best"}, ValueError, "`weights` must be one of"),
        ({"weights": [1.0, -1.0]}, ValueError, "`weights` must be finite and >= 0"),
        ({"weights": [1.0]}, ValueError, "a list of 2 floats"),
        ({"weights": {"naive": 1, "arima": 1}}, ValueError, "keys among"),
        ({"weights": [0, 0]}, ValueError, "must not all be 0"),
        ({"weights": ["a", 1]}, ValueError, "finite and >= 0"),
        ({"metric": "rmse"}, ValueError, "`metric` must be one of"),
        ({"weights": "equal", "weighting": "per_step"}, ValueError, "needs learned"),
        ({"weighting": "local"}, ValueError, "`weighting` must be one of"),
        ({"sp": 0}, ValueError, "`sp` must be an int >= 1"),
        ({"cv": 3}, TypeError, "`cv` must be an sktime splitter"),
        ({"random_state": -1}, ValueError, "`random_state` must be an int >= 0"),
    ],
)
def test_bad_parameters(seasonal_series, kwargs, error, match):
    hybrid = HybridForecaster(trend_and_naive(), **kwargs)
    with pytest.raises(error, match=match):
        hybrid.fit(seasonal_series, fh=[1, 2])


@pytest.mark.parametrize(
    "forecasters, error, match",
    [
        ([("a", NaiveForecaster()), ("a", NaiveForecaster())], ValueError, "unique"),
        ([("a__b", NaiveForecaster())], ValueError, "free of '__'"),
        ([("cv", NaiveForecaster())], ValueError, "differ from parameter names"),
        ([("a", LinearRegression())], TypeError, "'a' must be an sktime forecaster"),
        ([NaiveForecaster()], TypeError, "list of \\(name, forecaster\\) pairs"),
        ([], TypeError, "non-empty list"),
        ("naive", TypeError, "non-empty list"),
    ],
)
def test_bad_members(forecasters, error, match):
    with pytest.raises(error, match=match):
        HybridForecaster(forecasters)


def test_short_series_and_missing_fh():
    y = trend_series(20)
    with pytest.raises(ValueError, match="too short for the default `cv`"):
        HybridForecaster(trend_and_naive()).fit(y, fh=list(range(1, 9)))
    with pytest.raises(ValueError, match="fh"):
        HybridForecaster(trend_and_naive()).fit(y)
    # a user cv needs no fh in fit
    cv = SingleWindowSplitter(fh=[1, 2], window_length=15)
    hybrid = HybridForecaster(trend_and_naive(), cv=cv).fit(y)
    assert len(hybrid.predict(fh=[1, 2, 3])) == 3


def test_member_errors_name_the_member():
    y = trend_series(30)
    members = [
        ("att", AttentionLSTMForecaster(window_length=3, hidden_size=0)),
        *naive_pair(),
    ]
    cv = SingleWindowSplitter(fh=[1], window_length=20)
    with pytest.raises(ValueError, match="hidden_size") as info:
        HybridForecaster(members, cv=cv).fit(y, fh=[1])
    assert "member 'att'" in "".join(info.value.__notes__)
    assert "holdout fold 0" in "".join(info.value.__notes__)
    # a window longer than the fold's training data: said before any member runs
    members = [("att", AttentionLSTMForecaster(window_length=25)), *naive_pair()]
    with pytest.raises(ValueError, match="too short for holdout fold 0"):
        HybridForecaster(members, cv=cv).fit(y, fh=[1])


def test_caller_data_unchanged(seasonal_series):
    x = pd.DataFrame({"x": np.arange(120.0)}, index=seasonal_series.index)
    y_copy, x_copy = seasonal_series.copy(), x.copy()
    members = trend_and_naive()
    hybrid = HybridForecaster(members, weighting="per_step")
    hybrid.fit(seasonal_series[:-2], X=x[:-2], fh=[1, 2])
    hybrid.predict(X=x[-2:])
    hybrid.predict_interval(X=x[-2:])
    pd.testing.assert_series_equal(seasonal_series, y_copy)
    pd.testing.assert_frame_equal(x, x_copy)
    assert not members[0][1].is_fitted
    assert hybrid.get_params(deep=False)["forecasters"] is members


# -- update and predict: columns by name, revisions, regular index -------------
@pytest.mark.parametrize("name", [None, "other"])
def test_update_with_unnamed_or_renamed_univariate_y(seasonal_series, name):
    y = seasonal_series
    hybrid = HybridForecaster(trend_and_naive()).fit(y[:100], fh=[1, 2])
    reference = HybridForecaster(trend_and_naive()).fit(y[:100], fh=[1, 2])
    reference.update(y[100:110])
    hybrid.update(y[100:110].rename(name))
    y_pred = hybrid.predict()
    assert np.isfinite(y_pred).all()
    # sktime names the output after the last y seen; the values are the same
    pd.testing.assert_series_equal(y_pred, reference.predict(), check_names=False)
    for _, member in hybrid.forecasters_:  # one column, no NaN
        seen = pd.DataFrame(member._y)
        assert seen.shape == (110, 1) and np.isfinite(seen).all().all()


def test_update_and_predict_match_columns_by_name(multivariate_frame):
    df = multivariate_frame
    index = df.index
    x = pd.DataFrame({"u": np.sin(np.arange(len(df))), "v": np.arange(len(df.index))})
    x.index = index
    members = [
        ("yfromx", YfromX(LinearRegression())),
        ("naive", NaiveForecaster()),
    ]
    fitted = HybridForecaster(members, weights="equal").fit(
        df[:100], X=x[:100], fh=[1, 2]
    )
    reordered = fitted.clone().fit(df[:100], X=x[:100], fh=[1, 2])
    fitted.update(df[100:110], X=x[100:110])
    df_copy, x_copy = df.copy(), x.copy()
    reordered.update(df[100:110][["b", "a"]], X=x[100:110][["v", "u"]])
    pd.testing.assert_frame_equal(df, df_copy)
    pd.testing.assert_frame_equal(x, x_copy)
    expected = fitted.predict(X=x[110:112])
    pd.testing.assert_frame_equal(reordered.predict(X=x[110:112][["v", "u"]]), expected)
    for _, member in reordered.forecasters_:
        assert list(member._y.columns) == ["a", "b"]
    bad_y = [
        (
            df[100:110].rename(columns={"a": "c"}),
            r"missing \['a'\], unexpected \['c'\]",
        ),
        (df[100:110][["a"]], r"missing \['b'\]"),
        (df[100:110].assign(c=1.0), r"unexpected \['c'\]"),
    ]
    for y_new, match in bad_y:
        with pytest.raises(ValueError, match=match):
            fitted.clone().fit(df[:100], X=x[:100], fh=[1, 2]).update(
                y_new, X=x[100:110]
            )
    with pytest.raises(ValueError, match=r"`X` in predict .* missing \['v'\]"):
        fitted.predict(X=x[110:112].rename(columns={"v": "w"}))
    with pytest.raises(ValueError, match=r"`X` in update .* unexpected \['w'\]"):
        fitted.update(df[110:112], X=x[110:112].assign(w=0.0))


def test_update_passes_revisions_to_members_unchanged(seasonal_series):
    y = seasonal_series
    revised = y[95:105].copy()
    revised.iloc[:5] += 3.0  # points 95..99 were seen in fit
    members = [("last", NaiveForecaster()), ("drift", NaiveForecaster("drift"))]
    hybrid = HybridForecaster(members, weights=[0.5, 0.5]).fit(y[:100], fh=[1, 2])
    revised_copy = revised.copy()
    hybrid.update(revised)
    pd.testing.assert_series_equal(revised, revised_copy)
    for name, member in hybrid.forecasters_:
        alone = dict(members)[name].clone().fit(y[:100], fh=[1, 2])
        alone.update(revised)
        pd.testing.assert_series_equal(
            member.predict().squeeze(), alone.predict(), check_names=False
        )
    # revisions only, no new point: the cutoff stays, the forecasts follow them
    hybrid = HybridForecaster(members, weights=[1, 0]).fit(y[:100], fh=[1])
    hybrid.update(y[98:100] + 1.0)
    assert hybrid.cutoff[0] == y.index[99]
    np.testing.assert_allclose(hybrid.predict(), y.iloc[99] + 1.0)


def test_uneven_time_index_rejected_in_fit_and_update(seasonal_series):
    y = seasonal_series.reset_index(drop=True)
    gappy = y.drop(index=[50, 51])
    with pytest.raises(ValueError, match="evenly spaced"):
        HybridForecaster(naive_pair(), weights="equal").fit(gappy, fh=[1])
    hybrid = HybridForecaster(naive_pair(), weights="equal").fit(y[:100], fh=[1])
    with pytest.raises(ValueError, match="evenly spaced"):
        hybrid.update(y[100:110].drop(index=[104]))


# -- non-finite member forecasts -------------------------------------------------
class _NaNAfter(NaiveForecaster):
    """A last-value forecaster whose forecasts turn NaN once its cutoff passes
    ``nan_after`` (a time point; None: always)."""

    def __init__(self, nan_after=None):
        self.nan_after = nan_after
        super().__init__()

    def _predict(self, fh, X=None):
        y_pred = super()._predict(fh, X)
        if self.nan_after is None or self.cutoff[0] >= self.nan_after:
            y_pred = y_pred * np.nan
        return y_pred

    def _predict_quantiles(self, fh, X, alpha):
        return super()._predict_quantiles(fh, X, alpha) * np.nan


class _NaNAbove(NaiveForecaster):
    """A last-value forecaster that forecasts NaN where it would exceed ``above``."""

    def __init__(self, above=0.0):
        self.above = above
        super().__init__()

    def _predict(self, fh, X=None):
        y_pred = super()._predict(fh, X)
        return y_pred.where(y_pred <= self.above)


def test_nan_member_raises_naming_it_even_with_weight_zero(seasonal_series):
    y = seasonal_series
    members = [("last", NaiveForecaster()), ("broken", _NaNAfter())]
    hybrid = HybridForecaster(members, weights=[1, 0]).fit(y, fh=[1, 2])
    with pytest.raises(ValueError, match="member 'broken' .* non-finite .* predict"):
        hybrid.predict()
    with pytest.raises(ValueError, match="member 'broken'"):
        hybrid.predict_interval()
    # in the holdout of learned weights
    with pytest.raises(ValueError, match="member 'broken' .* holdout fold 0"):
        HybridForecaster(members).fit(y, fh=[1, 2])
    # fine in fit, NaN after an update
    late = [("last", NaiveForecaster()), ("broken", _NaNAfter(y.index[105]))]
    hybrid = HybridForecaster(late).fit(y[:100], fh=[1, 2])
    assert np.isfinite(hybrid.predict()).all()
    hybrid.update(y[100:110])
    with pytest.raises(ValueError, match="member 'broken'"):
        hybrid.predict()


def test_nan_member_on_panel_names_the_series():
    index = pd.period_range("2000-01", periods=30, freq="M")
    level = {"a": 1.0, "b": 100.0, "c": 2.0}  # only "b" passes `above`
    panel = pd.concat(
        {
            k: pd.DataFrame({"y": v + np.sin(np.arange(30))}, index)
            for k, v in level.items()
        }
    )
    members = [("last", NaiveForecaster()), ("broken", _NaNAbove(50.0))]
    hybrid = HybridForecaster(members, weights=[1, 0]).fit(panel, fh=[1])
    with pytest.raises(ValueError, match=r"member 'broken'.*predict on series \['b'\]"):
        hybrid.predict()
    with pytest.raises(
        ValueError, match=r"member 'broken'.*holdout fold 0 on series \['b'\]"
    ):
        HybridForecaster(members).fit(panel, fh=[1])


# -- extreme magnitudes ----------------------------------------------------------
@pytest.mark.parametrize("weighting", ["global", "per_step"])
@pytest.mark.parametrize("metric", ["mse", "mae"])
def test_weights_and_residual_intervals_are_scale_free(
    seasonal_series, weighting, metric
):
    members = [
        ("last", NaiveForecaster()),
        ("mean", NaiveForecaster(strategy="mean")),
        ("drift", NaiveForecaster(strategy="drift")),
    ]
    fitted = {}
    for c in [1e-12, 1e-6, 1.0, 1e6, 1e100, 1e200]:
        hybrid = HybridForecaster(members, metric=metric, weighting=weighting)
        hybrid.fit(seasonal_series * c, fh=[1, 2, 3])
        assert hybrid.interval_method_ == "residuals"  # learned weights
        fitted[c] = hybrid
    reference = fitted[1.0]
    for c, hybrid in fitted.items():
        np.testing.assert_allclose(hybrid.weights_, reference.weights_, atol=1e-8)
        np.testing.assert_allclose(
            hybrid.cv_blend_rmse_, reference.cv_blend_rmse_, rtol=1e-9
        )
        np.testing.assert_allclose(
            hybrid.predict_interval(coverage=0.9) / c,
            reference.predict_interval(coverage=0.9),
            rtol=1e-9,
        )
        np.testing.assert_allclose(
            hybrid.cv_errors_["mae"], reference.cv_errors_["mae"], rtol=1e-9
        )
    assert np.isfinite(fitted[1e100].cv_errors_.to_numpy()).all()


# -- residual intervals: split-conformal -----------------------------------------
def _random_walk(n=120, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(np.cumsum(rng.standard_normal(n)), index=index, name="y")


def test_residual_intervals_are_split_conformal():
    y, fh = _random_walk(), [1, 2, 3]
    cv = ExpandingWindowSplitter(fh=fh, initial_window=len(y) - 3 - 18, step_length=1)
    members = trend_and_naive()
    hybrid = HybridForecaster(members, cv=cv, weighting="per_step").fit(y, fh=fh)
    assert hybrid.interval_method_ == "residuals"
    # the blend's holdout residuals by hand: 19 folds, so 19 per step, each fold's
    # with the per-step weights learned on the other folds that share none of its
    # forecast points (cross-fitted and purged: cutoffs 1 apart, 3 steps)
    preds, truth = [], []
    for train, test in cv.split(y.index):
        fits = [est.clone().fit(y.iloc[train], fh=fh) for _, est in members]
        preds.append([est.predict().to_numpy() for est in fits])  # (M, H)
        truth.append(y.iloc[test].to_numpy())
    preds, truth = np.array(preds), np.array(truth)  # (F, M, H), (F, H)
    errors = preds - truth[:, None]
    resid = {step: [] for step in fh}
    for f in range(len(truth)):
        other = np.abs(np.arange(len(truth)) - f) >= len(fh)
        for i, step in enumerate(fh):
            w = simplex_weights(errors[other, :, i].T, "optimal", "mse")
            resid[step].append(abs(truth[f, i] - w @ preds[f, :, i]))
    point = hybrid.predict().to_numpy()
    for coverage, k in [(0.9, 18), (0.8, 16)]:  # ceil(20 * coverage)-th smallest
        half = np.array([np.sort(resid[step])[k - 1] for step in fh])
        half = np.maximum.accumulate(half)  # the random walk's errors grow
        bounds = hybrid.predict_interval(coverage=coverage).to_numpy()
        np.testing.assert_allclose(bounds[:, 0], point - half, rtol=1e-6)
        np.testing.assert_allclose(bounds[:, 1], point + half, rtol=1e-6)


def test_residual_interval_widths_grow_with_step_for_random_walk():
    y, fh = _random_walk(200, seed=3), list(range(1, 7))
    cv = ExpandingWindowSplitter(fh=fh, initial_window=200 - 6 - 39, step_length=1)
    members = [*trend_and_naive(), ("drift", NaiveForecaster(strategy="drift"))]
    hybrid = HybridForecaster(members, cv=cv).fit(y, fh=fh)
    for coverage in [0.8, 0.95]:
        bounds = hybrid.predict_interval(coverage=coverage).to_numpy()
        width = bounds[:, 1] - bounds[:, 0]
        assert (np.diff(width) >= 0).all() and width[-1] > width[0]
    quantiles = hybrid.predict_quantiles(alpha=[0.025, 0.1, 0.5, 0.9, 0.975])
    assert (np.diff(quantiles.to_numpy(), axis=1) >= 0).all()
    np.testing.assert_allclose(quantiles.iloc[:, 2], hybrid.predict())


def test_failed_update_leaves_cutoff_and_forecasts(multivariate_frame):
    df = multivariate_frame
    hybrid = HybridForecaster(naive_pair(), weights="equal").fit(df[:100], fh=[1, 2])
    before = hybrid.predict()
    with pytest.raises(ValueError, match="missing"):
        hybrid.update(df[100:110].rename(columns={"a": "c"}))
    assert hybrid.cutoff[0] == df.index[99]
    pd.testing.assert_frame_equal(hybrid.predict(), before)
