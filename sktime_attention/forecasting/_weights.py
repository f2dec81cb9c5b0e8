"""Blend weights of forecasters: fixed ones checked, learned ones from holdout errors.

Shape legend: M members (forecasters), S series, N holdout errors per member and
series, C columns of ``y``, H forecast steps, F series features.
"""

__all__ = [
    "LEARNED",
    "WEIGHTINGS",
    "cross_fitted_weights",
    "fixed_weights",
    "learn_blend",
    "learn_weights",
    "nearest_rows",
    "pooled_weights",
    "simplex_weights",
    "weight_tensor",
]

import numbers
import warnings

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog, minimize

from sktime_attention.utils._validation import check_option

LEARNED = ("inverse_error", "optimal")  # ``weights`` values learned on a holdout
WEIGHTINGS = ("global", "per_step", "per_series")  # modes of learned weights
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
    check_option(method, "method", LEARNED)
    check_option(metric, "metric", ("mse", "mae"))
    m, n = errors.shape
    # scale-free: weights depend on errors / max |error| only, nothing squared
    # overflows or underflows; the exactness test keeps the units of ``errors``
    size = _positive(np.abs(errors).max())
    errors = errors / size
    mse = (errors**2).mean(axis=1)
    loss = mse if metric == "mse" else np.abs(errors).mean(axis=1)
    exact = size * (np.sqrt(mse) if metric == "mse" else loss) <= _EXACT_TOL
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
            stacklevel=2,
        )
        return (1 / loss) / (1 / loss).sum()
    w = np.clip(w, 0.0, None)
    return w / w.sum()


def _positive(scale):
    """``scale`` where it is finite and > 0, else 1 (a divisor safe for 0 data)."""
    scale = np.asarray(scale, dtype=float)
    return np.where(np.isfinite(scale) & (scale > 0), scale, 1.0)


def root_mean_square(values, axis):
    """Root mean square along ``axis`` without overflow: max |value| factored out."""
    size = _positive(np.abs(values).max(axis=axis, keepdims=True))
    return np.squeeze(size, axis) * np.sqrt(((values / size) ** 2).mean(axis=axis))


