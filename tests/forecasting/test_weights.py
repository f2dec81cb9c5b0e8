"""Known answers for the simplex weight solver of the hybrid."""

import numpy as np
import pytest

from sktime_attention.forecasting import simplex_weights


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
