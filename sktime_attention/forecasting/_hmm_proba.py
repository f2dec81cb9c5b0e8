"""HMMForecaster's ``predict_proba``: its own mixture as an skpro distribution.

Mixed into :class:`~sktime_attention.forecasting.HMMForecaster` (see its
docstring, "Notes"). skpro is optional: it is imported only when
``predict_proba`` runs. Shape legend: N rows (forecast steps), M components,
K states, F columns of ``y``.

Given the states visited at steps ``1..h``, the transformed increments are
independent Gaussians, so the ``h``-step value depends on the path only through
its occupation counts ``n`` (visits per state, summing to ``h``): a Gaussian
("diff") or lognormal ("log_diff") with mean ``sum_k n_k mu_k`` and variance
``sum_k n_k var_k`` of the increments. The predictive distribution is the
mixture over ``n`` weighted by ``P(n)``, computed exactly by a forward
recursion over (state, counts) while the number of counts ``C(h + K - 1, K -
1)`` stays within ``MAX_COMPONENTS`` (and all steps together within 2 million);
for "level" it is the K-state mixture.
"""

__all__ = ["MAX_COMPONENTS", "occupation_mixture", "sampled_occupation"]

import warnings
from math import comb

import numpy as np
from skbase.utils.dependencies import _check_soft_dependencies

# Largest number of occupation counts (mixture components per row) computed
# exactly; beyond it the counts of the seeded Monte Carlo state paths are used.
MAX_COMPONENTS = 4096
_MAX_CELLS = 2_000_000  # cells of the recursion, and (step, count) pairs in all


def occupation_mixture(transmat, p, steps):
    """Exact occupation counts and probabilities at ``steps`` from ``p`` (K,).

    Returns counts (N, M, K) and weights (N, M) (zero-padded; rows sum to 1),
    or None when ``steps.max()`` needs more than ``MAX_COMPONENTS`` components
    or all steps together more than ``_MAX_CELLS``.
    """
    k, horizon = len(p), int(steps.max())
    if k == 1:
        return np.asarray(steps, dtype=float)[:, None, None], np.ones((len(steps), 1))
    size = (horizon + 1) ** (k - 1)
    n_comp = comb(horizon + k - 1, k - 1)
    if n_comp > MAX_COMPONENTS or max(k * size, len(steps) * n_comp) > _MAX_CELLS:
        return None
    dims = (horizon + 1,) * (k - 1)
    grid = np.indices(dims).reshape(k - 1, -1).T  # counts of states 0..K-2
    used = grid.sum(1)
    f = np.zeros((k, *dims))  # P(state now, counts so far)
    f[(slice(None),) + (0,) * (k - 1)] = p
    rows = {}
    for h in range(1, horizon + 1):
        f = np.tensordot(transmat, f, axes=([0], [0]))  # to-state first
        for s in range(k - 1):  # a visit to state s adds one to its count
            f[s] = np.roll(f[s], 1, axis=s)  # counts < h here: nothing wraps
        if h in steps:
            keep = used <= h
            probs = f.sum(0).reshape(-1)[keep]
            counts = np.column_stack([grid[keep], h - used[keep]])
            live = probs > 0
            rows[h] = counts[live], probs[live]
    return _pad([rows[h] for h in steps])


def sampled_occupation(rng, transmat, p, steps, n):
    """Occupation counts of ``n`` sampled state paths, as `occupation_mixture`.

    Draws the state paths exactly as ``simulate_paths`` does with the same
    ``rng`` (the paths behind ``predict_quantiles``); weights are the share of
    paths with each distinct count.
    """
    k, horizon = len(p), int(steps.max())
    cum = np.cumsum(transmat, axis=1)
    cum[:, -1] = 1.0
    s = rng.choice(k, size=n, p=p)
    counts = np.zeros((n, k), dtype=int)
    rows = {}
    for h in range(1, horizon + 1):
        s = (rng.random(n)[:, None] < cum[s]).argmax(axis=1)
        counts[np.arange(n), s] += 1
        if h in steps:
            unique, freq = np.unique(counts, axis=0, return_counts=True)
            rows[h] = unique, freq / n
    return _pad([rows[h] for h in steps])


def _pad(rows):
    m = max(len(w) for _, w in rows)
    counts = np.zeros((len(rows), m, rows[0][0].shape[1]))
    weights = np.zeros((len(rows), m))
    for i, (c, w) in enumerate(rows):
        counts[i, : len(w)], weights[i, : len(w)] = c, w
    return counts, weights


