"""Split-conformal intervals of a blend from its scaled holdout residuals.

Shape legend: S series, N holdout samples per series (fold x step), C columns
of ``y``, U distinct holdout steps, A coverage levels, H forecast steps.
"""

__all__ = [
    "conformal_quantiles",
    "conformal_rank",
    "effective_count",
    "fold_ids",
    "grows_with_step",
    "non_decreasing",
    "power_law",
    "residual_widths",
    "step_rmse",
]

import numpy as np
import pandas as pd
from scipy.stats import t as student_t
from sklearn.isotonic import isotonic_regression

from sktime_attention.forecasting._weights import (
    _positive,
    nearest_rows,
    root_mean_square,
)


def conformal_rank(counts, c):
    """Rank ``ceil((n + 1) c)`` of the split-conformal half-width among n scores.

    ``counts`` (n per step) may be an int or an array; the product is rounded
    to 9 decimals first, so that ``(n + 1) c`` that is an integer up to float
    error (``100 * 0.9``) is not pushed one rank up.
    """
    return np.ceil(np.round((np.asarray(counts) + 1) * c, 9)).astype(int)


def non_decreasing(table, counts):
    """``table`` (U, ...) made non-decreasing along its first axis, the steps.

    The weighted least-squares non-decreasing fit (isotonic regression, weights
    ``counts`` (U,), the scores behind each row), per column. Where a later
    step's estimate dips below an earlier one both are noisy estimates of one
    non-decreasing quantity: the fit pools them to their weighted mean, where
    a running maximum would keep the larger, an upward bias at every plateau.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.forecasting._intervals import non_decreasing
    >>> non_decreasing(np.array([1.0, 3.0, 2.0, 4.0]), np.array([1, 1, 1, 2]))
    array([1. , 2.5, 2.5, 4. ])
    """
    table = np.asarray(table, dtype=float)
    flat = table.reshape(len(table), -1)
    counts = np.asarray(counts, dtype=float)
    fitted = [isotonic_regression(col, sample_weight=counts) for col in flat.T]
    return np.reshape(fitted, flat.T.shape).T.reshape(table.shape)


def fold_ids(steps):
    """Fold (N,) of each holdout sample, from the steps (N,) of the folds in turn.

    Within a fold the steps rise (sktime sorts a horizon), so a sample whose
    step is not above the previous one opens the next fold.
    """
    steps = np.asarray(steps)
    return np.r_[0, np.cumsum(np.diff(steps) <= 0)].astype(int)


def step_rmse(resid, steps, columns):
    """Root mean square of residuals (S, N, C) per step, pooled over the series.

    A DataFrame, index ``step`` (the distinct ``steps``), columns ``columns``.
    """
    u, n_cols = np.unique(steps), len(columns)
    return pd.DataFrame(
        [root_mean_square(resid[:, steps == s].reshape(-1, n_cols), 0) for s in u],
        index=pd.Index(u, name="step"),
        columns=columns,
    )


def effective_count(scores, folds):
    """Effective number of independent scores (C,) and their within-fold correlation.

    Parameters
    ----------
    scores : ndarray of shape (S, N, C)
        Signed residuals of S series on a common scale, mean 0 by assumption.
    folds : ndarray of shape (N,)
        Fold of each of the N samples; scores of one series and fold form a group.

    Returns
    -------
    n_eff : ndarray of shape (C,)
        ``n / (1 + rho (m - 1))`` (Kish's design effect): n scores per column,
        ``m = sum(g**2) / n`` the mean group size seen by a score (the steps per
        fold when all folds have the same steps), ``rho`` the correlation of
        two scores of one group. Independent scores (``rho = 0``) count n;
        scores equal within each group (``rho = 1``) count the groups, n / m
        (one per fold and series): a fold's errors at its steps share the
        fold's luck, so a holdout of a few folds carries few independent ones.
    rho : ndarray of shape (C,)
        ``sum_{i != j} x_i x_j / (n_pairs * mean(x**2))`` over the pairs of
        scores of one group, clipped to [0, 1] (0 without pairs or spread).

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.forecasting._intervals import effective_count
    >>> folds = np.repeat([0, 1, 2], 6)  # 3 folds of 6 steps
    >>> same = np.repeat([1.0, -2.0, 0.5], 6)[None, :, None]  # equal within folds
    >>> effective_count(same, folds)
    (array([3.]), array([1.]))
    """
    size = _positive(np.abs(scores).max(axis=(0, 1)))  # (C,): nothing overflows
    x = scores / size
    n = x.shape[0] * x.shape[1]
    pair_sum, n_pairs, squares = np.zeros(x.shape[2]), 0, 0
    for f in np.unique(folds):
        group = x[:, folds == f]  # (S, g, C)
        g = group.shape[1]
        pair_sum += (group.sum(axis=1) ** 2 - (group**2).sum(axis=1)).sum(axis=0)
        n_pairs += x.shape[0] * g * (g - 1)
        squares += x.shape[0] * g * g
    ms = (x**2).mean(axis=(0, 1))
    rho = np.zeros(x.shape[2])
    if n_pairs:
        ok = ms > 0
        rho[ok] = np.clip(pair_sum[ok] / n_pairs / ms[ok], 0.0, 1.0)
    return n / (1 + rho * (squares / n - 1)), rho


