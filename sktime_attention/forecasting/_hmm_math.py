"""Gaussian hidden Markov model arithmetic behind HMMForecaster (no sktime).

Filtering, exact predictive moments, Monte Carlo paths and Gaussian-mixture
quantiles in numpy / scipy; EM restarts of ``hmmlearn.hmm.GaussianHMM`` with the
covariance floor, state order and parameter count of fitted models. Shape
legend: T time steps, H forecast steps, K states, F columns of ``y``; ``p`` is a
state distribution (K,).
"""

__all__ = [
    "MIN_COVAR",
    "batch_moments",
    "calibration_factors",
    "fit_restarts",
    "floor_covars",
    "forward_filter",
    "fill_empty_states",
    "full_covars",
    "mixture_quantile",
    "mixture_quantiles",
    "n_params",
    "predictive_moments",
    "simulate_paths",
    "sort_states",
    "standardise",
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
MIN_OCCUPANCY = 1.0  # states explaining less than one point's worth count as empty
# Floor on the standard deviation of the transformed series, relative to the size
# of the levels ("level"/"diff") or absolute ("log_diff", unitless): a little above
# the rounding noise of differences, so a (near) constant transformed series gives
# the deterministic continuation instead of a noise model in arbitrary units.
SCALE_FLOOR = 64 * np.finfo(float).eps


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
                fill_empty_states(model, u)
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
    if transform == "log_diff":  # log of ratios: free of the units of ``values``
        return np.log(values[1:] / values[:-1])
    return np.diff(values, axis=0)


def _power_of_two(x):
    """Largest power of two <= ``x`` (> 0) elementwise; 1 where ``x`` is 0."""
    mantissa, exponent = np.frexp(np.where(x > 0, x, 1.0))
    return np.ldexp(1.0, exponent - 1)


def standardise(z, values, transform):
    """Return ``shift``, ``scale`` (F,) so that ``(z - shift) / scale`` is standard.

    ``z`` (T, F) is the transformed series of the levels ``values``. Moments are
    computed after an exact division by a power of two, so they neither overflow
    (``|y|`` near 1e200) nor lose digits (near 1e-300), and the result scales
    exactly with the data. ``scale`` is at least ``SCALE_FLOOR`` times the
    largest absolute level ("level", "diff") or ``SCALE_FLOOR`` ("log_diff"):
    a constant ``z`` keeps a standard deviation at the rounding noise of the
    data, in the data's own units.
    """
    if transform == "log_diff":
        ref = np.ones(z.shape[1])
    else:
        ref = _power_of_two(np.abs(values).max(axis=0))
    zr = z / ref
    shift = zr.mean(axis=0)
    scale = np.maximum(zr.std(axis=0), SCALE_FLOOR)
    return shift * ref, scale * ref


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


def predictive_moments(
    transform, transmat, means, covars, p, last, horizon, shift, scale
):
    """Exact predictive mean and marginal variance of the levels, (H, F) each.

    Moment recursions over state paths from ``p`` at the cutoff; ``last`` (F,)
    is the last level; ``means`` (K, F) and ``covars`` (K, F, F) are standardised:
    the transformed series is ``shift + scale * u`` (F,). Recursions run in
    standardised units (no cancellation of the drift, no overflow for huge
    levels); for ``"log_diff"`` the mean of the lognormal mixture, with running
    log-normalisers so long horizons neither overflow nor give NaN. The variance
    is ``inf`` only where it exceeds the float range (about ``|y| > 1e154``).
    """
    chain = (transform, transmat, means, covars)
    mean, var = batch_moments(*chain, p[None], last[None], horizon, shift, scale)
    return mean[0], var[0]


def batch_moments(transform, transmat, means, covars, p, last, horizon, shift, scale):
    """`predictive_moments` from N origins at once: ``p`` (N, K), ``last`` (N, F).

    Returns the mean and variance, (N, H, F) each.
    """
    A = transmat
    n, F = len(p), means.shape[1]
    v = np.diagonal(covars, axis1=1, axis2=2)  # (K, F)
    a = np.repeat(p[:, :, None], F, axis=2)  # (N, K, F)
    mean, var = np.empty((n, horizon, F)), np.empty((n, horizon, F))

    def step(x):  # propagate one step: x (N, K, F) -> A' x
        return np.einsum("jk,njf->nkf", A, x)

    if transform == "log_diff":
        mz, vz = shift + scale * means, scale**2 * v  # log growth per step
        log_f1, log_f2 = mz + vz / 2, 2 * mz + 2 * vz  # log E[exp(kZ); s], k=1, 2
        g1, g2 = a.copy(), a.copy()  # normalised E[exp(S); s], E[exp(2S); s]
        l1, l2 = np.zeros((n, F)), np.zeros((n, F))  # log norms
        c1, c2 = log_f1.max(axis=0), log_f2.max(axis=0)
        for h in range(horizon):
            g1 = step(g1) * np.exp(log_f1 - c1)
            g2 = step(g2) * np.exp(log_f2 - c2)
            n1, n2 = g1.sum(1), g2.sum(1)  # (N, F)
            g1, g2 = g1 / n1[:, None], g2 / n2[:, None]
            l1, l2 = l1 + c1 + np.log(n1), l2 + c2 + np.log(n2)
            with np.errstate(over="ignore", invalid="ignore"):
                mean[:, h] = last * np.exp(l1)
                # Var = E[Y]^2 (E[exp(2S)] / E[exp(S)]^2 - 1)
                var[:, h] = mean[:, h] ** 2 * np.expm1(np.maximum(l2 - 2 * l1, 0.0))
        return mean, var
    m = means
    b, c = np.zeros_like(a), np.zeros_like(a)  # E[S; s], E[S^2; s] (diff)
    for h in range(horizon):
        a = step(a)
        if transform == "level":
            mu = (a * m).sum(1)  # (N, F)
            var_u = (a * (v + m**2)).sum(1) - mu**2
            mean[:, h] = shift + scale * mu
        else:
            bA, c = step(b), step(c)
            b = bA + a * m
            c = c + 2 * m * bA + a * (v + m**2)
            mu = b.sum(1)
            var_u = c.sum(1) - mu**2
            mean[:, h] = last + ((h + 1) * shift + scale * mu)
        with np.errstate(over="ignore"):
            var[:, h] = scale**2 * np.maximum(var_u, 0.0)
    return mean, var


def calibration_factors(chain, probs, values, horizon, shift, scale, max_origins):
    """Scale factors (H, F) of the predictive spread from in-sample forecasts.

    ``chain`` is ``(transform, transmat, means, covars)`` (standardised),
    ``probs`` (T', K) the filtered state probabilities of the transformed
    series of the levels ``values`` (T, F). From each of the last
    ``max_origins`` past origins ``t`` the filtered state is propagated ``h``
    steps (`batch_moments`); the factor at step ``h`` is the root mean square
    of the standardised errors ``(y[t + h] - mean) / sd`` over the origins
    where ``y[t + h]`` is known: 1 for a calibrated model, above 1 where its
    intervals are too narrow. Levels are divided by a power of two of their size
    first (exact), so nothing overflows; origins with a zero or non-finite
    variance are skipped, and steps without any finite error get 1.
    """
    transform = chain[0]
    lag = len(values) - len(probs)  # 1 for "diff" / "log_diff", 0 for "level"
    y = values / _power_of_two(np.abs(values).max(0))  # exact: scale-free levels
    ref = _power_of_two(np.abs(values).max(0))
    if transform != "log_diff":
        shift, scale = shift / ref, scale / ref
    origins = np.arange(lag, len(values) - 1)[-max_origins:]  # levels' positions
    mean, var = batch_moments(
        *chain, probs[origins - lag], y[origins], horizon, shift, scale
    )  # (N, H, F)
    factors = np.ones((horizon, y.shape[1]))
    for h in range(horizon):
        known = origins + h + 1 < len(y)
        target = y[origins[known] + h + 1]
        sd = np.sqrt(var[known, h])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            z = np.where(np.isfinite(sd), (target - mean[known, h]) / sd, np.nan)
        for j in range(y.shape[1]):
            zj = z[:, j][np.isfinite(z[:, j])]
            if len(zj):
                factors[h, j] = np.sqrt(np.mean(zj**2))
    return factors


def simulate_paths(
    rng, transform, transmat, means, covars, p, last, n, horizon, shift, scale
):
    """Monte Carlo level paths (n, H, F): state paths from ``p``, Gaussian emissions.

    Arguments as in `predictive_moments` (standardised ``means``, ``covars``);
    ``rng`` is a numpy Generator.
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
    u = means[states] + np.einsum("nhij,nhj->nhi", root[states], eps)
    z = shift + scale * u
    if transform == "level":
        return z
    total = np.cumsum(z, axis=1)
    if transform == "diff":
        return last + total
    with np.errstate(over="ignore"):
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
    """Marginal quantiles (alpha, H, F) of Gaussian mixtures with weights (H, K).

    Pass standardised ``means`` (K, F) and ``covars`` (K, F, F) and map the
    result back with ``shift + scale * q``: the root-finder's tolerance is then
    relative to the data's scale.
    """
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


def fill_empty_states(model, u):
    """Give states that explain less than ``MIN_OCCUPANCY`` points pooled moments.

    hmmlearn's M-step divides the covariance prior by a state's occupancy, so a
    state the data never visit keeps a variance of about ``1e3`` (standardised),
    which blows up lognormal forecasts. Such a state is unidentified: it gets the
    occupancy-weighted covariance of the others (and mean 0 if its mean is not
    finite). "tied" covariances are shared and left alone.
    """
    if model.n_components < 2:
        return model
    occupancy = model.predict_proba(u).sum(axis=0)  # (K,) expected points
    empty = occupancy < MIN_OCCUPANCY
    if not empty.any() or empty.all():
        return model
    means = model.means_.copy()
    means[empty & ~np.isfinite(means).all(axis=1)] = 0.0
    model.means_ = means
    if model.covariance_type != "tied":
        w = occupancy[~empty] / occupancy[~empty].sum()
        covars = np.array(model._covars_, dtype=float)
        covars[empty] = np.tensordot(w, covars[~empty], axes=1)
        model._covars_ = covars
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
