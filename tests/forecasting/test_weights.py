"""Known answers for the simplex weight solver of the hybrid."""

import numpy as np
import pandas as pd
import pytest

from sktime_attention.forecasting import simplex_weights
from sktime_attention.forecasting._series_weights import (
    apply_series_model,
    series_weight_model,
)
from sktime_attention.forecasting._weights import pooled_weights


def test_optimal_solver_known_answers():
    rng = np.random.default_rng(0)
    a = rng.standard_normal(50)
    # errors a and -a/2: the blend 1/3 a - 2/3 a/2 = 0 is exact
    np.testing.assert_allclose(
        simplex_weights(np.stack([a, -a / 2]), "optimal", "mse"), [1 / 3, 2 / 3]
    )
    np.testing.assert_allclose(
        simplex_weights(np.stack([a, -2 * a]), "optimal", "mae"), [2 / 3, 1 / 3]
    )
    # a uniformly worse member gets nothing; identical members share equally
    np.testing.assert_allclose(
        simplex_weights(np.stack([a, 3 * a]), "optimal", "mse"), [1, 0], atol=1e-8
    )
    np.testing.assert_allclose(simplex_weights(np.stack([a, a]), "optimal", "mse"), 0.5)
    np.testing.assert_allclose(
        simplex_weights(np.stack([a, 2 * a]), "inverse_error", "mse"), [0.8, 0.2]
    )
    # exact members share the weight; no division by zero
    z = np.zeros(50)
    np.testing.assert_allclose(
        simplex_weights(np.stack([z, a, z]), "inverse_error", "mae"), [0.5, 0, 0.5]
    )


def test_solver_is_scale_free():
    rng = np.random.default_rng(1)
    errors = rng.standard_normal((3, 40)) * np.array([[1.0], [0.7], [1.3]])
    for method in ["optimal", "inverse_error"]:
        for metric in ["mse", "mae"]:
            reference = simplex_weights(errors, method, metric)
            for c in [1e-6, 1e100, 1e200]:  # not below: RMSE <= 1e-9 is exact
                np.testing.assert_allclose(
                    simplex_weights(c * errors, method, metric), reference, atol=1e-8
                )


def _one_series(resid):
    """Residuals (N,) or (N, C) as one series, (1, N, C)."""
    resid = np.asarray(resid, dtype=float)
    return (resid if resid.ndim == 2 else resid[:, None])[None]


def test_fold_ids_open_a_fold_where_the_step_does_not_rise():
    from sktime_attention.forecasting._intervals import fold_ids

    steps = [1, 2, 3, 1, 2, 3, 2, 3, 3]
    np.testing.assert_array_equal(fold_ids(steps), [0, 0, 0, 1, 1, 1, 2, 2, 3])


def test_residual_widths_split_conformal_known_answers():
    from scipy.stats import t

    from sktime_attention.forecasting._intervals import residual_widths

    resid = _one_series(np.arange(1.0, 20.0))  # 19 folds of one step, 1 column
    steps, folds = np.ones(19), np.arange(19)
    widths = residual_widths(
        resid, steps, folds, np.array([0, 0.5, 0.9, 0.95, 0.99]), [False]
    )
    # ceil(20 c)-th smallest: 10th, 18th, 19th; 0.99 needs 20 > 19 residuals:
    # Student's t on the 19 independent ones (one per fold) times their rms
    gauss = t.ppf(0.995, df=19) * np.sqrt(np.mean(np.arange(1.0, 20.0) ** 2))
    np.testing.assert_allclose(widths[0, :, 0], [0, 10, 18, 19, gauss])
    # non-decreasing over the steps only where asked (column 0, not 1): the
    # dip at step 2 is pooled with step 1 (3 residuals each) to their mean
    resid = _one_series([[1.0, 1.0], [0.5, 0.5]] * 3)
    widths = residual_widths(
        resid, np.tile([1, 2], 3), np.repeat([0, 1, 2], 2), [0.5], [True, False]
    )
    np.testing.assert_allclose(widths[:, 0], [[0.75, 1.0], [0.75, 0.5]])


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e200])
def test_residual_widths_pooled_over_steps_known_answers(scale):
    from scipy.stats import t

    from sktime_attention.forecasting._intervals import residual_widths

    # 3 folds (too few for 90%) at steps 1 and 4, residuals pooled after dividing
    # by sigma_h = sigma_1 h^b; mean squares 1 and 4 give b = 1/2, and the scores
    # are equal within each fold: perfectly correlated, they count 3 (the folds)
    steps, folds = np.tile([1, 4], 3), np.repeat([0, 1, 2], 2)
    rising = _one_series([1.0, 2.0] * 3) * scale
    widths = residual_widths(rising, steps, folds, np.array([0.9]), [False])
    q = t.ppf(0.95, df=3)
    np.testing.assert_allclose(widths[:, 0, 0], np.array([q, 2 * q]) * scale)
    # falling mean squares: b is clipped at 0, equal widths from the pooled rms;
    # scores 2, 1 in each fold: correlation 2 * 2 / 2.5 = 0.8, n_eff = 6 / 1.8
    falling = _one_series([2.0, 1.0] * 3) * scale
    widths = residual_widths(falling, steps, folds, np.array([0.9]), [False])
    expected = t.ppf(0.95, df=6 / 1.8) * np.sqrt(2.5) * scale
    np.testing.assert_allclose(widths[:, 0, 0], [expected, expected])