def residual_widths(resid, steps, folds, coverage, widen):
    """Half-widths (U, A, C) of split-conformal intervals of the blend.

    Parameters
    ----------
    resid : ndarray of shape (S, N, C)
        Signed holdout residuals of the blend (truth minus blend) of S series
        on a common scale, each made with weights learned on the other folds
        (those that share none of its forecast points).
    steps : ndarray of shape (N,)
        Forecast step of each sample; U distinct ones.
    folds : ndarray of shape (N,)
        Fold of each sample (`fold_ids`).
    coverage : ndarray of shape (A,)
        Coverage levels in [0, 1).
    widen : ndarray of shape (C,) of bool
        Columns whose per-step half-widths are made non-decreasing in the step.

    Returns
    -------
    ndarray of shape (U, A, C)
        Per step, where every step has enough residuals for ``c``: with n
        residuals at a step (all series), the ``ceil((n + 1) * c)``-th smallest
        absolute one (split-conformal with its finite-sample correction:
        coverage >= c for exchangeable residuals), then made non-decreasing
        over the steps in the ``widen`` columns (`non_decreasing`). Pooled,
        where some step has too few (n + 1 < 1 / (1 - c)): each residual is
        divided by a scale per
        step, ``sigma_h = sigma_1 h^b`` with ``b >= 0`` (`power_law`); the
        half-width is ``sigma_h t.ppf(0.5 + c / 2, df=n_eff) rms``, with
        ``rms`` the root mean square of the pooled scores, which estimates
        their spread on about ``n_eff`` degrees of freedom, the
        `effective_count` of the scores (Student's t for a new Gaussian score
        of mean 0 with its variance estimated): the scores of one fold are
        correlated over the steps (strongly for a random walk), so ``n_eff``
        lies between the folds and all the scores. The widths are
        non-decreasing in the step, as ``sigma_h``.
    """
    steps, n_cols = np.asarray(steps), resid.shape[2]
    u = np.unique(steps)
    abs_resid = [
        np.sort(np.abs(resid[:, steps == s]).reshape(-1, n_cols), axis=0) for s in u
    ]
    counts = np.array([len(r) for r in abs_resid])
    widths = np.zeros((len(u), len(coverage), n_cols))
    pooled_scale = power_law(abs_resid, u)[0]  # (U, C)
    scores = resid / pooled_scale[np.searchsorted(u, steps)][None]  # (S, N, C)
    n_eff, _ = effective_count(scores, folds)
    rms = root_mean_square(scores.reshape(-1, n_cols), 0)  # (C,)
    widen = np.asarray(widen, dtype=bool)
    for a, c in enumerate(coverage):
        if c <= 0:
            continue
        k = conformal_rank(counts, c)  # per step
        if (k <= counts).all():  # split-conformal at every step
            for i, r in enumerate(abs_resid):
                widths[i, a] = r[k[i] - 1]
            widths[:, a, widen] = non_decreasing(widths[:, a, widen], counts)
            continue
        widths[:, a] = student_t.ppf(0.5 + c / 2, df=n_eff) * rms * pooled_scale
    return widths


def power_law(abs_errors, steps):
    """Root mean square per step ``s_1 h^b`` (U, C) fitted to errors, and ``b`` (C,).

    Weighted least squares of the log mean square of ``abs_errors`` (a list of
    U arrays (n_u, C), the errors at ``steps`` (U,)) on ``log(step)``, weights
    n_u; ``b >= 0`` (half the slope). The fit is in the units of the errors
    (squared after dividing by the largest, so nothing overflows). A column
    without non-zero errors gets 1 and ``b = 0``.
    """
    size = _positive(np.max([r.max(axis=0) for r in abs_errors], axis=0))  # (C,)
    ms = np.array([((r / size) ** 2).mean(axis=0) for r in abs_errors])  # (U, C)
    counts = np.array([len(r) for r in abs_errors], dtype=float)
    x = np.log(np.asarray(steps, dtype=float))
    fitted, exponent = np.ones_like(ms), np.zeros(ms.shape[1])
    for j in range(ms.shape[1]):
        ok = ms[:, j] > 0
        if not ok.any():
            continue
        w, yj = counts[ok], np.log(ms[ok, j])
        xm, ym = np.average(x[ok], weights=w), np.average(yj, weights=w)
        sxx = np.average((x[ok] - xm) ** 2, weights=w)
        slope = np.average((x[ok] - xm) * (yj - ym), weights=w) / sxx if sxx else 0.0
        exponent[j] = max(slope, 0.0) / 2
        fitted[:, j] = size[j] * np.exp(ym / 2 + exponent[j] * (x - xm))
    return fitted, exponent


def grows_with_step(steps, rmse):
    """Columns (C,) whose holdout RMSE (U, C) rises with the ``steps`` (U,)."""
    if len(steps) < 2:
        return np.zeros(rmse.shape[1], dtype=bool)
    scaled = rmse / _positive(rmse.max(axis=0))
    centred = np.asarray(steps, float) - np.mean(steps)
    return centred @ (scaled - scaled.mean(axis=0)) > 0


def conformal_quantiles(point, residuals, widen, scale, alpha, steps):
    """Quantiles (S, H, C * A) around ``point`` (S, H, 1, C), variable-major.

    Half-widths are `residual_widths` of the scaled holdout ``residuals``
    (a tuple of residuals, steps and folds) and ``widen``, at the learned step
    nearest to each of ``steps``, times each series' ``scale`` (S, C).
    """
    levels = np.asarray(alpha, dtype=float)
    resid, holdout_steps, folds = residuals
    widths = residual_widths(
        resid, holdout_steps, folds, np.abs(2 * levels - 1), widen
    )[nearest_rows(np.unique(holdout_steps), steps)]  # (H, A, C), scaled
    widths = widths[None] * scale[:, None, None, :]  # (S, H, A, C)
    values = point + np.sign(levels - 0.5)[:, None] * widths
    return values.transpose(0, 1, 3, 2).reshape(*values.shape[:2], -1)