class _ProbaAPI:
    """``predict_proba`` of a fitted HMM forecaster: a ``RegimeMixture``."""

    def predict_proba(self, fh=None, X=None, marginal=True):
        """Return the predictive distribution: the HMM's own mixture per step.

        Every row (time point, and series of a panel) is a mixture over the
        regimes ("level") or regime-occupation counts ("diff", "log_diff") with
        Gaussian or lognormal components, calibrated like ``predict_quantiles``;
        see the class Notes. Needs skpro; without it, sktime's Normal with
        ``predict`` as mean and ``predict_var`` as variance, with a warning.

        Parameters
        ----------
        fh : int, list of int or ForecastingHorizon, optional
            Steps ahead or absolute time points after the cutoff; default: the
            ``fh`` passed to ``fit``.
        X : pd.DataFrame, optional
            Ignored (no exogenous data).
        marginal : bool, default=True
            Only marginal distributions per time point are available; the
            result is the same for False.

        Returns
        -------
        RegimeMixture
            skpro distribution, index and columns as ``predict``'s output.
        """
        if not getattr(self, "_is_vectorized", False) or not _has_skpro():
            return super().predict_proba(fh=fh, X=X, marginal=marginal)
        from sktime_attention.forecasting._hmm_mixture import stack_mixtures

        self.check_is_fitted()
        fh = self._check_fh(fh, pred_int=True)
        index = self.predict(fh=fh).index  # instances x time points, in order
        parts = [est.predict_proba(fh=fh) for est in self.forecasters_.iloc[:, 0]]
        return stack_mixtures(parts, index)

    def _predict_proba(self, fh, X, marginal=True):
        if not _has_skpro():
            warnings.warn(
                "HMMForecaster.predict_proba returns its regime mixture as an skpro "
                "distribution; skpro is not installed, so this is sktime's Normal "
                "with the same mean and variance (pip install skpro)",
                UserWarning,
                stacklevel=3,
            )
            return super()._predict_proba(fh=fh, X=X, marginal=marginal)
        from sktime_attention.forecasting._hmm_mixture import RegimeMixture

        steps = self._steps(fh)
        params = self._mixture_params(steps)
        index = fh.to_absolute_index(self.cutoff)
        return RegimeMixture(**params, index=index, columns=self._get_varnames())

    def _mixture_params(self, steps):
        """Weights, component means / sds, shift and scale, calibrated."""
        m = self.model_
        var = np.diagonal(self._std_covars, axis1=1, axis2=2)  # (K, F)
        if self.transform == "level":
            p = self._p_T
            weights = np.array(
                [p @ np.linalg.matrix_power(self.transmat_, h) for h in steps]
            )
            mu_u = np.broadcast_to(m.means_, (len(steps), *m.means_.shape))
            var_u, base = np.broadcast_to(var, mu_u.shape), self.shift_
        else:
            exact = occupation_mixture(self.transmat_, self._p_T, steps)
            if exact is None:  # too many counts: those of the Monte Carlo paths
                rng = np.random.default_rng(self._mc_seed)
                chain = (self.transmat_, self._p_T, steps, self.n_samples)
                exact = sampled_occupation(rng, *chain)
            counts, weights = exact
            mu_u, var_u = counts @ m.means_, counts @ var  # (N, M, F)
            base = steps[:, None, None] * self.shift_
        mu = base + self.scale_ * mu_u
        sd = self.scale_ * np.sqrt(var_u)
        mean = self._moments(steps.max())[0][steps - 1]  # (N, F)
        factor = self._factors(steps) if self.calibrate else np.ones_like(mean)
        if self.transform == "log_diff":  # y = mean + factor * (last e^t - mean)
            # a zero factor (errors all 0 in calibration): a point mass at the mean
            scale = np.maximum(factor * self._last, np.finfo(float).tiny)
            shift = mean - factor * mean
            return {
                "weights": weights,
                "mu": mu,
                "sigma": sd,
                "log": True,
                "shift": shift,
                "scale": scale,
            }
        if self.transform == "diff":
            mu = self._last + mu
        mean = mean[:, None]  # scale about the mean, as `_spread`
        mu, sd = mean + factor[:, None] * (mu - mean), factor[:, None] * sd
        return {"weights": weights, "mu": mu, "sigma": sd}


def _has_skpro():
    return _check_soft_dependencies("skpro", severity="none")
