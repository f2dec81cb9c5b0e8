"""Regime-switching forecaster: a Gaussian hidden Markov model fitted with hmmlearn.

The series is transformed (levels, differences or log differences), standardised,
and modelled as Gaussian emissions from ``K`` hidden regimes. Forecasts come from
forward filtering to the cutoff and propagating the state distribution with powers
of the transition matrix. Shape legend: T time steps, H forecast steps,
K states, F columns of ``y``.
"""

__all__ = ["HMMForecaster"]

import warnings

import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster

from sktime_attention.forecasting._hmm_calibration import _Calibration
from sktime_attention.forecasting._hmm_math import (
    fit_restarts,
    full_covars,
    mixture_quantiles,
    n_params,
    predictive_moments,
    standardise,
    transform_levels,
)
from sktime_attention.forecasting._hmm_proba import _ProbaAPI
from sktime_attention.forecasting._hmm_regimes import _RegimeAPI
from sktime_attention.forecasting._update import _SafeUpdate
from sktime_attention.utils._validation import (
    check_bool,
    check_columns,
    check_finite_frame,
    check_float,
    check_int,
    check_option,
    check_regular_index,
)

_COVARIANCE_TYPES = ("full", "diag", "spherical", "tied")
_TRANSFORMS = ("diff", "level", "log_diff")


class HMMConvergenceWarning(UserWarning):
    """EM stopped at ``n_iter`` before the log-likelihood gain fell below ``tol``."""