def test_effective_count_from_within_fold_correlation():
    from sktime_attention.forecasting._intervals import effective_count

    rng = np.random.default_rng(0)
    folds = np.repeat(np.arange(3), 6)  # 3 folds x 6 steps, 200 series, 2 columns
    iid = rng.standard_normal((200, 18, 2))
    n_eff, rho = effective_count(iid, folds)
    assert (rho < 0.05).all() and (n_eff > 0.75 * 3600).all()
    # a fold's shared shock plus independent noise of equal variance: rho = 1/2,
    # n_eff = n / (1 + 5 / 2)
    shared = np.repeat(rng.standard_normal((200, 3, 1)), 6, axis=1)
    n_eff, rho = effective_count(shared + rng.standard_normal((200, 18, 1)), folds)
    np.testing.assert_allclose(rho, 0.5, atol=0.05)
    np.testing.assert_allclose(n_eff, 3600 / (1 + 5 * rho))
    # equal within folds, whatever the sign: the folds x series count
    n_eff, rho = effective_count(shared, folds)
    np.testing.assert_allclose([n_eff[0], rho[0]], [600, 1])
    # uneven folds: m = sum(g^2) / n
    n_eff, _ = effective_count(np.ones((1, 5, 1)), np.array([0, 0, 0, 1, 1]))
    np.testing.assert_allclose(n_eff, 5 / (1 + (13 / 5 - 1)))


def test_pooled_widths_of_gaussian_scores_near_the_normal_quantile():
    from scipy.stats import norm

    from sktime_attention.forecasting._intervals import residual_widths

    # 100 series x 3 folds x 6 steps of independent N(0, 1) scores: per step 300,
    # too few for 99.9%, so pooled: t with about 1800 degrees of freedom
    rng = np.random.default_rng(1)
    resid = rng.standard_normal((100, 18, 1))
    steps, folds = np.tile(np.arange(1, 7), 3), np.repeat(np.arange(3), 6)
    widths = residual_widths(resid, steps, folds, np.array([0.999]), [False])
    np.testing.assert_allclose(widths[:, 0, 0], norm.ppf(0.9995), rtol=0.05)


def test_cross_fitted_weights_come_from_the_other_folds():
    from sktime_attention.forecasting._weights import cross_fitted_weights

    # member "a" is exact on folds 1 and 2, "b" on fold 0
    rng = np.random.default_rng(2)
    errors = rng.standard_normal((2, 1, 6, 1))
    errors[0, :, 2:], errors[1, :, :2] = 0.0, 0.0
    steps, folds = np.tile([1, 2], 3), np.repeat([0, 1, 2], 2)
    w = cross_fitted_weights(
        errors, steps, folds, ["a", "b"], "optimal", "mse", "global"
    )
    np.testing.assert_allclose(w[0, :2], [[1, 0]] * 2)  # learned on folds 1, 2
    for f in [1, 2]:  # the others mix: each member is exact on one of their folds
        other = errors[:, 0, folds != f, 0]
        expected = simplex_weights(other, "optimal", "mse")
        np.testing.assert_allclose(w[0, folds == f], [expected] * 2)
        assert 0 < expected[0] < 1


