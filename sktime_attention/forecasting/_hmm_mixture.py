"""Per-row Gaussian / lognormal mixtures: HMMForecaster's predictive distribution.

An skpro distribution (skpro is an optional dependency: this module imports
it). Shape legend: N rows (time points, series x time points for panels),
C columns (variables), M mixture components.
"""

__all__ = ["RegimeMixture", "stack_mixtures"]

import numpy as np
import pandas as pd
from scipy.special import logsumexp, ndtr, ndtri
from skpro.distributions.base import BaseDistribution

_TINY = np.finfo(float).tiny  # floor on component sds: zero spread stays finite
_EPS = np.finfo(float).eps
_BISECT_ITER = 200  # bisection steps of ppf; it stops at float precision (~60)
_LOG_SQRT_2PI = 0.5 * np.log(2 * np.pi)


def _as3d(arr, name):
    arr = np.asarray(arr, dtype=float)
    if arr.ndim == 1:  # scalar distribution: (M,) -> (1, M, 1)
        return arr[None, :, None]
    if arr.ndim == 2:  # one column: (N, M) -> (N, M, 1)
        return arr[:, :, None]
    if arr.ndim != 3:
        raise ValueError(f"`{name}` must have 1 to 3 dimensions, got shape {arr.shape}")
    return arr


