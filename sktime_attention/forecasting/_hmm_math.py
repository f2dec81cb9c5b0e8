"""Gaussian hidden Markov model arithmetic behind HMMForecaster (no sktime).

Filtering, exact predictive moments, Monte Carlo paths and Gaussian-mixture
quantiles in numpy / scipy; EM restarts of ``hmmlearn.hmm.GaussianHMM`` with the
covariance floor, state order and parameter count of fitted models. Shape
legend: T time steps, H forecast steps, K states, F columns of ``y``; ``p`` is a
state distribution (K,).
"""

__all__ = [
    "MIN_COVAR",
    "fit_restarts",
    "floor_covars",
    "forward_filter",
    "full_covars",
    "mixture_quantile",
    "mixture_quantiles",
    "n_params",
    "predictive_moments",
    "simulate_paths",
    "sort_states",
    "transform_levels",
]

import logging
import warnings
from contextlib import contextmanager

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr
from scipy.stats import multivariate_normal

MIN_COVAR = 1e-3  # floor on state variances (eigenvalues), standardised units
_COVARS_PRIOR = 1e-2  # covariance prior: keeps one-point / empty states non-singular


@contextmanager
def _quiet_hmmlearn():
    """Silence hmmlearn's logging and k-means duplicate-point warnings (noise)."""
    logger = logging.getLogger("hmmlearn")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Number of distinct clusters")
            yield
    finally:
        logger.setLevel(level)


def fit_restarts(u, k, seeds, covariance_type, n_iter, tol):
    """Best GaussianHMM of ``len(seeds)`` EM restarts on ``u`` (T, F); states sorted.

    Returns the model (covariances floored at ``MIN_COVAR``) and its
    log-likelihood; raises if every restart fails.
    """
    from hmmlearn.hmm import GaussianHMM

    n_feat = u.shape[1]
    full = covariance_type in ("full", "tied")
    best, best_ll = None, -np.inf
    for seed in seeds:
        model = GaussianHMM(
            n_components=k,
            covariance_type=covariance_type,
            min_covar=MIN_COVAR,
            covars_prior=_COVARS_PRIOR * np.eye(n_feat) if full else _COVARS_PRIOR,
            covars_weight=n_feat + 1 if full else 1,
            n_iter=n_iter,
            tol=tol,
            random_state=int(seed),
        )
        try:
            with _quiet_hmmlearn():
                model.fit(u)
                floor_covars(model)
                ll = model.score(u)
        except (ValueError, np.linalg.LinAlgError):
            continue
        if np.isfinite(ll) and ll > best_ll:
            best, best_ll = model, ll
    if best is None:
        raise ValueError(
            f"all n_init={len(seeds)} EM restarts with {k} state(s) failed "
            f"(degenerate covariances); try covariance_type='diag' or fewer states"
        )
    return sort_states(best), best_ll


def transform_levels(values, transform):
    """Levels (T, F) -> modelled series (T or T - 1, F) for ``transform``."""
    if transform == "level":
        return values
    return np.diff(np.log(values) if transform == "log_diff" else values, axis=0)


def forward_filter(u, prior, means, covars, transmat):
    """Return filtered probabilities (T, K) of ``u`` (T, F), state prior (K,)."""
    logpdf = multivariate_normal.logpdf
    logb = np.empty((len(u), len(means)))  # (T, K) emission log-densities
    for k, (mu, cov) in enumerate(zip(means, covars)):
        logb[:, k] = logpdf(u, mu, cov, allow_singular=True)
    probs = np.empty_like(logb)
    with np.errstate(divide="ignore"):
        for t in range(len(u)):
            lp = np.log(prior) + logb[t]
            p = np.exp(lp - lp.max())
            probs[t] = p / p.sum()
            prior = probs[t] @ transmat
    return probs


def predictive_moments(transform, transmat, means, covars, p, last, horizon):
    """Exact predictive mean and marginal variance of the levels, (H, F) each.

    Moment recursions over state paths from ``p`` at the cutoff; ``last`` (F,)
    is the last level, ``means`` (K, F) and ``covars`` (K, F, F) are in units of
    the transformed series. For ``"log_diff"`` the mean of the lognormal mixture.
    """
    A, m = transmat, means
    v = np.diagonal(covars, axis1=1, axis2=2)  # (K, F)
    a = np.repeat(p[:, None], m.shape[1], axis=1)  # (K, F)
    mean, var = np.empty((horizon, m.shape[1])), np.empty((horizon, m.shape[1]))
    b, c = np.zeros_like(m), np.zeros_like(m)  # E[S; s], E[S^2; s] (diff)
    g1, g2 = a.copy(), a.copy()  # E[exp(S); s], E[exp(2S); s] (log_diff)
    for h in range(horizon):
        a = A.T @ a
        if transform == "level":
            mean[h] = (a * m).sum(0)
            var[h] = (a * (v + m**2)).sum(0) - mean[h] ** 2
        elif transform == "diff":
            bA, c = A.T @ b, A.T @ c
            b = bA + a * m
            c = c + 2 * m * bA + a * (v + m**2)
            mean[h] = last + b.sum(0)
            var[h] = c.sum(0) - b.sum(0) ** 2
        else:
            g1 = (A.T @ g1) * np.exp(m + v / 2)
            g2 = (A.T @ g2) * np.exp(2 * m + 2 * v)
            mean[h] = last * g1.sum(0)
            var[h] = last**2 * (g2.sum(0) - g1.sum(0) ** 2)
    return mean, np.maximum(var, 0.0)


