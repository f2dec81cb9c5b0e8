"""Per-series blend weights from features of the series (FFORMA-style).

Weights of series s are ``softmax(f_s @ coef + intercept)`` for its standardised
features ``f_s``: a small model trained across series on the holdout to minimise
the mean scaled loss of each series' blend, with an L2 penalty on ``coef``
chosen by 5-fold cross-validation over series; the largest penalty (``inf``)
leaves the intercept alone, one vector for all series. Montero-Manso et al.
(2020) learn such weights with gradient boosting over 42 features; this keeps
a linear model over a few cheap ones so the effects stay readable.

Shape legend: M members, S series, N holdout errors per series, C columns of
``y``, F features.
"""

__all__ = ["PENALTIES", "apply_series_model", "series_tables", "series_weight_model"]

import numpy as np
import pandas as pd
from scipy.optimize import minimize

#: Candidate L2 penalties on the feature effects, chosen by cross-validation.
PENALTIES = (0.001, 0.01, 0.1, 1.0, 10.0, np.inf)


def _softmax(z):
    z = np.exp(z - z.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def _model_loss(theta, feats, errors, penalty, metric):
    """Loss and gradient of softmax-linear per-series weights (module notes)."""
    n_feats, m = feats.shape[1], errors.shape[0]
    coef, intercept = theta[:-m].reshape(n_feats, m), theta[-m:]
    w = _softmax(feats @ coef + intercept)  # (S, M)
    blend = np.einsum("sm,msn->sn", w, errors)  # (S, N)
    if metric == "mse":
        loss, dblend = (blend**2).mean(), 2 * blend
    else:  # smooth absolute error, exact to 1e-3 of the error scale
        root = np.sqrt(blend**2 + 1e-6)
        loss, dblend = root.mean(), blend / root
    grad_w = np.einsum("sn,msn->sm", dblend, errors) / blend.size
    grad_z = w * (grad_w - (w * grad_w).sum(axis=1, keepdims=True))
    loss += penalty * (coef**2).sum()
    grad = np.r_[(feats.T @ grad_z + 2 * penalty * coef).ravel(), grad_z.sum(0)]
    return loss, grad


def _fit_model(feats, errors, penalty, metric):
    m = errors.shape[0]
    theta = np.zeros(feats.shape[1] * m + m)
    if np.isinf(penalty):  # intercept only: one vector for every series
        feats = feats[:, :0]
        theta = np.zeros(m)
    result = minimize(
        _model_loss,
        theta,
        args=(feats, errors, 0.0 if np.isinf(penalty) else penalty, metric),
        jac=True,
        method="L-BFGS-B",
    )
    return result.x


def series_weight_model(errors, features, metric, penalties=PENALTIES, seed=0):
    """Fit per-series weights ``softmax(features @ coef + intercept)``.

    Parameters
    ----------
    errors : ndarray of shape (M, S, N, C)
        Scaled holdout errors of M members on S series.
    features : pd.DataFrame of shape (S, F)
        Features of the series (standardised here).
    metric : {"mse", "mae"}
        Loss of the blended errors, averaged over series.
    penalties : tuple of float
        Candidate L2 penalties on ``coef`` (``inf``: no feature effect, the
        intercept alone). The one with the lowest loss on held-out series
        (5-fold over series) is kept; with fewer than 10 series, ``inf``.

    Returns
    -------
    dict
        ``coef`` (F, M), ``intercept`` (M,), ``mean``, ``std`` (F,) of the
        standardisation, ``penalty`` chosen and ``cv_loss`` per penalty.
    """
    m, s = errors.shape[:2]
    flat = errors.transpose(0, 1, 3, 2).reshape(m, s, -1)  # (M, S, N * C)
    values = features.to_numpy(dtype=float)
    mean, std = values.mean(0), values.std(0)
    std = np.where(std > 1e-8 * (1 + np.abs(mean)), std, np.inf)  # constant: off
    feats = (values - mean) / std
    scores = {}
    if s >= 10:
        groups = np.random.default_rng(seed).permutation(s) % 5
        for penalty in penalties:
            loss = 0.0
            for g in range(5):
                train, test = groups != g, groups == g
                theta = _fit_model(feats[train], flat[:, train], penalty, metric)
                held = feats[test] if not np.isinf(penalty) else feats[test, :0]
                loss += _model_loss(theta, held, flat[:, test], 0.0, metric)[0]
            scores[penalty] = loss / 5
        best = min(scores, key=scores.get)
    else:
        best = np.inf
    theta = _fit_model(feats, flat, best, metric)
    n_feats = values.shape[1]
    if np.isinf(best):
        coef, intercept = np.zeros((n_feats, m)), theta
    else:
        coef, intercept = theta[:-m].reshape(n_feats, m), theta[-m:]
    return {
        "coef": coef,
        "intercept": intercept,
        "mean": mean,
        "std": std,
        "penalty": best,
        "cv_loss": scores,
    }


def apply_series_model(model, features):
    """Per-series weights (S, M) of a `series_weight_model` for ``features``."""
    feats = (features.to_numpy(dtype=float) - model["mean"]) / model["std"]
    return _softmax(feats @ model["coef"] + model["intercept"])


def series_tables(errors, features, metric, names):
    """Fitted per-series weights and their tables from scaled holdout ``errors``.

    Returns ``(weights (S, M), series_weights_, weight_features_)``: the
    weights as an array and as a DataFrame (index the features' index, columns
    ``names``), and the feature effects (index features and ``"intercept"``).
    """
    model = series_weight_model(errors, features, metric)
    weights = apply_series_model(model, features)
    members = pd.Index(names, name="member")
    table = pd.DataFrame(weights, index=features.index, columns=members)
    effects = pd.DataFrame(
        np.vstack([model["coef"], model["intercept"]]),
        index=[*features.columns, "intercept"],
        columns=members,
    )
    return weights, table, effects