def test_cross_fitted_weights_leave_out_folds_that_share_forecast_points():
    from sktime_attention.forecasting._weights import cross_fitted_weights

    # 3 folds of 2 steps, cutoffs 1 apart: fold 1 shares a point with 0 and with 2
    rng = np.random.default_rng(3)
    errors = rng.standard_normal((2, 4, 6, 1))
    errors[0, :, :2] = 0.0  # "a" exact on fold 0, "b" on fold 2
    errors[1, :, 4:] = 0.0
    steps, folds = np.tile([1, 2], 3), np.repeat([0, 1, 2], 2)
    times = np.array([10, 11, 11, 12, 12, 13])
    args = (errors, steps, folds, ["a", "b"], "optimal", "mse", "global")
    purged = cross_fitted_weights(*args, times)
    np.testing.assert_allclose(purged[0, folds == 0], [[0, 1]] * 2)  # fold 2 only
    np.testing.assert_allclose(purged[0, folds == 2], [[1, 0]] * 2)  # fold 0 only
    # fold 1 overlaps both: nothing left to purge to, so the other folds as before
    np.testing.assert_allclose(
        purged[0, folds == 1], cross_fitted_weights(*args)[0, 2:4]
    )
    # without overlaps, times change nothing
    apart = np.array([10, 11, 12, 13, 14, 15])
    np.testing.assert_allclose(
        cross_fitted_weights(*args, apart), cross_fitted_weights(*args)
    )


def _planted_errors(n_series=40, n=30, seed=0):
    """Scaled errors (M=2, S, N, 1) where feature "x" says which member is exact."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n_series)
    noise = rng.standard_normal((n_series, n))
    errors = np.stack(
        [np.where(x[:, None] > 0, 0.0, noise), np.where(x[:, None] > 0, noise, 0.0)]
    )
    features = pd.DataFrame({"x": x, "junk": rng.standard_normal(n_series)})
    return errors[..., None], features


def test_series_weights_follow_the_planted_feature():
    errors, features = _planted_errors()
    model = series_weight_model(errors, features, "mse")
    w = apply_series_model(model, features)
    np.testing.assert_allclose(w.sum(axis=1), 1.0)
    x = features["x"].to_numpy()
    assert w[x > 0, 0].mean() > 0.8 and w[x < 0, 1].mean() > 0.8
    assert np.isfinite(model["penalty"]) and model["penalty"] < np.inf
    assert abs(model["coef"][0, 0]) > abs(model["coef"][1, 0])  # x, not junk


def test_series_weights_shrink_to_one_vector_without_signal():
    errors, features = _planted_errors()
    features = features.sample(frac=1.0, random_state=0).set_axis(features.index)
    model = series_weight_model(errors[:, :8], features.iloc[:8], "mae")
    assert model["penalty"] == np.inf  # fewer than 10 series: no feature effect
    w = apply_series_model(model, features.iloc[:8])
    np.testing.assert_allclose(w, np.broadcast_to(w[0], w.shape))
    np.testing.assert_allclose(w.sum(axis=1), 1.0)


def test_pooled_weights_per_step_rows_sum_to_one():
    rng = np.random.default_rng(1)
    errors = rng.standard_normal((3, 5, 12, 1))
    steps = np.tile([1, 2, 3], 4)
    table = pooled_weights(errors, steps, ["a", "b", "c"], "optimal", "mse", "per_step")
    assert list(table.index) == [1, 2, 3] and list(table.columns) == ["a", "b", "c"]
    np.testing.assert_allclose(table.sum(axis=1), 1.0)
    assert (table.to_numpy() >= 0).all()


def test_series_features_known_answers():
    from sktime_attention.forecasting._features import FEATURES, series_features

    t = np.arange(240.0)
    rng = np.random.default_rng(0)
    season = 10 + np.sin(2 * np.pi * t / 12)
    noise = 10 + rng.standard_normal(240)
    trend = 10 + 0.5 * t + 0.1 * rng.standard_normal(240)
    values = np.stack([season, noise, trend])[..., None]  # (S, T, C)
    values[2, :40] = np.nan  # a series starting later
    table = series_features(values, sp=12)
    assert list(table.columns) == list(FEATURES)
    assert table.loc[0, "seasonal_strength"] > 0.95
    assert table.loc[1, "seasonal_strength"] < 0.3
    assert (
        table.loc[0, "spectral_entropy"] < 0.2 < 0.8 < table.loc[1, "spectral_entropy"]
    )
    assert table.loc[2, "trend_strength"] > 0.95
    np.testing.assert_allclose(table["log_length"], np.log([240, 240, 200]))


def test_power_law_recovers_the_exponent_and_floors_it_at_zero():
    from sktime_attention.forecasting._intervals import power_law

    steps = np.arange(1, 7)
    # column 0: rms 2 h^0.5; column 1 shrinks with the step (b floored at 0)
    errors = [np.array([[2.0 * h**0.5, 1.0 / h]] * 3) for h in steps]
    fitted, b = power_law(errors, steps)
    np.testing.assert_allclose(b, [0.5, 0.0], atol=1e-12)
    np.testing.assert_allclose(fitted[:, 0], 2.0 * steps**0.5)
    assert np.ptp(fitted[:, 1]) == 0