class HMMForecaster(_SafeUpdate, _ProbaAPI, _RegimeAPI, _Calibration, BaseForecaster):
    """Gaussian hidden Markov model forecaster with exact or Monte Carlo intervals.

    Fits ``hmmlearn.hmm.GaussianHMM`` to the transformed, standardised series
    (``n_init`` EM restarts, best log-likelihood kept). At the cutoff the filtered
    state distribution ``p_T = p(s_T | y_1..T)`` is propagated as
    ``p_h = p_T A^h``. Point forecasts and variances are exact for every
    transform (moment recursions over state paths; for ``"log_diff"`` the exact
    mean of the lognormal mixture, not ``exp`` of the expected log). Quantiles are
    exact for ``"level"`` (root of the Gaussian-mixture CDF) and seeded Monte Carlo
    over ``n_samples`` state/emission paths for ``"diff"`` and ``"log_diff"``.
    Multivariate ``y`` gets per-column (marginal) quantiles and variances.

    Calibration (``calibrate=True``): a misspecified HMM (autocorrelation or
    season within a regime) gives intervals of the wrong width. ``fit`` scores
    the model's own h-step forecasts from every past origin (filtered state
    there, propagated ``h`` steps, vectorised over origins): the factor
    ``calibration_`` at step ``h`` is the root mean square of the standardised
    errors ``(y - mean) / sd``. The predictive distribution is then scaled about
    its mean by that factor: variances by its square, quantiles and sample
    paths as ``mean + factor * (value - mean)``; point forecasts are unchanged.
    Steps are calibrated while at least 10 non-overlapping windows of that
    length fit in the data (up to 100 steps, or the longest step of an ``fh``
    passed to ``fit``); longer steps reuse the last factor. For "diff" and
    "log_diff" the calibrated variance never falls with the step.
    Exogenous ``X`` is ignored. ``y`` needs a regular time index (a
    ``DatetimeIndex`` with a set or inferable frequency, a ``PeriodIndex`` or
    integer index without gaps), in ``fit`` and, with the stored series, in
    ``update``.

    Scale: all arithmetic runs in standardised units, so forecasts, interval
    widths and standard deviations scale exactly with ``y`` (``1e-12`` to
    ``1e200``). Variance floors are relative: the standard deviation of the
    transformed series is at least ``64 * eps`` times the largest ``|y|``
    ("level", "diff") or ``64 * eps`` ("log_diff"), state variances at least
    ``1e-3`` of it. A (near) constant transformed series (flat ``y``, or exact
    geometric growth with "log_diff") thus gives its deterministic continuation
    with about zero variance. States that the data leave empty (less than one
    point's worth of posterior weight) get the occupancy-weighted covariance of
    the others. ``predict_var`` is ``inf`` only where the variance itself passes
    the float range (e.g. ``|y|`` above about ``1e154``).

    ``update`` matches columns by name (reordering is harmless; a univariate
    ``y`` under another name, or unnamed, is the fitted column; missing, extra
    or renamed columns raise). Values at time points already seen revise the
    stored series: the states are re-filtered from the start of the revised
    series (parameters are refitted only with ``refit_on_update``) and the
    cutoff stays at the latest point seen.

    Parameters
    ----------
    n_states : int >= 1 or "auto", default=2
        Number of hidden regimes; ``"auto"`` picks the lowest BIC in
        ``n_states_range``.
    n_states_range : tuple of two ints, default=(1, 4)
        Inclusive range searched when ``n_states="auto"``.
    covariance_type : {"diag", "full", "spherical", "tied"}, default="diag"
        hmmlearn's emission covariance structure.
    transform : {"diff", "level", "log_diff"}, default="diff"
        What the HMM models: levels, first differences, or differences of logs
        (the latter needs strictly positive ``y``).
    n_iter : int >= 1, default=100
        Maximum EM iterations per restart.
    n_init : int >= 1, default=3
        EM restarts with different seeds; the best log-likelihood is kept.
    tol : float > 0, default=1e-3
        EM stops when the log-likelihood gain falls below ``tol``.
    random_state : int >= 0 or None, default=None
        Seeds the restarts and the Monte Carlo paths; a fixed value makes fits
        and all predictions reproducible. A fitted forecaster always returns the
        same predictions on repeated calls.
    n_samples : int >= 10, default=2000
        Monte Carlo paths for ``"diff"`` / ``"log_diff"`` quantiles.
    refit_on_update : bool, default=False
        If True, ``update(update_params=True)`` refits on all data seen; otherwise
        ``update`` only extends the stored series and re-filters the states.
    calibrate : bool, default=True
        Scale the predictive spread per step by ``calibration_`` (above); False
        gives the model's own distribution (``calibration_`` all 1).

    Attributes
    ----------
    model_ : hmmlearn.hmm.GaussianHMM
        Fitted model, in standardised units; states ordered as below.
    shift_ : ndarray of shape (F,)
        Mean of the transformed training series ``z``; ``model_`` is fitted to
        ``(z - shift_) / scale_``.
    scale_ : ndarray of shape (F,)
        Standard deviation of ``z`` (1 where it is about 0).
    n_states_ : int
        Number of states used (chosen by BIC when ``n_states="auto"``).
    startprob_ : ndarray of shape (K,)
        Initial state distribution.
    transmat_ : ndarray of shape (K, K)
        Transition matrix, rows = from-state, columns = to-state.
    means_ : ndarray of shape (K, F)
        State means of the transformed series in its original units; states are
        sorted by the mean of the first column (``state_0`` lowest).
    covars_ : ndarray of shape (K, F, F)
        Full covariance matrix per state in original units of the transformed
        series, whatever ``covariance_type`` (diagonal for "diag", etc.).
    state_probs_ : pd.Series of length K
        Filtered probabilities ``p(s_T | y_1..T)`` at the cutoff, index
        ``state_0..state_{K-1}``; refreshed by ``update``.
    log_likelihood_ : float
        Log-likelihood of the transformed training series (original units).
    bic_ : float or dict of int -> float
        BIC of the fitted model, or ``{n_states: BIC}`` when ``n_states="auto"``.
    calibration_ : pd.DataFrame
        Spread factors, index ``step`` (1, 2, ...), columns those of ``y``; 1 for
        a calibrated model or ``calibrate=False``. Kept by ``update`` unless it
        refits.

    Notes
    -----
    ``predict_proba`` (needs skpro; else sktime's Normal with a warning) returns
    the model's own distribution per time point (and series of a panel), a
    ``RegimeMixture``: exact ``mean``, ``var``, ``pdf``, ``log_pdf``, ``cdf``,
    ``ppf`` by bisection of the cdf. "level": the Gaussian mixture over the
    states. "diff" / "log_diff": the Gaussian / lognormal mixture over the
    states' visit counts along the paths, exact up to 4096 counts per step
    (horizon 4095 with 2 states, 89 with 3, 27 with 4) and 2 million in all,
    beyond that the counts of the ``n_samples`` Monte Carlo state paths.
    Calibrated about its mean as the quantiles. Mean and variance equal
    ``predict`` and ``predict_var`` (beyond the exact range to Monte Carlo
    error); quantiles equal ``predict_quantiles`` for "level", and differ from
    its Monte Carlo quantiles by their sampling error otherwise.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktime_attention import HMMForecaster
    >>> y = load_airline()
    >>> forecaster = HMMForecaster(n_states=2, transform="log_diff", random_state=0)
    >>> forecaster.fit(y)
    HMMForecaster(random_state=0, transform='log_diff')
    >>> y_pred = forecaster.predict(fh=[1, 2, 3])
    >>> intervals = forecaster.predict_interval(fh=[1, 2, 3], coverage=0.9)
    >>> dist = forecaster.predict_proba(fh=[1, 2, 3])  # skpro distribution
    >>> regimes = forecaster.filter_states()  # (T - 1, K) filtered probabilities
    >>> forecaster.sample_paths(fh=[1, 2, 3]).shape  # Monte Carlo paths
    (2000, 3, 1)
    """

    _tags = {
        # packaging
        "authors": "sktime_attention developers",
        "maintainers": "sktime_attention developers",
        "python_dependencies": "hmmlearn",
        # data handling: uni- and multivariate y, X ignored
        "y_inner_mtype": "pd.DataFrame",
        "capability:multivariate": True,
        "capability:exogenous": False,
        "requires-fh-in-fit": False,
        # capabilities
        "capability:pred_int": True,
        "capability:insample": False,
        "capability:pred_int:insample": False,
        "capability:update": True,
        # randomness: fixed by random_state
        "capability:random_state": True,
        "property:randomness": "derandomized",
    }
    _config = {"remember_data": False}

    def __init__(
        self,
        n_states=2,
        n_states_range=(1, 4),
        covariance_type="diag",
        transform="diff",
        n_iter=100,
        n_init=3,
        tol=1e-3,
        random_state=None,
        n_samples=2000,
        refit_on_update=False,
        calibrate=True,
    ):
        self.n_states = n_states
        self.n_states_range = n_states_range
        self.covariance_type = covariance_type
        self.transform = transform
        self.n_iter = n_iter
        self.n_init = n_init
        self.tol = tol
        self.random_state = random_state
        self.n_samples = n_samples
        self.refit_on_update = refit_on_update
        self.calibrate = calibrate
        super().__init__()
        self._y = None
        self._X = None

    def _check_params(self):
        """Validate parameters; return the candidate numbers of states."""
        check_option(self.covariance_type, "covariance_type", _COVARIANCE_TYPES)
        check_option(self.transform, "transform", _TRANSFORMS)
        check_int(self.n_iter, "n_iter", minimum=1)
        check_int(self.n_init, "n_init", minimum=1)
        check_float(self.tol, "tol", low=0, low_open=True)
        check_int(self.random_state, "random_state", minimum=0, allow_none=True)
        check_int(self.n_samples, "n_samples", minimum=10)
        for name in ("refit_on_update", "calibrate"):
            check_bool(getattr(self, name), name)
        if isinstance(self.n_states, str) and self.n_states != "auto":
            raise ValueError(
                f"`n_states` must be an int >= 1 or 'auto', got {self.n_states!r}"
            )
        if self.n_states == "auto":
            rng = self.n_states_range
            if not (isinstance(rng, tuple | list) and len(rng) == 2):
                raise TypeError(
                    f"`n_states_range` must be a tuple (low, high), got {rng!r}"
                )
            low = check_int(rng[0], "n_states_range[0]", minimum=1)
            high = check_int(rng[1], "n_states_range[1]", minimum=low)
            return list(range(low, high + 1))
        return [check_int(self.n_states, "n_states", minimum=1)]

    def _check_data(self, y, name="y"):
        """Return ``y`` as a finite float array (T, F); never modifies ``y``."""
        if isinstance(y, pd.Series):
            y = y.to_frame()
        if not isinstance(y, pd.DataFrame):
            raise TypeError(f"`{name}` must be a pd.Series or pd.DataFrame, got {y!r}")
        values = check_finite_frame(y, name)
        check_regular_index(y.index, name)
        if self.transform == "log_diff" and values.size and values.min() <= 0:
            raise ValueError(
                f"`{name}` must be strictly positive when transform='log_diff', "
                f"got minimum value {float(values.min())!r}"
            )
        return values

    def _fit(self, y, X, fh):
        candidates = self._check_params()
        values = self._check_data(y)
        z = transform_levels(values, self.transform)
        needed = 2 * max(candidates)
        if len(z) < needed:
            raise ValueError(
                f"`y` is too short: {len(y)} point(s) leave {len(z)} after "
                f"transform={self.transform!r}, but {max(candidates)} state(s) need "
                f"at least {needed} (2 per state)"
            )
        self._cur_y = y.copy()
        self.shift_, self.scale_ = standardise(z, values, self.transform)
        u = (z - self.shift_) / self.scale_

        rng = np.random.default_rng(self.random_state)
        self._mc_seed = int(rng.integers(2**31 - 1))
        em = (self.covariance_type, self.n_iter, self.tol)
        fits = {
            k: fit_restarts(u, k, rng.integers(2**31 - 1, size=self.n_init), *em)
            for k in candidates
        }
        log_jac = len(z) * np.log(self.scale_).sum()  # standardised -> original
        bics = {
            k: float(-2 * (ll - log_jac) + n_params(m) * np.log(len(z)))
            for k, (m, ll) in fits.items()
        }
        self.n_states_ = min(bics, key=bics.get)
        self.model_, ll = fits[self.n_states_]
        self.log_likelihood_ = float(ll - log_jac)
        self.bic_ = bics if self.n_states == "auto" else bics[self.n_states_]

        hist = list(self.model_.monitor_.history)
        if len(hist) < 2 or hist[-1] - hist[-2] >= self.tol:
            warnings.warn(
                f"HMM EM did not converge in n_iter={self.n_iter} iterations "
                f"(tol={self.tol}); the model is usable but may be improved by a "
                "larger `n_iter`",
                HMMConvergenceWarning,
                stacklevel=3,  # the caller of fit / update
            )
        m = self.model_
        self.startprob_ = m.startprob_.copy()
        self.transmat_ = m.transmat_.copy()
        self.means_ = self.shift_ + m.means_ * self.scale_
        self._std_covars = full_covars(m)  # (K, F, F), standardised units
        with np.errstate(over="ignore"):  # inf only beyond the float range
            self.covars_ = self._std_covars * np.outer(self.scale_, self.scale_)
        probs = self._filter(values)
        self._set_filtered(probs[-1], values[-1])
        self._calibrate(probs, values, fh)
        return self

    def _set_filtered(self, probs, last):
        self._p_T = probs / probs.sum()
        self._last = last
        index = pd.Index(self._state_names(), name="state")
        self.state_probs_ = pd.Series(self._p_T, index=index, name="probability")

    def _update(self, y, X=None, update_params=True):
        """Extend the stored series with ``y`` and re-filter the state probabilities.

        Columns are matched by name (a single column under another name is taken
        as the fitted one). Time points already seen are revised: their new
        values replace the stored ones and the states are re-filtered from the
        start of the revised series; the cutoff stays at the latest point seen.
        Model parameters change only with ``refit_on_update=True``. On an error
        the forecaster is left as it was.
        """
        old = self._cur_y
        y = check_columns(y, old.columns, "y", "update", rename_single=True)
        values = self._check_data(y)
        cur = pd.concat([old, y])
        cur = cur[~cur.index.duplicated(keep="last")].sort_index()
        check_regular_index(cur.index, "y")
        if update_params and self.refit_on_update:
            self._fit(cur, X=None, fh=self._fh)
        else:
            self._refilter(old, cur, y, values)
        return self

    def _refilter(self, old, cur, y, values):
        """Filter the states of ``cur``: continue from the cutoff when possible."""
        if len(values) and y.index.min() > old.index[-1]:  # new data only
            prev = np.vstack([self._last, values])
            z = transform_levels(prev, self.transform)[-len(values) :]
            u = (z - self.shift_) / self.scale_
            probs = self._forward(u, self._p_T @ self.transmat_)
            self._cur_y = cur
            self._set_filtered(probs[-1], values[-1])
            return
        cur_values = cur.to_numpy(dtype=float)  # revised points: filter it all
        probs = self._filter(cur_values)
        self._cur_y = cur
        self._set_filtered(probs[-1], cur_values[-1])

    def _steps(self, fh):
        """Relative forecast steps (ints >= 1) of ``fh``."""
        steps = fh.to_relative(self.cutoff).to_numpy().astype(int)
        if steps.min() < 1:
            raise ValueError(f"`fh` must be out of sample (steps >= 1), got {steps}")
        return steps

    def _chain(self):
        """Return the transform, standardised chain, state probabilities, last level."""
        m = (self.transmat_, self.model_.means_, self._std_covars)
        return (self.transform, *m, self._p_T, self._last)

    def _moments(self, horizon):
        """Exact predictive mean and marginal variance of the levels, (H, F) each."""
        return predictive_moments(*self._chain(), horizon, self.shift_, self.scale_)

    def _moment_frame(self, fh, which):
        steps = self._steps(fh)
        values = self._moments(steps.max())[which][steps - 1]
        if which == 1:  # calibrated variance
            with np.errstate(over="ignore"):
                values = values * self._factors(steps) ** 2
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=self._cur_y.columns)

    def _predict(self, fh, X=None):
        return self._moment_frame(fh, 0)

    def _predict_var(self, fh, X=None, cov=False):
        if cov:
            raise NotImplementedError("HMMForecaster returns marginal variances only")
        return self._moment_frame(fh, 1)

    def _predict_quantiles(self, fh, X, alpha):
        steps = self._steps(fh)
        if self.transform == "level":  # exact: quantiles of a Gaussian mixture
            probs = self.predict_state_probs(fh).to_numpy()  # (H, K)
            q = mixture_quantiles(probs, self.model_.means_, self._std_covars, alpha)
            q = self._spread(self.shift_ + self.scale_ * q, steps)
        else:  # Monte Carlo over (calibrated) state paths, (alpha, H, F)
            q = np.quantile(self.sample_paths(fh), alpha, axis=0)
        columns = pd.MultiIndex.from_product([self._get_varnames(), list(alpha)])
        values = q.transpose(1, 2, 0).reshape(len(steps), -1)  # var-major, then alpha
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=columns)

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return cheap parameter sets for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Unused; present for the sktime interface.

        Returns
        -------
        list of dict
            Arguments for ``__init__``: MC ``"diff"``, exact ``"level"``, "auto".
        """
        cheap = {"n_iter": 50, "n_init": 1, "n_samples": 100, "random_state": 0}
        return [
            {**cheap, "random_state": 0},
            {**cheap, "n_states": 1, "transform": "level", "covariance_type": "full"},
            {**cheap, "n_states": "auto", "n_states_range": (1, 2), "n_init": 2},
        ]