def simulate_paths(rng, transform, transmat, means, covars, p, last, n, horizon):
    """Monte Carlo level paths (n, H, F): state paths from ``p``, Gaussian emissions.

    Arguments as in `predictive_moments`; ``rng`` is a numpy Generator.
    """
    K, F = means.shape
    cum = np.cumsum(transmat, axis=1)
    cum[:, -1] = 1.0
    s = rng.choice(K, size=n, p=p)  # state at the cutoff
    states = np.empty((n, horizon), dtype=int)
    for h in range(horizon):
        s = (rng.random(n)[:, None] < cum[s]).argmax(axis=1)
        states[:, h] = s
    w, vecs = np.linalg.eigh(covars)  # robust square root, (K, F, F)
    root = vecs * np.sqrt(np.clip(w, 0, None))[:, None, :]
    eps = rng.standard_normal((n, horizon, F))
    z = means[states] + np.einsum("nhij,nhj->nhi", root[states], eps)
    if transform == "level":
        return z
    total = np.cumsum(z, axis=1)
    if transform == "diff":
        return last + total
    return last * np.exp(total)


def mixture_quantile(weights, means, sds, alpha):
    """Quantile ``alpha`` of a 1-D Gaussian mixture by root-finding its CDF."""
    if alpha <= 0 or alpha >= 1:
        return -np.inf if alpha <= 0 else np.inf

    def excess(x):
        return weights @ ndtr((x - means) / sds) - alpha

    low, high = (means - 10 * sds).min(), (means + 10 * sds).max()
    width = high - low
    for _ in range(60):
        if excess(low) <= 0:
            break
        low -= width
    for _ in range(60):
        if excess(high) >= 0:
            break
        high += width
    return brentq(excess, low, high, xtol=1e-12 * max(1.0, abs(high)))


def mixture_quantiles(probs, means, covars, alpha):
    """Marginal quantiles (alpha, H, F) of Gaussian mixtures with weights (H, K)."""
    sd = np.sqrt(np.diagonal(covars, axis1=1, axis2=2))  # (K, F)
    q = np.empty((len(alpha), len(probs), sd.shape[1]))
    for i, h, j in np.ndindex(q.shape):
        q[i, h, j] = mixture_quantile(probs[h], means[:, j], sd[:, j], alpha[i])
    return q


def sort_states(model):
    """Reorder a fitted GaussianHMM's states by the mean of the first column."""
    order = np.argsort(model.means_[:, 0], kind="stable")
    model.startprob_ = model.startprob_[order]
    model.transmat_ = model.transmat_[np.ix_(order, order)]
    model.means_ = model.means_[order]
    if model.covariance_type != "tied":  # compact storage, one entry per state
        model._covars_ = model._covars_[order]
    return model


def floor_covars(model):
    """Raise every state variance (covariance eigenvalue) to ``MIN_COVAR``."""
    if model.covariance_type in ("diag", "spherical"):
        model._covars_ = np.maximum(model._covars_, MIN_COVAR)
    else:  # "full" (K, F, F) or "tied" (F, F)
        w, v = np.linalg.eigh(model._covars_)
        floored = v * np.maximum(w, MIN_COVAR)[..., None, :]
        model._covars_ = floored @ np.swapaxes(v, -1, -2)


def full_covars(model):
    """Return full (K, F, F) state covariances of a fitted GaussianHMM.

    hmmlearn 0.3.3's ``covars_`` mis-shapes "spherical" for F > 1 after EM, which
    stores a (K, F) copy of each state's single variance.
    """
    if model.covariance_type != "spherical":
        return model.covars_
    var = np.asarray(model._covars_).reshape(model.n_components, -1)[:, 0]
    return var[:, None, None] * np.eye(model.n_features)


def n_params(model):
    """Free scalar parameters of a fitted GaussianHMM (for BIC)."""
    k, f = model.n_components, model.n_features
    cov = {
        "spherical": k,
        "diag": k * f,
        "full": k * f * (f + 1) // 2,
        "tied": f * (f + 1) // 2,
    }[model.covariance_type]
    return (k - 1) + k * (k - 1) + k * f + cov
