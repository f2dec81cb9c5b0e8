"""Tests for HMMForecaster: sktime conformance, known answers, errors, properties."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import norm
from sktime.base import load

from sktime_attention import HMMForecaster
from sktime_attention.forecasting import HMMConvergenceWarning

TRUE_A = np.array([[0.95, 0.05], [0.10, 0.90]])
TRUE_MEANS = np.array([-2.0, 2.0])
TRUE_PI = np.array([2 / 3, 1 / 3])  # stationary distribution of TRUE_A


def simulate_hmm(n, seed, means=TRUE_MEANS, sd=1.0):
    """Two-regime Gaussian HMM with TRUE_A; returns (series, states)."""
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    states = np.empty(n, dtype=int)
    states[0] = int(u[0] > TRUE_PI[0])
    for t in range(1, n):
        states[t] = int(u[t] > TRUE_A[states[t - 1], 0])
    values = means[states] + sd * rng.standard_normal(n)
    return pd.Series(values, index=pd.RangeIndex(n), name="y"), states


@pytest.fixture(scope="module")
def regime_series():
    return simulate_hmm(2000, seed=1)[0]


@pytest.fixture(scope="module")
def level_model(regime_series):
    return HMMForecaster(transform="level", random_state=0).fit(regime_series)


# --- sktime conformance -----------------------------------------------------------


def test_construction_emits_no_future_warning(seasonal_series):
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        forecaster = HMMForecaster(n_init=1, random_state=0)
    assert forecaster.get_config()["remember_data"] is False
    # sktime keeps no copy of the training data
    forecaster.fit(seasonal_series)
    with pytest.raises(ValueError, match="does not retain training data"):
        forecaster.predict_residuals()


# --- known answers ----------------------------------------------------------------


def test_transition_matrix_recovered(level_model):
    # states are sorted by mean, so state_0 is the low regime as in TRUE_MEANS
    error = np.abs(level_model.transmat_ - TRUE_A).max()
    assert error < 0.05, f"max abs transmat error {error:.4f}"
    np.testing.assert_allclose(level_model.means_[:, 0], TRUE_MEANS, atol=0.15)
    np.testing.assert_allclose(level_model.covars_[:, 0, 0], [1.0, 1.0], atol=0.15)
    assert level_model.covars_.shape == (2, 1, 1)
    assert level_model.state_probs_.sum() == pytest.approx(1.0)


def test_long_horizon_converges_to_stationary_mean(level_model, regime_series):
    f = level_model
    evals, evecs = np.linalg.eig(f.transmat_.T)
    pi = np.real(evecs[:, np.argmin(np.abs(evals - 1))])
    pi = pi / pi.sum()
    stationary_mean = pi @ f.means_[:, 0]
    y_pred = f.predict(fh=[500])
    assert y_pred.iloc[0] == pytest.approx(stationary_mean, abs=1e-8)
    # the fitted chain's long-run mean matches the sample mean (the true -2/3 is
    # only met up to sampling error: regimes are persistent, ~160 effective draws)
    assert stationary_mean == pytest.approx(regime_series.mean(), abs=0.05)
    assert stationary_mean == pytest.approx(TRUE_PI @ TRUE_MEANS, abs=0.4)
    probs = f.predict_state_probs([1, 500])
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_allclose(probs.iloc[-1], pi, atol=1e-8)


def test_filtering_has_no_lookahead(regime_series, level_model):
    short = level_model.filter_states(regime_series.iloc[:500])
    longer = level_model.filter_states(regime_series.iloc[:800])
    pd.testing.assert_frame_equal(short, longer.iloc[:500])
    # a forecast made at t=500 uses only data up to 500
    f = HMMForecaster(transform="level", random_state=0).fit(regime_series.iloc[:500])
    before = f.predict(fh=[1, 3])
    f.filter_states(regime_series)  # pure: sees later data, changes nothing
    pd.testing.assert_series_equal(f.predict(fh=[1, 3]), before)
    np.testing.assert_allclose(
        f.state_probs_.to_numpy(), f.filter_states().iloc[-1].to_numpy()
    )


def test_filtered_differs_from_smoothed_except_at_the_end(level_model, regime_series):
    filtered = level_model.filter_states().to_numpy()
    np.testing.assert_allclose(filtered.sum(axis=1), 1.0)
    u = (regime_series.to_numpy()[:, None] - level_model.shift_) / level_model.scale_
    smoothed = level_model.model_.predict_proba(u)
    np.testing.assert_allclose(filtered[-1], smoothed[-1], atol=1e-8)
    assert np.abs(filtered - smoothed).max() > 0.1


def _coverage(forecaster, y, n_train, n_test):
    f = forecaster.fit(y.iloc[:n_train])
    hits = []
    for t in range(n_train, n_train + n_test):
        interval = f.predict_interval(fh=1, coverage=0.9).iloc[0].to_numpy()
        hits.append(interval[0] <= y.iloc[t] <= interval[1])
        f.update(y.iloc[t : t + 1], update_params=False)
    return np.mean(hits)


def test_interval_coverage_exact_level():
    y = simulate_hmm(1500, seed=7)[0]
    cov = _coverage(HMMForecaster(transform="level", random_state=0), y, 1200, 300)
    assert 0.85 <= cov <= 0.95, f"coverage {cov:.3f}"


def test_interval_coverage_monte_carlo_diff():
    z = simulate_hmm(1500, seed=8, means=np.array([-1.0, 1.0]))[0]
    y = z.cumsum() + 100
    f = HMMForecaster(transform="diff", n_samples=1000, random_state=0)
    cov = _coverage(f, y, 1200, 300)
    assert 0.85 <= cov <= 0.95, f"coverage {cov:.3f}"


def test_level_quantiles_exact_for_one_state():
    y = pd.Series(np.random.default_rng(3).normal(5.0, 2.0, 300))
    f = HMMForecaster(n_states=1, transform="level", calibrate=False, random_state=0)
    q = f.fit(y).predict_quantiles(fh=[1, 2], alpha=[0.05, 0.5, 0.9])
    mean, sd = f.means_[0, 0], np.sqrt(f.covars_[0, 0, 0])
    expected = mean + sd * norm.ppf([0.05, 0.5, 0.9])
    np.testing.assert_allclose(q.to_numpy(), np.tile(expected, (2, 1)), rtol=1e-9)
    np.testing.assert_allclose(f.predict_var(fh=1).to_numpy(), sd**2)


def _ar1(n, phi, seed):
    rng = np.random.default_rng(seed)
    x = np.zeros(n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + rng.standard_normal()
    return pd.Series(10 + x)


def test_calibration_known_answer_for_a_misspecified_model():
    # one Gaussian state on the differences of an AR(1): the model's h-step
    # variance is h Var(dx), the true one 2 Var(x) (1 - phi^h); their ratio is
    # (1 - phi^h) / (h (1 - phi))
    phi, fh = 0.8, np.array([1, 2, 4, 8])
    y = _ar1(4000, phi, seed=5)
    kw = {"n_states": 1, "random_state": 0}
    f = HMMForecaster(**kw).fit(y)
    expected = np.sqrt((1 - phi**fh) / (fh * (1 - phi)))
    factors = f.calibration_.loc[fh, 0].to_numpy()
    np.testing.assert_allclose(factors, expected, rtol=0.06)
    raw = HMMForecaster(calibrate=False, **kw).fit(y)
    # variance, quantiles and paths are the model's, scaled about the mean per step
    np.testing.assert_allclose(
        f.predict_var(fh=fh).to_numpy()[:, 0],
        raw.predict_var(fh=fh).to_numpy()[:, 0] * factors**2,
    )
    mean = f.predict(fh=fh).to_numpy()[:, None]
    q, q_raw = (g.predict_quantiles(fh=fh, alpha=[0.1, 0.9]) for g in (f, raw))
    q, q_raw = q.to_numpy(), q_raw.to_numpy()
    np.testing.assert_allclose(q - mean, (q_raw - mean) * factors[:, None])


def test_random_walk_widths_grow_with_the_step():
    y = pd.Series(100 + np.cumsum(np.random.default_rng(2).standard_normal(300)))
    f = HMMForecaster(random_state=0).fit(y)
    assert (np.diff(f.predict_var(fh=range(1, 25)).to_numpy()[:, 0]) > 0).all()
    bounds = f.predict_interval(fh=[1, 3, 9, 24], coverage=0.9).to_numpy()
    assert (np.diff(bounds[:, 1] - bounds[:, 0]) > 0).all()


@pytest.mark.parametrize("transform", ["diff", "log_diff"])
def test_exact_moments_match_monte_carlo(transform):
    rng = np.random.default_rng(4)
    y = pd.Series(50 * np.exp(np.cumsum(rng.normal(0.01, 0.05, 200))))
    f = HMMForecaster(transform=transform, n_samples=20000, random_state=0).fit(y)
    paths = f.sample_paths(fh=range(1, 11))[:, :, 0]  # (n_samples, H)
    mean = f.predict(fh=range(1, 11)).to_numpy()
    var = f.predict_var(fh=range(1, 11)).to_numpy()[:, 0]
    np.testing.assert_allclose(paths.mean(axis=0), mean, rtol=0.01)
    np.testing.assert_allclose(paths.var(axis=0), var, rtol=0.1)


def test_level_sample_paths_match_exact_moments(level_model):
    paths = level_model.sample_paths(fh=[1, 5])[:, :, 0]  # (n_samples, H)
    assert paths.shape == (level_model.n_samples, 2)
    np.testing.assert_array_equal(level_model.sample_paths(fh=[1, 5])[:, :, 0], paths)
    mean = level_model.predict(fh=[1, 5]).to_numpy()
    var = level_model.predict_var(fh=[1, 5]).to_numpy()[:, 0]
    np.testing.assert_allclose(paths.mean(axis=0), mean, atol=0.2)
    np.testing.assert_allclose(paths.var(axis=0), var, rtol=0.15)


def test_auto_picks_two_states(regime_series):
    f = HMMForecaster(n_states="auto", transform="level", n_init=2, random_state=0)
    f.fit(regime_series.iloc[:1000])
    assert f.n_states_ == 2
    assert set(f.bic_) == {1, 2, 3, 4}
    assert min(f.bic_, key=f.bic_.get) == 2
    assert f.transmat_.shape == (2, 2)


@pytest.mark.parametrize("transform", ["level", "diff"])
def test_constant_series_forecasts_the_constant(transform):
    y = pd.Series(np.full(40, 3.5), index=pd.period_range("2000-01", periods=40))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        f = HMMForecaster(transform=transform, random_state=0).fit(y)
    unexpected = [w for w in caught if w.category is not HMMConvergenceWarning]
    assert len(caught) <= 1 and not unexpected, [str(w.message) for w in caught]
    np.testing.assert_allclose(f.predict(fh=[1, 2, 10]).to_numpy(), 3.5)
    interval = f.predict_interval(fh=[1, 5], coverage=0.9).to_numpy()
    assert np.isfinite(interval).all()
    np.testing.assert_allclose(interval, 3.5, atol=0.5)


@pytest.mark.parametrize("covariance_type", ["diag", "full", "spherical", "tied"])
def test_multivariate(multivariate_frame, covariance_type):
    f = HMMForecaster(covariance_type=covariance_type, n_samples=300, random_state=0)
    f.fit(multivariate_frame)
    y_pred = f.predict(fh=[1, 2, 3])
    assert y_pred.shape == (3, 2)
    assert list(y_pred.columns) == ["a", "b"]
    expected_index = pd.period_range(multivariate_frame.index[-1] + 1, periods=3)
    assert y_pred.index.equals(expected_index)
    q = f.predict_quantiles(fh=[1, 2, 3], alpha=[0.1, 0.9])
    assert list(q.columns) == [("a", 0.1), ("a", 0.9), ("b", 0.1), ("b", 0.9)]
    assert (q.xs(0.1, axis=1, level=1) < q.xs(0.9, axis=1, level=1)).all().all()
    assert f.covars_.shape == (2, 2, 2) and f.means_.shape == (2, 2)
    assert f.predict_var(fh=[1, 2]).shape == (2, 2)


def test_non_contiguous_fh_matches_contiguous(seasonal_series):
    f = HMMForecaster(random_state=0).fit(seasonal_series)
    full = f.predict_quantiles(fh=[1, 2, 3, 4, 5], alpha=[0.1, 0.9])
    part = f.predict_quantiles(fh=[2, 5], alpha=[0.1, 0.9])
    pd.testing.assert_frame_equal(part, full.iloc[[1, 4]])
    pd.testing.assert_series_equal(
        f.predict(fh=[2, 5]), f.predict(fh=[1, 2, 3, 4, 5]).iloc[[1, 4]]
    )
    absolute = pd.PeriodIndex(full.index[[1, 4]])
    pd.testing.assert_series_equal(f.predict(fh=absolute), f.predict(fh=[2, 5]))


def test_pure_methods_do_not_change_the_object(seasonal_series):
    # fh given in fit: sktime's public predict_* store a first-seen fh in `_fh`
    f = HMMForecaster(random_state=0).fit(seasonal_series, fh=[1, 2])
    before = pickle.dumps(f.__dict__)
    f.filter_states()
    f.filter_states(seasonal_series.iloc[:50])
    f.predict_state_probs([1, 4])
    f.predict_quantiles(alpha=[0.1, 0.5])
    f.predict_var()
    assert pickle.dumps(f.__dict__) == before  # byte-identical state


# --- reproducibility and persistence ----------------------------------------------


def _outputs(f):
    return (
        f.predict(fh=[1, 3]),
        f.predict_interval(fh=[1, 3], coverage=[0.5, 0.9]),
        f.predict_var(fh=[1, 3]),
    )


def _assert_same(a, b):
    for x, y in zip(a, b):
        pd.testing.assert_frame_equal(pd.DataFrame(x), pd.DataFrame(y))


@pytest.mark.parametrize("transform", ["diff", "level", "log_diff"])
def test_reproducible_and_persistent(seasonal_series, transform):
    params = {"transform": transform, "n_samples": 500, "random_state": 42}
    f1 = HMMForecaster(**params).fit(seasonal_series)
    f2 = HMMForecaster(**params).fit(seasonal_series)
    out = _outputs(f1)
    _assert_same(out, _outputs(f2))
    _assert_same(out, _outputs(f1))  # repeated calls give the same answer
    _assert_same(out, _outputs(pickle.loads(pickle.dumps(f1))))
    _assert_same(out, _outputs(load(f1.save())))
    np.testing.assert_array_equal(f1.transmat_, f2.transmat_)


def test_update_refilters_without_refitting(regime_series):
    f = HMMForecaster(transform="level", random_state=0).fit(regime_series.iloc[:300])
    model, transmat = f.model_, f.transmat_.copy()
    probs_before, ll = f.state_probs_.copy(), f.log_likelihood_
    # pick an update that ends in the other regime, so probabilities must move
    other = 1 - int(np.argmax(probs_before.to_numpy()))
    end = 300 + next(
        i
        for i in range(1, 200)
        if f.filter_states(regime_series.iloc[: 300 + i]).iloc[-1, other] > 0.9
    )
    f.update(regime_series.iloc[300:end])  # update_params=True, refit_on_update=False
    assert f.cutoff[0] == end - 1
    assert f.model_ is model
    np.testing.assert_array_equal(f.transmat_, transmat)
    assert f.log_likelihood_ == ll
    assert not np.allclose(f.state_probs_, probs_before)
    # incremental filtering equals filtering the whole history
    full = f.filter_states(regime_series.iloc[:end]).iloc[-1].to_numpy()
    np.testing.assert_allclose(f.state_probs_.to_numpy(), full, atol=1e-12)
    assert len(f.filter_states()) == end


def test_update_refits_when_asked(regime_series):
    f = HMMForecaster(transform="level", refit_on_update=True, random_state=0)
    f.fit(regime_series.iloc[:300])
    transmat = f.transmat_.copy()
    f.update(regime_series.iloc[300:600], update_params=False)
    np.testing.assert_array_equal(f.transmat_, transmat)
    f.update(regime_series.iloc[600:900], update_params=True)
    assert not np.array_equal(f.transmat_, transmat)
    assert f.cutoff[0] == 899 and len(f.filter_states()) == 900


# --- warnings and bad input -------------------------------------------------------


def test_non_convergence_warns_but_predicts(regime_series):
    f = HMMForecaster(n_iter=1, n_init=1, transform="level", random_state=0)
    with pytest.warns(HMMConvergenceWarning, match="did not converge"):
        f.fit(regime_series.iloc[:200])
    assert np.isfinite(f.predict(fh=[1, 2]).to_numpy()).all()


def test_degenerate_state_full_covariance_does_not_crash():
    rng = np.random.default_rng(5)
    y = pd.DataFrame(rng.normal(size=(30, 2)), columns=["a", "b"])
    y.iloc[10] = [50.0, -50.0]  # a regime with a single point
    f = HMMForecaster(
        n_states=3, covariance_type="full", transform="level", random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HMMConvergenceWarning)
        f.fit(y)
    assert np.all(np.linalg.eigvalsh(f.covars_) > 0)
    # variance floor (standardised units) holds for every state
    assert np.linalg.eigvalsh(f.model_.covars_).min() >= 1e-3 * (1 - 1e-9)
    assert np.isfinite(f.predict_interval(fh=[1, 2]).to_numpy()).all()


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"covariance_type": "banana"}, ValueError, "`covariance_type` must be one of"),
        ({"transform": "log"}, ValueError, "`transform` must be one of .* got 'log'"),
        ({"n_states": 0}, ValueError, "`n_states` must be an int >= 1, got 0"),
        ({"n_states": "two"}, ValueError, "`n_states` must be an int >= 1 or 'auto'"),
        ({"n_states": 2.0}, TypeError, "`n_states` must be an int >= 1, got 2.0"),
        (
            {"n_states": "auto", "n_states_range": (3, 1)},
            ValueError,
            r"`n_states_range\[1\]` must be an int >= 3, got 1",
        ),
        ({"n_iter": 0}, ValueError, "`n_iter` must be an int >= 1, got 0"),
        ({"tol": -1.0}, ValueError, "`tol` must be a float in"),
        ({"random_state": -1}, ValueError, "`random_state` must be an int >= 0"),
        ({"refit_on_update": "yes"}, TypeError, "`refit_on_update` must be a bool"),
    ],
)
def test_bad_parameters(seasonal_series, params, error, match):
    with pytest.raises(error, match=match):
        HMMForecaster(**params).fit(seasonal_series)


def test_bad_data_and_caller_data_untouched(seasonal_series):
    y_neg = seasonal_series - 20
    for y, error, match, kwargs in [
        (
            seasonal_series.iloc[:4],
            ValueError,
            r"too short: 4 point\(s\) leave 3 .* need at least 4",
            {"n_states": 2},
        ),
        (
            seasonal_series.iloc[:6],
            ValueError,
            r"leave 5 .* 4 state\(s\) need at least 8",
            {"n_states": "auto"},
        ),
        (
            y_neg,
            ValueError,
            "strictly positive when transform='log_diff'",
            {"transform": "log_diff"},
        ),
        (seasonal_series.where(seasonal_series > 10), ValueError, "missing data", {}),
        (pd.Series(["a"] * 30), TypeError, "categorical|numeric", {}),
    ]:
        copy = y.copy()
        with pytest.raises(error, match=match):
            HMMForecaster(**kwargs).fit(y)
        pd.testing.assert_series_equal(y, copy)

    f = HMMForecaster(random_state=0).fit(seasonal_series)
    bad = seasonal_series.copy()
    bad.iloc[5] = np.nan
    copy = bad.copy()
    with pytest.raises(ValueError, match="`y` must not contain NaN, found 1"):
        f.filter_states(bad)
    pd.testing.assert_series_equal(bad, copy)
    with pytest.raises(TypeError, match="numeric columns only"):
        f.filter_states(pd.Series(["x"] * 10))
    with pytest.raises(ValueError, match=r"missing \['y'\], unexpected \['a', 'b'\]"):
        f.filter_states(pd.DataFrame({"a": seasonal_series, "b": seasonal_series}))


def test_fit_does_not_modify_caller_frame(multivariate_frame):
    copy = multivariate_frame.copy()
    f = HMMForecaster(n_samples=100, random_state=0).fit(multivariate_frame)
    f.update(multivariate_frame.iloc[-5:] * 1.01)
    f.predict_interval(fh=[1, 2])
    pd.testing.assert_frame_equal(multivariate_frame, copy)


# --- properties -------------------------------------------------------------------


@settings(max_examples=10, deadline=None)
@given(
    values=st.lists(
        st.floats(-1e3, 1e3, allow_nan=False, allow_subnormal=False),
        min_size=30,
        max_size=80,
    ),
    n_states=st.sampled_from([1, 2]),
    transform=st.sampled_from(["diff", "level"]),
)
def test_predictions_finite_and_indexed(values, n_states, transform):
    y = pd.Series(values, index=pd.date_range("2020-01-01", periods=len(values)))
    f = HMMForecaster(
        n_states=n_states,
        transform=transform,
        n_iter=20,
        n_init=1,
        n_samples=200,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HMMConvergenceWarning)
        f.fit(y)
    fh = [1, 2, 4]
    expected = pd.date_range(y.index[-1], periods=5)[fh]
    y_pred = f.predict(fh=fh)
    interval = f.predict_interval(fh=fh, coverage=0.8)
    assert np.isfinite(y_pred.to_numpy()).all()
    assert np.isfinite(interval.to_numpy()).all()
    assert y_pred.index.equals(expected) and interval.index.equals(expected)
    assert (interval.iloc[:, 0] <= interval.iloc[:, 1]).all()


# --- update: columns by name, revisions, regular index ----------------------------


def _continued(n_fit=100, n=120, **kwargs):
    """Seasonal series split into a fit part and the continuation."""
    from sktime_attention.synthetic import make_seasonal

    y = make_seasonal(n=n, **kwargs)
    return y.iloc[:n_fit], y.iloc[n_fit:]


@pytest.mark.parametrize(
    "fit_name, update_name", [("y", None), ("y", "z"), (None, "y")]
)
def test_update_univariate_under_another_name(fit_name, update_name):
    y_fit, y_new = _continued()
    reference = HMMForecaster(random_state=0).fit(y_fit.rename(fit_name))
    reference.update(y_new.rename(fit_name), update_params=False)
    f = HMMForecaster(random_state=0).fit(y_fit.rename(fit_name))
    f.update(y_new.rename(update_name), update_params=False)  # single column
    pd.testing.assert_series_equal(
        f.predict(fh=[1, 2, 3]), reference.predict([1, 2, 3])
    )
    pd.testing.assert_frame_equal(
        f.predict_interval(fh=[1, 3]), reference.predict_interval(fh=[1, 3])
    )
    assert list(f.filter_states().index) == list(reference.filter_states().index)


def test_update_multivariate_columns_matched_by_name(multivariate_frame):
    y_fit, y_new = multivariate_frame.iloc[:100], multivariate_frame.iloc[100:]
    params = {"n_samples": 200, "random_state": 0}
    reference = HMMForecaster(**params).fit(y_fit)
    reference.update(y_new, update_params=False)
    f = HMMForecaster(**params).fit(y_fit)
    f.update(y_new[["b", "a"]], update_params=False)
    pd.testing.assert_frame_equal(f.predict(fh=[1, 2]), reference.predict(fh=[1, 2]))
    pd.testing.assert_frame_equal(
        f.predict_quantiles(fh=[1, 2], alpha=[0.1, 0.9]),
        reference.predict_quantiles(fh=[1, 2], alpha=[0.1, 0.9]),
    )


@pytest.mark.parametrize(
    "columns, match",
    [
        (["a"], r"missing \['b'\], unexpected \[\]"),
        (["a", "b", "c"], r"missing \[\], unexpected \['c'\]"),
        (["a", "B"], r"missing \['b'\], unexpected \['B'\]"),
    ],
)
def test_update_bad_columns_raise_and_leave_state(multivariate_frame, columns, match):
    y_fit, y_new = multivariate_frame.iloc[:100], multivariate_frame.iloc[100:]
    f = HMMForecaster(n_samples=200, random_state=0).fit(y_fit)
    before, cutoff = f.predict(fh=[1, 2]), f.cutoff
    bad = y_new.assign(c=1.0).iloc[:, : len(columns)].set_axis(columns, axis=1)
    with pytest.raises(ValueError, match=match):
        f.update(bad, update_params=False)
    assert f.cutoff.equals(cutoff)
    pd.testing.assert_frame_equal(f.predict(fh=[1, 2]), before)


def test_update_revising_seen_points_refilters_from_the_revised_series():
    y_fit, y_new = _continued(n_fit=100, n=110)
    revised = pd.concat([y_fit.iloc[90:] + 3.0, y_new])  # revises 90..99, adds 10
    f = HMMForecaster(transform="level", random_state=0).fit(y_fit)
    f.update(revised, update_params=False)
    full = pd.concat([y_fit.iloc[:90], revised])
    assert f.cutoff.equals(full.index[-1:])
    expected = f.filter_states(full).iloc[-1].to_numpy()
    np.testing.assert_allclose(f.state_probs_.to_numpy(), expected, atol=1e-12)
    pd.testing.assert_frame_equal(f.filter_states(), f.filter_states(full))


def test_update_revising_past_points_only_keeps_the_cutoff():
    y_fit, _ = _continued(n_fit=100, n=110)
    f = HMMForecaster(random_state=0).fit(y_fit)
    cutoff, index = f.cutoff, f.predict(fh=[1, 2]).index
    revised = y_fit.iloc[95:98] * 2.0  # earlier points only; cutoff is point 99
    f.update(revised, update_params=False)
    assert f.cutoff.equals(cutoff)
    assert f.predict(fh=[1, 2]).index.equals(index)
    full = y_fit.copy()
    full.iloc[95:98] = revised
    np.testing.assert_allclose(
        f.state_probs_.to_numpy(), f.filter_states(full).iloc[-1].to_numpy()
    )
    # revising the last point moves the diff forecast by the same amount
    g = HMMForecaster(random_state=0).fit(y_fit)
    base = g.predict(fh=[1, 2])
    g.update(y_fit.iloc[-1:] + 1.0, update_params=False)
    moved = g.predict(fh=[1, 2])
    refit = HMMForecaster(random_state=0).fit(y_fit)
    refit.update(y_fit.iloc[-1:] + 1.0, update_params=False)
    pd.testing.assert_series_equal(moved, refit.predict(fh=[1, 2]))
    assert not np.allclose(moved.to_numpy(), base.to_numpy())


def test_irregular_index_rejected_in_fit_and_update():
    y_fit, y_new = _continued()
    dates = pd.date_range("2000-01-01", periods=len(y_fit), freq="D")
    irregular = y_fit.set_axis(
        dates.delete([10, 11, 40]).append(dates[-3:] + 5 * dates.freq)
    )
    with pytest.raises(ValueError, match="regular time index"):
        HMMForecaster(random_state=0).fit(irregular)
    with pytest.raises(ValueError, match="evenly spaced"):
        HMMForecaster(random_state=0).fit(y_fit.drop(y_fit.index[50]))
    f = HMMForecaster(random_state=0).fit(y_fit)
    before, cutoff = f.predict(fh=[1, 2]), f.cutoff
    with pytest.raises(ValueError, match="evenly spaced"):
        f.update(y_new.iloc[3:], update_params=False)  # a gap after the cutoff
    assert f.cutoff.equals(cutoff)
    pd.testing.assert_series_equal(f.predict(fh=[1, 2]), before)


# --- magnitudes and degenerate series ---------------------------------------------


def _widths(interval):
    values = interval.to_numpy()
    return values[:, 1::2] - values[:, 0::2]


@pytest.mark.parametrize("transform", ["diff", "level", "log_diff"])
@pytest.mark.parametrize("c", [1e-12, 1e200])
def test_forecasts_scale_with_the_data(seasonal_series, transform, c):
    params = {"transform": transform, "n_samples": 500, "random_state": 0}
    fh = [1, 2, 6, 12]
    base = HMMForecaster(**params).fit(seasonal_series)
    scaled = HMMForecaster(**params).fit(seasonal_series * c)
    np.testing.assert_allclose(
        scaled.predict(fh=fh).to_numpy() / c, base.predict(fh=fh).to_numpy(), rtol=1e-7
    )
    interval = scaled.predict_interval(fh=fh, coverage=[0.8, 0.95])
    np.testing.assert_allclose(
        _widths(interval) / c,
        _widths(base.predict_interval(fh=fh, coverage=[0.8, 0.95])),
        rtol=1e-6,
    )
    var = scaled.predict_var(fh=fh).to_numpy()
    if c < 1e100:  # c**2 * var is beyond the float range for c = 1e200
        np.testing.assert_allclose(var / c**2, base.predict_var(fh=fh), rtol=1e-6)
    else:
        assert (var > 0).all()


@pytest.mark.parametrize("transform", ["diff", "level", "log_diff"])
@pytest.mark.parametrize("shape", ["constant", "trend"])
def test_magnitude_sweep(transform, shape):
    t = np.arange(60)
    rng = np.random.default_rng(0)
    unit = np.full(60, 3.5) if shape == "constant" else 2 + 0.05 * t
    if shape == "trend":
        unit = unit + 0.01 * rng.standard_normal(60)
    fh = [1, 5, 20]
    results = {}
    for c in [1.0, 1e-12, 1e-6, 1e6, 1e12, 1e100, 1e200]:
        y = pd.Series(unit * c, index=pd.period_range("2000-01", periods=60, freq="M"))
        f = HMMForecaster(transform=transform, n_samples=300, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HMMConvergenceWarning)
            f.fit(y)
        pred = f.predict(fh=fh).to_numpy().ravel()
        interval = f.predict_interval(fh=fh, coverage=0.9).to_numpy()
        assert np.isfinite(pred).all() and np.isfinite(interval).all(), c
        assert (interval[:, 0] <= pred).all() and (pred <= interval[:, 1]).all(), c
        results[c] = pred / c, interval / c
        np.testing.assert_allclose(results[c][0], results[1.0][0], rtol=1e-7)
        np.testing.assert_allclose(results[c][1], results[1.0][1], rtol=1e-7)
    pred, interval = results[1.0]
    if shape == "constant":
        np.testing.assert_allclose(pred, 3.5, rtol=1e-9)
        np.testing.assert_allclose(interval, 3.5, rtol=1e-9)
    elif transform == "diff":  # continues the linear trend to within its noise
        np.testing.assert_allclose(pred, 2 + 0.05 * (59 + np.array(fh)), rtol=0.05)
        assert (interval[:, 1] - interval[:, 0] < 1.0).all()


@pytest.mark.parametrize("seed", range(6))
def test_log_diff_flat_and_exact_growth_continue_deterministically(seed):
    index = pd.RangeIndex(40)
    fh = [1, 2, 10, 100]
    steps = np.array(fh)
    for y, expected in [
        (pd.Series(np.full(40, 3.5), index=index), np.full(4, 3.5)),
        (
            pd.Series(2.0 * 1.01 ** np.arange(40), index=index),
            2.0 * 1.01 ** (39 + steps),
        ),
    ]:
        f = HMMForecaster(transform="log_diff", random_state=seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HMMConvergenceWarning)
            f.fit(y)
        np.testing.assert_allclose(f.predict(fh=fh).to_numpy(), expected, rtol=1e-10)
        sd = np.sqrt(f.predict_var(fh=fh).to_numpy()[:, 0])
        assert (sd <= 1e-6 * expected).all(), sd
        interval = f.predict_interval(fh=fh, coverage=0.95).to_numpy()
        np.testing.assert_allclose(interval, expected[:, None].repeat(2, 1), rtol=1e-9)


@pytest.mark.parametrize("n_states", [2, 3, 4])
def test_empty_states_get_the_pooled_variance(n_states):
    # on a flat series EM leaves all but one state empty, and hmmlearn's "diag"
    # M-step divides the covariance prior by their ~0 occupancy: variance ~1e3
    y = pd.Series(np.full(40, 3.5))
    f = HMMForecaster(n_states=n_states, transform="level", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", HMMConvergenceWarning)
        f.fit(y)
    u = (y.to_numpy()[:, None] - f.shift_) / f.scale_
    occupancy = f.model_.predict_proba(u).sum(axis=0)
    assert (occupancy < 1).sum() == n_states - 1  # the set-up: empty states
    std_var = f.model_.covars_[:, 0, 0]
    np.testing.assert_allclose(std_var, std_var[occupancy >= 1][0])
    sd = np.sqrt(f.predict_var(fh=[1, 10]).to_numpy())
    assert (sd <= 1e-9 * 3.5).all(), sd


@pytest.mark.parametrize("transform", ["diff", "level", "log_diff"])
def test_predict_var_finite_at_long_horizons(airline, transform):
    f = HMMForecaster(transform=transform, random_state=0).fit(airline)
    var = f.predict_var(fh=range(1, 501)).to_numpy()[:, 0]
    assert np.isfinite(var).all() and (var > 0).all()
    if transform != "level":  # a sum of more and more steps: spreads out
        assert (np.diff(var) >= -1e-9 * var[1:]).all()
    mean = f.predict(fh=range(1, 501)).to_numpy()
    assert np.isfinite(mean).all()


def test_log_diff_variance_finite_for_volatile_series():
    # log returns with sd 0.85 on a tiny level: E[exp(2S)] alone passes the float
    # range by step ~420, while the variance, about last^2 exp(2 h v), stays in it
    rng = np.random.default_rng(0)
    steps = rng.normal(0, 0.85, 300)
    y = pd.Series(1e-100 * np.exp(np.cumsum(steps - steps.mean())))
    f = HMMForecaster(n_states=1, transform="log_diff", calibrate=False, random_state=0)
    var = f.fit(y).predict_var(fh=range(1, 501)).to_numpy()[:, 0]
    mean = f.predict(fh=range(1, 501)).to_numpy().ravel()
    assert np.isfinite(var).all() and np.isfinite(mean).all()
    v, m = f.covars_[0, 0, 0], f.means_[0, 0]
    h = np.arange(1, 501)
    expected = 2 * np.log(y.iloc[-1]) + h * (2 * m + v) + np.log(np.expm1(h * v))
    np.testing.assert_allclose(np.log(var), expected, rtol=1e-9)
