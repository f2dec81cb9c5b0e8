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


def test_residual_widths_split_conformal_known_answers():
    from scipy.stats import t

    from sktime_attention.forecasting._weights import residual_widths

    resid = np.arange(1.0, 20.0)[:, None]  # 19 sorted absolute residuals, 1 column
    rmse = np.sqrt((resid**2).mean(axis=0, keepdims=True))
    widths = residual_widths(
        [resid], rmse, np.array([0, 0.5, 0.9, 0.95, 0.99]), [False]
    )
    # ceil(20 c)-th smallest: 10th, 18th, 19th; 0.99 needs 20 > 19 residuals
    # (Student's t with 19 degrees of freedom: the variance is estimated)
    gauss = max(t.ppf(0.995, df=19) * rmse[0, 0], 19.0)
    np.testing.assert_allclose(widths[0, :, 0], [0, 10, 18, 19, gauss])
    # too few residuals: the t interval, never below the largest residual
    few = np.array([[0.1], [0.2], [5.0]])
    widths = residual_widths([few], np.array([[1.0]]), np.array([0.5, 0.8]), [False])
    np.testing.assert_allclose(widths[0, :, 0], [0.2, 5.0])
    # cumulative maximum over the steps only where asked (column 0, not 1)
    steps = [np.array([[1.0, 1.0]] * 3), np.array([[0.5, 0.5]] * 3)]
    widths = residual_widths(steps, np.ones((2, 2)), np.array([0.5]), [True, False])
    np.testing.assert_allclose(widths[:, 0], [[1.0, 1.0], [1.0, 0.5]])


@pytest.mark.parametrize("scale", [1e-12, 1.0, 1e200])
def test_residual_widths_pooled_over_steps_known_answers(scale):
    from scipy.stats import t

    from sktime_attention.forecasting._weights import residual_widths

    # 3 folds (too few for 90%): residuals pooled over steps 1 and 4 after
    # dividing by sigma_h = sigma_1 h^b; mean squares 1 and 4 give b = 1/2
    rising = [np.full((3, 1), 1.0) * scale, np.full((3, 1), 2.0) * scale]
    rmse = np.array([[1.0], [2.0]]) * scale
    widths = residual_widths(rising, rmse, np.array([0.9]), [False], steps=[1, 4])
    q = t.ppf(0.95, df=3)  # t on the folds: the pooled scores are all equal
    np.testing.assert_allclose(widths[:, 0, 0], np.array([q, 2 * q]) * scale)
    # falling mean squares: b is clipped at 0, equal widths, the pooled rms
    falling = rising[::-1]
    widths = residual_widths(falling, rmse[::-1], np.array([0.9]), [False], [1, 4])
    expected = q * np.sqrt((1 + 4) / 2) * scale
    np.testing.assert_allclose(widths[:, 0, 0], [expected, expected])


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
