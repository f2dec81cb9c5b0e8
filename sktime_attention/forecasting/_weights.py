"""Blend weights on the probability simplex from holdout errors of forecasters.

Shape legend: M members (forecasters), N holdout errors per member.
"""

__all__ = ["simplex_weights"]

import warnings

import numpy as np
from scipy import sparse
from scipy.optimize import linprog, minimize

from sktime_attention.utils._validation import check_option

_EXACT_TOL = 1e-9  # holdout RMSE / MAE, in std units of y, counted as exact


def simplex_weights(errors, method, metric):
    """Return blend weights >= 0 summing to 1 from the members' holdout errors.

    Members whose holdout RMSE (``metric="mse"``) or MAE (``metric="mae"``) is at
    most 1e-9 share all the weight equally, whatever ``method``.

    Parameters
    ----------
    errors : ndarray of shape (M, N)
        Holdout errors (forecast minus truth) of M members on the same N points,
        best on a common scale (e.g. divided by the standard deviation of ``y``).
    method : {"optimal", "inverse_error"}
        ``"optimal"``: the weights minimising the ``metric`` of the blend's errors
        ``w @ errors`` (SLSQP for "mse", a linear programme for "mae").
        ``"inverse_error"``: proportional to 1 / the member's ``metric``.
    metric : {"mse", "mae"}
        Loss of the errors: mean squared or mean absolute.

    Returns
    -------
    ndarray of shape (M,)
        Non-negative weights summing to 1. If the solver of ``"optimal"`` fails
        (a guard: both problems are convex), a warning is issued and the
        ``"inverse_error"`` weights are returned.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.forecasting import simplex_weights
    >>> a = np.array([1.0, -2.0, 0.5, 3.0])
    >>> # errors a and -a / 2 cancel in the blend a / 3 - (2 / 3) (a / 2) = 0
    >>> simplex_weights(np.stack([a, -a / 2]), "optimal", "mse").round(4)
    array([0.3333, 0.6667])
    >>> simplex_weights(np.stack([a, 2 * a]), "inverse_error", "mse").round(4)
    array([0.8, 0.2])
    """
    check_option(method, "method", ("optimal", "inverse_error"))
    check_option(metric, "metric", ("mse", "mae"))
    m, n = errors.shape
    mse = (errors**2).mean(axis=1)
    loss = mse if metric == "mse" else np.abs(errors).mean(axis=1)
    exact = (np.sqrt(mse) if metric == "mse" else loss) <= _EXACT_TOL
    if exact.any():  # 1 / 0: all weight to the exact members
        return exact / exact.sum()
    if method == "inverse_error":
        return (1 / loss) / (1 / loss).sum()
    if metric == "mse":  # min w'Gw  s.t.  w >= 0, sum(w) = 1, G = Gram of errors
        gram = errors @ errors.T / n
        gram = gram / gram.diagonal().max()
        result = minimize(
            lambda w: w @ gram @ w,
            np.full(m, 1 / m),
            jac=lambda w: 2 * gram @ w,
            method="SLSQP",
            bounds=[(0.0, 1.0)] * m,
            constraints=[{"type": "eq", "fun": lambda w: w.sum() - 1}],
            options={"ftol": 1e-14, "maxiter": 1000},
        )
        w = result.x
    else:  # linear programme over (w, t): min mean(t)  s.t.  -t <= E'w <= t
        e_t, eye = sparse.csr_matrix(errors.T), sparse.identity(n)
        result = linprog(
            np.r_[np.zeros(m), np.full(n, 1 / n)],
            A_ub=sparse.vstack(
                [sparse.hstack([e_t, -eye]), sparse.hstack([-e_t, -eye])]
            ),
            b_ub=np.zeros(2 * n),
            A_eq=np.r_[np.ones(m), np.zeros(n)][None],
            b_eq=[1.0],
            bounds=[(0, 1)] * m + [(0, None)] * n,
            method="highs",
        )
        w = result.x[:m] if result.success else None
    if not result.success:  # pragma: no cover - convex problems; a guard only
        warnings.warn(
            f"optimal weights failed ({result.message}); using inverse_error weights",
            stacklevel=3,
        )
        return (1 / loss) / (1 / loss).sum()
    w = np.clip(w, 0.0, None)
    return w / w.sum()