class RegimeMixture(BaseDistribution):
    r"""Mixture distribution with its own weights, means and sds in every row.

    Entry ``(i, j)`` is ``shift[i, j] + scale[i, j] * Y`` where ``Y`` has density
    ``sum_m weights[i, m] f(y; mu[i, m, j], sigma[i, m, j])`` and ``f`` is a
    Normal density (``log=False``) or a lognormal one (``log=True``: ``log Y``
    is the Normal mixture). Mean, variance, pdf, log-pdf and cdf are exact;
    ppf is the root of the cdf by vectorised bisection, to float precision;
    ``sample`` draws every entry independently (the marginals). This is
    :class:`~sktime_attention.forecasting.HMMForecaster`'s ``predict_proba``:
    rows are forecast time points, components regimes or regime-occupation
    counts (skpro's ``Mixture`` has one weight vector for all rows).

    Parameters
    ----------
    weights : array-like of shape (N, M), (N, M, C) or (M,)
        Non-negative mixture weights per row (and column); each row's weights
        are normalised to sum to 1. ``(M,)`` with ``mu`` and ``sigma`` of shape
        ``(M,)`` and no ``index`` / ``columns`` makes a scalar distribution.
    mu : array-like of shape (N, M, C), (N, M) or (M,)
        Component means (of ``log Y`` when ``log=True``).
    sigma : array-like, same shape as ``mu``
        Component standard deviations, >= 0 (of ``log Y`` when ``log=True``).
    log : bool, default=False
        Lognormal components instead of Normal ones.
    shift : float or array-like broadcastable to (N, C), default=0.0
        Shift of the mixture.
    scale : float or array-like broadcastable to (N, C), default=1.0
        Positive factor of the mixture.
    index : pd.Index, optional
        Row index, default ``RangeIndex(N)``.
    columns : pd.Index, optional
        Column index, default ``RangeIndex(C)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.forecasting._hmm_mixture import RegimeMixture
    >>> weights = np.array([[0.5, 0.5], [0.9, 0.1]])  # (N, M): 2 rows, 2 comps
    >>> mu = np.array([[-1.0, 1.0], [0.0, 10.0]])[:, :, None]  # (N, M, C)
    >>> d = RegimeMixture(weights, mu, np.ones_like(mu))
    >>> d.mean().round(3)
         0
    0  0.0
    1  1.0
    >>> d.cdf(d.ppf(0.3)).round(6)
         0
    0  0.3
    1  0.3
    """

    _tags = {
        "authors": "sktime_attention developers",
        "python_dependencies": "skpro",
        "capabilities:approx": ["energy", "pdfnorm"],
        "capabilities:exact": ["mean", "var", "pdf", "log_pdf", "cdf", "ppf"],
        "distr:measuretype": "continuous",
        "distr:paramtype": "composite",
    }

    def __init__(
        self,
        weights,
        mu,
        sigma,
        log=False,
        shift=0.0,
        scale=1.0,
        index=None,
        columns=None,
    ):
        self.weights = weights
        self.mu = mu
        self.sigma = sigma
        self.log = log
        self.shift = shift
        self.scale = scale
        mu3, sd3 = _as3d(mu, "mu"), _as3d(sigma, "sigma")
        w = np.asarray(weights, dtype=float)
        w3 = w[:, :, None] if w.ndim == 2 else _as3d(w, "weights")
        scalar = index is None and columns is None and np.ndim(mu) == 1
        n, m, c = mu3.shape
        if sd3.shape != mu3.shape:
            raise ValueError(
                f"`sigma` must have the shape of `mu` {np.shape(mu)}, "
                f"got {np.shape(sigma)}"
            )
        if w3.shape[:2] != (n, m) or w3.shape[2] not in (1, c):
            raise ValueError(
                f"`weights` must have shape (N, M) or (N, M, C) = {(n, m, c)}, "
                f"got {w.shape}"
            )
        if not (np.isfinite(w3).all() and (w3 >= 0).all() and (w3.sum(1) > 0).all()):
            raise ValueError("`weights` must be finite, >= 0 and positive per row")
        if not (np.all(sd3 >= 0) and not np.isnan(mu3).any()):
            raise ValueError("`sigma` must be >= 0 and `mu` free of NaN")
        self._w = np.broadcast_to(w3 / w3.sum(1, keepdims=True), (n, m, c))
        self._mu, self._sd = mu3, np.maximum(sd3, _TINY)
        self._sh = np.broadcast_to(np.asarray(shift, dtype=float), (n, c))
        self._sc = np.broadcast_to(np.asarray(scale, dtype=float), (n, c))
        if not (self._sc > 0).all():
            raise ValueError(f"`scale` must be > 0, got {scale!r}")
        if not scalar:
            index = pd.RangeIndex(n) if index is None else index
            columns = pd.RangeIndex(c) if columns is None else columns
            if (len(index), len(columns)) != (n, c):
                raise ValueError(
                    f"`index` and `columns` must have lengths {(n, c)}, "
                    f"got {(len(index), len(columns))}"
                )
        super().__init__(index=index, columns=columns)

    # -- helpers: arrays (N, C) in, (N, C) out; ``t`` is the Normal mixture's axis
    def _out(self, res):
        return float(res[0, 0]) if self.ndim == 0 else res

    def _in(self, x):
        return np.broadcast_to(np.asarray(x, dtype=float), self._sh.shape)

    def _to_t(self, x):
        """Map values ``x`` to the Normal axis ``t`` and ``y = (x - shift) / scale``."""
        y = (self._in(x) - self._sh) / self._sc
        if not self.log:
            return y, y
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(y > 0, np.log(np.where(y > 0, y, 1.0)), -np.inf), y

    def _component_means(self):
        """Mean of each component of ``Y`` (N, M, C)."""
        if not self.log:
            return self._mu
        with np.errstate(over="ignore"):
            return np.exp(self._mu + self._sd**2 / 2)

    def _mean(self):
        mean = (self._w * self._component_means()).sum(1)
        return self._out(self._sh + self._sc * mean)

    def _var(self):
        """Law of total variance, in units of a power of two of the spread.

        The division is exact and keeps squares finite, so the variance is
        ``inf`` only where it passes the float range.
        """
        means = self._component_means()
        dev = means - (self._w * means).sum(1, keepdims=True)
        sd = self._sd if not self.log else means * np.sqrt(np.expm1(self._sd**2))
        size = np.where(self._w > 0, np.maximum(abs(dev), sd), 0).max(1)
        ref = np.ldexp(1.0, np.frexp(np.where(size > 0, size, 1.0))[1])[:, None]
        var = (self._w * ((sd / ref) ** 2 + (dev / ref) ** 2)).sum(1)
        with np.errstate(over="ignore"):
            return self._out((self._sc * ref[:, 0]) ** 2 * var)

    def _log_pdf(self, x):
        t, y = self._to_t(x)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            z = (t[:, None] - self._mu) / self._sd
            log_w = np.log(self._w)
            log_f = logsumexp(log_w - z**2 / 2 - np.log(self._sd), axis=1)
            log_f = log_f - _LOG_SQRT_2PI - np.log(self._sc)
            if self.log:
                log_f = np.where(y > 0, log_f - t, -np.inf)
        return self._out(log_f)

    def _pdf(self, x):
        return self._out(np.exp(np.asarray(self._log_pdf(x)).reshape(self._sh.shape)))

    def _cdf(self, x):
        t, _ = self._to_t(x)
        return self._out(self._t_cdf(t))

    def _t_cdf(self, t):
        """Mixture cdf on the Normal axis; floored sds give steps, not NaN."""
        with np.errstate(over="ignore", divide="ignore"):
            return (self._w * ndtr((t[:, None] - self._mu) / self._sd)).sum(1)

    def _ppf(self, p):
        p = self._in(p)
        inner = (p > 0) & (p < 1)
        pc = np.where(inner, p, 0.5)
        # the quantile lies between the components' own quantiles (weight > 0)
        q = self._mu + self._sd * ndtri(pc)[:, None]
        live = self._w > 0
        low = np.where(live, q, np.inf).min(1)
        high = np.where(live, q, -np.inf).max(1)
        for _ in range(_BISECT_ITER):
            if np.all(high - low <= 4 * _EPS * np.maximum(abs(low), abs(high))):
                break
            mid = low + (high - low) / 2
            below = self._t_cdf(mid) < pc
            low, high = np.where(below, mid, low), np.where(below, high, mid)
        t = low + (high - low) / 2
        t = np.where(p <= 0, -np.inf, np.where(p >= 1, np.inf, t))
        y = np.exp(t) if self.log else t
        return self._out(self._sh + self._sc * y)

    def _sample(self, n_samples=None):
        n = 1 if n_samples is None else n_samples
        cum = np.cumsum(self._w, axis=1)  # (N, M, C)
        # numpy's global state, as skpro's distributions: np.random.seed applies
        u = np.random.uniform(size=(n, *self._sh.shape))  # noqa: NPY002
        comp = np.empty(u.shape, dtype=int)
        for i, j in np.ndindex(self._sh.shape):
            comp[:, i, j] = np.searchsorted(cum[i, :, j], u[:, i, j] * cum[i, -1, j])
        comp = np.minimum(comp, cum.shape[1] - 1)
        rows, cols = np.indices(self._sh.shape)
        noise = np.random.standard_normal(u.shape)  # noqa: NPY002
        t = self._mu[rows, comp, cols] + self._sd[rows, comp, cols] * noise
        x = self._sh + self._sc * (np.exp(t) if self.log else t)  # (n, N, C)
        if self.ndim == 0:
            return float(x[0, 0, 0]) if n_samples is None else pd.DataFrame(x[:, 0])
        if n_samples is None:
            return pd.DataFrame(x[0], index=self.index, columns=self.columns)
        index = pd.MultiIndex.from_product([pd.RangeIndex(n), self.index])
        x = x.reshape(-1, x.shape[-1])
        return pd.DataFrame(x, index=index, columns=self.columns)

    def _subset(self, rows, cols, index, columns):
        w = self._w[rows][:, :, cols]
        mu, sd = self._mu[rows][:, :, cols], self._sd[rows][:, :, cols]
        shift, scale = self._sh[rows][:, cols], self._sc[rows][:, cols]
        return type(self)(w, mu, sd, self.log, shift, scale, index, columns)

    def _iloc(self, rowidx=None, colidx=None):
        def positions(idx, size):
            if idx is None:
                return np.arange(size)
            return np.arange(size)[idx].reshape(-1)

        if all(i is not None and np.ndim(i) == 0 for i in (rowidx, colidx)):
            return self._iat(rowidx, colidx)
        rows = positions(rowidx, len(self.index))
        cols = positions(colidx, len(self.columns))
        return self._subset(rows, cols, self.index.take(rows), self.columns.take(cols))

    def _iat(self, rowidx=None, colidx=None):
        i, j = int(rowidx), int(colidx)
        return type(self)(
            self._w[i, :, j],
            self._mu[i, :, j],
            self._sd[i, :, j],
            self.log,
            float(self._sh[i, j]),
            float(self._sc[i, j]),
        )

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return parameter sets for skpro's distribution checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Unused; present for the skbase interface.

        Returns
        -------
        list of dict
            A Normal mixture with per-row weights (3 x 2), a shifted and scaled
            lognormal one with named index and columns, and a scalar mixture.
        """
        weights = np.array([[0.3, 0.7], [0.5, 0.5], [0.8, 0.2]])
        mu = np.array([[[0, 1], [3, 4]], [[1, 2], [4, 5]], [[2, 3], [5, 6]]])
        sigma = np.full((3, 2, 2), 0.5)
        named = {"index": pd.Index([1, 2, 5]), "columns": pd.Index(["a", "b"])}
        return [
            {"weights": weights, "mu": mu, "sigma": sigma},
            {
                **{"weights": weights, "mu": mu / 10, "sigma": sigma / 5},
                **{"log": True, "shift": -1.0, "scale": 2.0, **named},
            },
            {"weights": [0.4, 0.6], "mu": [0.0, 3.0], "sigma": [1.0, 2.0]},
        ]


def stack_mixtures(parts, index):
    """Stack the rows of ``RegimeMixture`` objects (same columns) under ``index``.

    Components are padded with zero weight up to the largest count.
    """
    m = max(part._mu.shape[1] for part in parts)

    def pad(arr, value):
        extra = m - arr.shape[1]
        return np.pad(arr, ((0, 0), (0, extra), (0, 0)), constant_values=value)

    first = parts[0]
    return RegimeMixture(
        np.concatenate([pad(part._w, 0.0) for part in parts]),
        np.concatenate([pad(part._mu, 0.0) for part in parts]),
        np.concatenate([pad(part._sd, 1.0) for part in parts]),
        first.log,
        np.concatenate([part._sh for part in parts]),
        np.concatenate([part._sc for part in parts]),
        index,
        first.columns,
    )
