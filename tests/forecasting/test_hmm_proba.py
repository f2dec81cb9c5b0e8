"""HMMForecaster.predict_proba: its own regime mixture as an skpro distribution.

Known answers: state-path enumeration for the occupation counts, a one-state
model's Gaussian quantiles, a hand-computed two-component mixture; agreement
with ``predict``, ``predict_var`` and ``predict_quantiles``; panels and
multivariate ``y``; skpro's own distribution checks (slow).
"""

import itertools
import warnings
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from scipy.integrate import simpson
from scipy.stats import lognorm, norm

pytest.importorskip("skpro")

from sktime_attention import HMMForecaster  # noqa: E402
from sktime_attention.forecasting import _hmm_proba  # noqa: E402
from sktime_attention.forecasting._hmm_mixture import RegimeMixture  # noqa: E402
from sktime_attention.forecasting._hmm_proba import (  # noqa: E402
    occupation_mixture,
    sampled_occupation,
)

FH = [1, 2, 5, 12]
ALPHA = [0.025, 0.1, 0.5, 0.9, 0.975]


def _fit(y, **params):
    params = {"n_states": 2, "random_state": 0, "n_init": 1, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # EM convergence on tiny series
        return HMMForecaster(**params).fit(y)


@pytest.fixture(scope="module")
def fitted():
    from sktime.datasets import load_airline

    y = load_airline()
    return {
        transform: _fit(y, transform=transform, n_states=3)
        for transform in ("level", "diff", "log_diff")
    }


# --- occupation counts ------------------------------------------------------------


def _enumerate_counts(transmat, p, h):
    """P(visit counts) at step h by summing over all K^h state paths."""
    probs = {}
    for path in itertools.product(range(len(p)), repeat=h):
        w = p @ transmat[:, path[0]]
        for a, b in itertools.pairwise(path):
            w *= transmat[a, b]
        key = tuple(np.bincount(path, minlength=len(p)))
        probs[key] = probs.get(key, 0.0) + w
    return probs


def test_occupation_counts_match_path_enumeration():
    rng = np.random.default_rng(0)
    transmat = rng.dirichlet(np.ones(3), size=3)
    p = rng.dirichlet(np.ones(3))
    steps = np.array([1, 3, 6])
    counts, weights = occupation_mixture(transmat, p, steps)
    for row, h in enumerate(steps):
        expected = _enumerate_counts(transmat, p, h)
        got = {
            tuple(c.astype(int)): w for c, w in zip(counts[row], weights[row]) if w > 0
        }
        assert got.keys() == expected.keys()
        for key, w in expected.items():
            assert got[key] == pytest.approx(w, rel=1e-12)


def test_occupation_beyond_the_cap_is_none_and_sampled_counts_sum_to_one():
    transmat = np.full((3, 3), 1 / 3)
    p = np.full(3, 1 / 3)
    steps = np.array([10, 200])  # C(202, 2) = 20301 counts > MAX_COMPONENTS
    assert occupation_mixture(transmat, p, steps) is None
    counts, weights = sampled_occupation(
        np.random.default_rng(0), transmat, p, steps, 500
    )
    np.testing.assert_allclose(weights.sum(1), 1.0)
    live = weights > 0
    assert set(counts[0][live[0]].sum(1)) == {10}
    assert set(counts[1][live[1]].sum(1)) == {200}


# --- agreement with predict / predict_var / predict_quantiles ---------------------


@pytest.mark.parametrize("transform", ["level", "diff", "log_diff"])
def test_mean_and_var_equal_predict_and_predict_var(fitted, transform):
    f = fitted[transform]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "requires skpro" or numeric warning
        dist = f.predict_proba(fh=FH)
    assert isinstance(dist, RegimeMixture)
    pd.testing.assert_frame_equal(dist.mean(), f.predict(fh=FH).to_frame(), rtol=1e-12)
    pd.testing.assert_frame_equal(dist.var(), f.predict_var(fh=FH), rtol=1e-10)


def test_level_ppf_equals_predict_quantiles(fitted):
    f = fitted["level"]
    assert not np.allclose(f.calibration_.to_numpy(), 1.0)  # calibration applied
    dist = f.predict_proba(fh=FH)
    expected = f.predict_quantiles(fh=FH, alpha=ALPHA)
    sd = np.sqrt(f.predict_var(fh=FH).to_numpy())
    np.testing.assert_allclose(
        dist.quantile(ALPHA).to_numpy() / sd, expected.to_numpy() / sd, atol=1e-9
    )


@pytest.mark.parametrize("transform", ["diff", "log_diff"])
def test_ppf_matches_monte_carlo_quantiles(airline, transform):
    f = _fit(airline, transform=transform, n_samples=20000)
    dist = f.predict_proba(fh=FH)
    mc = f.predict_quantiles(fh=FH, alpha=ALPHA).to_numpy()
    sd = np.sqrt(f.predict_var(fh=FH).to_numpy())
    # 20000 paths: standard error of these quantiles below 0.03 sd
    np.testing.assert_allclose(dist.quantile(ALPHA).to_numpy() / sd, mc / sd, atol=0.1)


def test_one_state_diff_is_the_calibrated_gaussian(airline):
    f = _fit(airline, transform="diff", n_states=1)
    dist = f.predict_proba(fh=FH)
    mean, sd = f.predict(fh=FH).to_numpy(), np.sqrt(f.predict_var(fh=FH).to_numpy())
    for a in ALPHA:
        expected = mean + sd[:, 0] * norm.ppf(a)
        np.testing.assert_allclose(dist.ppf(a).to_numpy()[:, 0], expected, rtol=1e-12)


@pytest.mark.parametrize("transform", ["level", "diff", "log_diff"])
def test_cdf_inverts_ppf_and_pdf_integrates_to_one(fitted, transform):
    dist = fitted[transform].predict_proba(fh=FH)
    for p in (1e-4, 0.2, 0.5, 0.8, 0.9999):
        np.testing.assert_allclose(dist.cdf(dist.ppf(p)).to_numpy(), p, atol=1e-10)
    low, high = dist.ppf(1e-9).to_numpy(), dist.ppf(1 - 1e-9).to_numpy()
    grid = np.linspace(0, 1, 1001)[:, None, None]
    x = low + grid * (high - low)  # (G, N, 1)
    density = np.stack([dist.pdf(xi).to_numpy() for xi in x])
    mass = simpson(density, x=x, axis=0)
    np.testing.assert_allclose(mass, 1.0, atol=1e-6)
    np.testing.assert_allclose(dist.log_pdf(x[500]).to_numpy(), np.log(density[500]))


def test_long_horizon_falls_back_to_sampled_counts(fitted):
    f = fitted["diff"]  # 3 states: exact up to 89 steps
    fh = [1, 50, 120]
    dist = f.predict_proba(fh=fh)
    mean, var = f.predict(fh=fh).to_numpy(), f.predict_var(fh=fh).to_numpy()
    np.testing.assert_allclose(dist.weights.sum(1), 1.0)
    assert dist.weights.shape[1] <= f.n_samples  # counts of the sampled paths
    sd = np.sqrt(var[:, 0])
    np.testing.assert_allclose(dist.mean().to_numpy()[:, 0] / sd, mean / sd, atol=0.15)
    assert np.all(np.abs(dist.var().to_numpy()[:, 0] / var[:, 0] - 1) < 0.3)


@pytest.mark.parametrize("transform", ["level", "diff", "log_diff"])
def test_constant_series_is_a_point_mass_at_the_constant(transform):
    y = pd.Series(5.0, index=pd.period_range("2000-01", periods=40, freq="M"))
    dist = _fit(y, transform=transform).predict_proba(fh=FH)
    for p in (0.01, 0.5, 0.99):
        np.testing.assert_allclose(dist.ppf(p).to_numpy(), 5.0, rtol=1e-12)
    np.testing.assert_allclose(dist.var().to_numpy(), 0.0, atol=1e-20)


def test_scales_with_the_data_and_overflows_to_inf_not_nan(airline):
    base = _fit(airline, transform="diff").predict_proba(fh=FH)
    big = _fit(airline * 1e200, transform="diff").predict_proba(fh=FH)
    np.testing.assert_allclose(
        big.ppf(0.9).to_numpy(), 1e200 * base.ppf(0.9).to_numpy(), rtol=1e-10
    )
    assert np.isposinf(big.var().to_numpy()).all()  # variance ~1e400


# --- shapes: multivariate, panels; skpro fallback --------------------------------


def test_multivariate_columns_are_marginals(multivariate_frame):
    f = _fit(multivariate_frame, covariance_type="full", calibrate=False)
    dist = f.predict_proba(fh=FH)
    assert list(dist.columns) == ["a", "b"] and dist.shape == (len(FH), 2)
    pd.testing.assert_frame_equal(dist.var(), f.predict_var(fh=FH), rtol=1e-10)
    # column b alone: the marginal of b
    alone = dist.loc[:, ["b"]]
    np.testing.assert_allclose(alone.ppf(0.9).to_numpy()[:, 0], dist.ppf(0.9)["b"])


def test_panel_rows_are_each_series_own_mixture(seasonal_series):
    second = pd.Series(
        np.random.default_rng(1).normal(size=len(seasonal_series)).cumsum(),
        index=seasonal_series.index,
    )
    panel = pd.concat({"s0": seasonal_series, "s1": second}).to_frame("y")
    f = _fit(panel)
    dist = f.predict_proba(fh=FH)
    pd.testing.assert_index_equal(dist.index, f.predict(fh=FH).index)
    pd.testing.assert_frame_equal(dist.mean(), f.predict(fh=FH), rtol=1e-12)
    single = _fit(second.to_frame("y")).predict_proba(fh=FH)
    np.testing.assert_allclose(
        dist.loc["s1"].ppf(0.9).to_numpy(), single.ppf(0.9).to_numpy(), rtol=1e-12
    )


def test_without_skpro_falls_back_to_sktime_normal_with_a_warning(seasonal_series):
    f = _fit(seasonal_series)
    with mock.patch.object(_hmm_proba, "_has_skpro", return_value=False):
        with pytest.warns(UserWarning, match="skpro is not installed"):
            dist = f.predict_proba(fh=FH)
    assert type(dist).__name__ == "Normal"
    np.testing.assert_allclose(dist.mean().to_numpy()[:, 0], f.predict(fh=FH))


# --- the distribution class -------------------------------------------------------


def test_regime_mixture_known_answers():
    weights, mu, sigma = [0.25, 0.75], [0.0, 2.0], [1.0, 0.5]
    d = RegimeMixture(weights, mu, sigma, shift=1.0, scale=3.0)  # scalar
    x = 4.0  # y = (x - 1) / 3 = 1
    cdf = 0.25 * norm.cdf(1, 0, 1) + 0.75 * norm.cdf(1, 2, 0.5)
    assert d.cdf(x) == pytest.approx(cdf, rel=1e-14)
    pdf = (0.25 * norm.pdf(1, 0, 1) + 0.75 * norm.pdf(1, 2, 0.5)) / 3
    assert d.pdf(x) == pytest.approx(pdf, rel=1e-14)
    assert d.mean() == pytest.approx(1 + 3 * 1.5, rel=1e-14)
    var = 9 * (0.25 * (1 + 1.5**2) + 0.75 * (0.25 + 0.5**2))
    assert d.var() == pytest.approx(var, rel=1e-14)
    logd = RegimeMixture(weights, mu, sigma, log=True, shift=-1.0, scale=2.0)
    dists = [lognorm(s, scale=np.exp(m)) for m, s in zip(mu, sigma)]
    assert logd.mean() == pytest.approx(
        -1 + 2 * sum(w * dd.mean() for w, dd in zip(weights, dists)), rel=1e-13
    )
    second = sum(w * (dd.var() + dd.mean() ** 2) for w, dd in zip(weights, dists))
    first = sum(w * dd.mean() for w, dd in zip(weights, dists))
    assert logd.var() == pytest.approx(4 * (second - first**2), rel=1e-12)
    assert logd.cdf(-1.0) == 0.0 and logd.pdf(-2.0) == 0.0
    assert logd.cdf(logd.ppf(0.3)) == pytest.approx(0.3, abs=1e-12)


def test_regime_mixture_sample_moments():
    weights = np.array([[0.5, 0.5], [0.9, 0.1]])
    mu = np.array([[-2.0, 2.0], [0.0, 10.0]])[:, :, None]
    d = RegimeMixture(weights, mu, np.ones_like(mu), index=["a", "b"])
    np.random.seed(0)  # noqa: NPY002 - skpro samples from numpy's global state
    spl = d.sample(20000)
    assert spl.index.nlevels == 2 and list(spl.columns) == [0]
    means = spl.groupby(level=1).mean().loc[["a", "b"]].to_numpy()
    np.testing.assert_allclose(means, d.mean().to_numpy(), atol=0.1)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"weights": [[-1.0, 2.0]]}, "`weights` must be finite, >= 0"),
        ({"sigma": [[1.0, -1.0]]}, "`sigma` must be >= 0"),
        ({"scale": 0.0}, "`scale` must be > 0"),
        ({"weights": [[1.0, 1.0, 1.0]]}, r"`weights` must have shape"),
    ],
)
def test_regime_mixture_rejects_bad_parameters(kwargs, match):
    params = {"weights": [[0.5, 0.5]], "mu": [[0.0, 1.0]], "sigma": [[1.0, 1.0]]}
    with pytest.raises(ValueError, match=match):
        RegimeMixture(**{**params, **kwargs})


@pytest.mark.slow
def test_regime_mixture_passes_skpro_checks():
    from skpro.utils.estimator_checks import check_estimator

    results = check_estimator(RegimeMixture, raise_exceptions=False, verbose=False)
    failed = {k: v for k, v in results.items() if v != "PASSED"}
    assert results and not failed, failed