def fixed_weights(spec, names, weighting):
    """Check a ``weights`` parameter; return fixed weights (M,) summing to 1.

    None for learned weights (``"optimal"``, ``"inverse_error"``); ``names`` are
    the members'.
    """
    if isinstance(spec, str):
        check_option(spec, "weights", ("equal", *LEARNED))
        if spec in LEARNED:
            return None
        values = [1.0] * len(names)
    elif isinstance(spec, dict) and set(spec) <= set(names):
        values = [spec.get(name, 0.0) for name in names]
    elif isinstance(spec, list | tuple | np.ndarray) and len(spec) == len(names):
        values = list(spec)
    else:
        raise ValueError(
            "`weights` must be 'optimal', 'inverse_error', 'equal', a dict with "
            f"keys among {names} or a list of {len(names)} floats (one per "
            f"member), got {spec!r}"
        )
    if weighting != "global":
        raise ValueError(
            f"`weighting={weighting!r}` needs learned `weights`, got fixed {spec!r}"
        )
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values):
        raise ValueError(f"`weights` must be finite and >= 0, got {spec!r}")
    values = np.asarray(values, dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError(f"`weights` must be finite and >= 0, got {spec!r}")
    if values.sum() <= 0:
        raise ValueError(f"`weights` must not all be 0, got {spec!r}")
    return values / values.sum()


def pooled_weights(errors, steps, names, method, metric, weighting):
    """Weights from scaled holdout ``errors`` (M, S, N, C) at ``steps`` (N,).

    A pd.Series (index ``names``) for ``"global"``, or for ``"per_step"`` a
    pd.DataFrame (index ``step``, columns ``names``) with one `simplex_weights`
    row per step; errors of all series and columns are pooled.
    """
    m = len(names)
    if weighting != "per_step":
        return pd.Series(
            simplex_weights(errors.reshape(m, -1), method, metric),
            index=names,
            name="weight",
        )
    u = np.unique(steps)
    table = [
        simplex_weights(errors[:, :, steps == s].reshape(m, -1), method, metric)
        for s in u
    ]
    index, columns = pd.Index(u, name="step"), pd.Index(names, name="member")
    return pd.DataFrame(table, index=index, columns=columns)


def nearest_rows(table_steps, steps):
    """Positions of the table rows nearest to each forecast step."""
    return np.abs(np.asarray(table_steps)[None, :] - steps[:, None]).argmin(axis=1)


def weight_tensor(weights, series_weights, steps):
    """Weights (S, H, M) for forecast ``steps`` (H,) of S series.

    ``series_weights`` (S, M), if not None, are the per-series weights;
    else ``weights`` (a `pooled_weights` result) serve every series.
    """
    if series_weights is not None:
        return np.repeat(series_weights[:, None, :], len(steps), axis=1)
    if isinstance(weights, pd.Series):
        rows = np.tile(weights.to_numpy(), (len(steps), 1))
    else:
        rows = weights.to_numpy()[nearest_rows(weights.index, steps)]
    return rows[None]


def learn_weights(preds, truth, steps, scale, names, method, metric, weighting):
    """Pooled weights and holdout scores from member forecasts on a holdout.

    Parameters
    ----------
    preds : ndarray of shape (M, S, N, C)
        Holdout forecasts of the members ``names`` for S series.
    truth : ndarray of shape (S, N, C)
        The observed values they forecast.
    steps : ndarray of shape (N,)
        Forecast step (relative, >= 1) of each holdout sample.
    scale : ndarray of shape (S, C)
        Each series' in-sample seasonal-naive MAE: errors are divided by it
        before anything is squared (scale-free: ``c * y`` gives the weights of
        ``y`` for any ``c > 0``), so no few large series decide the weights.

    Returns
    -------
    weights : pd.Series or pd.DataFrame
        The `pooled_weights` result (``"global"`` for ``"per_series"``, whose
        weights come from ``_series_weights.series_weight_model``).
    scaled : ndarray of shape (M, S, N, C)
        The scaled errors.
    errors : pd.DataFrame
        ``"mse"`` and ``"mae"`` (columns) per member (index) of the scaled errors.
    """
    errors = preds / scale[None, :, None] - truth / scale[:, None]  # (M, S, N, C)
    mode = "global" if weighting == "per_series" else weighting
    weights = pooled_weights(errors, steps, names, method, metric, mode)
    m = len(names)
    table = pd.DataFrame(
        {
            "mse": (errors.reshape(m, -1) ** 2).mean(1),
            "mae": np.abs(errors.reshape(m, -1)).mean(1),
        },
        index=pd.Index(names, name="member"),
    )
    return weights, errors, table


def learn_blend(preds, truth, steps, scale, names, layout, y, hybrid, times):
    """Fitted blend attributes of ``hybrid`` from its holdout forecasts.

    ``preds`` (M, S, N, C), ``truth`` (S, N, C), ``steps`` and ``times`` (N,)
    (positions of the forecast points on the time axis), ``scale``
    (S, C), ``layout`` the series of ``y``; ``hybrid`` gives ``weights``,
    ``metric``, ``weighting``, ``sp_`` and ``_y_columns``. Returns a dict of
    attribute names (``weights_``, ``cv_errors_``, ``cv_blend_rmse_``, the
    per-series tables, private interval state) and values. The interval
    state holds the blend's residuals with `cross_fitted_weights` (with
    in-sample weights for ``"per_series"`` or a single fold).
    """
    from sktime_attention.forecasting._features import series_features
    from sktime_attention.forecasting._intervals import (
        fold_ids,
        grows_with_step,
        step_rmse,
    )
    from sktime_attention.forecasting._series_weights import series_tables

    weights, errors, table = learn_weights(
        preds,
        truth,
        steps,
        scale,
        names,
        hybrid.weights,
        hybrid.metric,
        hybrid.weighting,
    )
    out = {"weights_": weights, "cv_errors_": table, "_series_w": None}
    w_holdout = weight_tensor(weights, None, steps)
    if hybrid.weighting == "per_series":
        keys = pd.Index(layout.keys, name="series")
        features = series_features(layout.values(y), hybrid.sp_).set_axis(keys)
        series_w, out["series_weights_"], out["weight_features_"] = series_tables(
            errors, features, hybrid.metric, names
        )
        out["_series_w"], out["series_features_"] = series_w, features
        out["weights_"] = out["series_weights_"].mean().rename("weight")
        w_holdout = series_w[:, None]
    w_holdout = np.broadcast_to(w_holdout, (*truth.shape[:2], len(names)))
    resid = -np.einsum("snm,msnc->snc", w_holdout, errors)  # truth - blend
    rmse = step_rmse(resid, steps, hybrid._y_columns)
    folds = fold_ids(steps)
    if hybrid.weighting != "per_series" and folds.max() > 0:  # honest residuals
        w_cross = cross_fitted_weights(
            errors,
            steps,
            folds,
            names,
            hybrid.weights,
            hybrid.metric,
            hybrid.weighting,
            times,
        )
        resid = -np.einsum("snm,msnc->snc", w_cross, errors)
    out["_residuals"] = (resid, steps, folds)
    out["cv_blend_rmse_"] = rmse
    out["_widen"] = grows_with_step(rmse.index.to_numpy(), rmse.to_numpy())
    return out


def cross_fitted_weights(
    errors, steps, folds, names, method, metric, weighting, times=None
):
    """Weights (1, N, M) at each holdout sample, learned on the other folds.

    ``errors`` (M, S, N, C) scaled, ``steps``, ``folds`` and ``times`` (N,) of
    the samples (``times``: positions of the forecast points; None: folds do
    not overlap); ``weighting`` ``"global"`` or ``"per_step"``
    (`pooled_weights`). The blend's residuals with these weights are out of
    sample: the weights learned on all folds fit their own residuals, which
    then understate the spread of new errors (by 10-20% in RMSE on 3 folds in
    ``benchmarks/coverage_hybrid.py``). Folds whose forecast points overlap
    fold f's share its truth, and so its errors: they are left out of f's
    weights too (purged), unless no other fold is left.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.forecasting._weights import cross_fitted_weights
    >>> errors = np.ones((2, 1, 6, 1))
    >>> errors[0, :, :2] = 0.0  # member 0 exact on fold 0 only
    >>> steps, folds = np.tile([1, 2], 3), np.repeat([0, 1, 2], 2)
    >>> times = np.array([10, 11, 11, 12, 12, 13])  # cutoffs one step apart
    >>> w = cross_fitted_weights(
    ...     errors, steps, folds, ["a", "b"], "optimal", "mse", "global", times
    ... )
    >>> w[0, 4]  # fold 2 overlaps fold 1 only: learned on fold 0
    array([1., 0.])
    """
    w = np.empty((1, len(steps), len(names)))
    for f in np.unique(folds):
        test = folds == f
        train = ~test
        if times is not None:
            overlapping = np.unique(folds[np.isin(times, times[test])])
            purged = ~np.isin(folds, overlapping)
            if purged.any():
                train = purged
        table = pooled_weights(
            errors[:, :, train], steps[train], names, method, metric, weighting
        )
        w[:, test] = weight_tensor(table, None, steps[test])
    return w
