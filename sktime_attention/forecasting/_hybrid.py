"""Weighted ensemble of heterogeneous forecasters with weights learned on a holdout.

Shape legend: M members, N holdout samples (fold x step), H forecast steps,
C columns of ``y``, K output columns of a member (C, or C x quantile levels).
"""

__all__ = ["HybridForecaster", "default_forecasters"]

import math
import numbers
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from scipy.stats import norm
from sktime.base import _HeterogenousMetaEstimator
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
from sktime.split import ExpandingWindowSplitter
from sktime.split.base import BaseSplitter

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._weights import simplex_weights
from sktime_attention.utils._validation import (
    check_finite_frame,
    check_int,
    check_option,
)

_LEARNED = ("inverse_error", "optimal")
_REMEMBER_DATA = "The default of config ``remember_data``"
_REGISTRY = {}  # "default" filters show a re-emitted warning once per location


@contextmanager
def _quiet():
    """Drop sktime 1.2's remember_data FutureWarning of members; re-emit the rest.

    Clones made in fit are ours, so that warning is noise. An ignore filter is not
    enough: sktime's ``_suppress_pd22_warning`` prepends
    ``filterwarnings("default", FutureWarning)`` on exit, which overrides it.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    caught = [w for w in caught if not str(w.message).startswith(_REMEMBER_DATA)]
    if caught:  # module names let filters such as "ignore:::sktime.*" apply
        modules = {
            getattr(m, "__file__", None): k for k, m in sys.modules.copy().items()
        }
        for w in caught:
            module = modules.get(w.filename)
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, module, _REGISTRY
            )


def default_forecasters():
    """Return fresh, unfitted default members of `HybridForecaster`.

    ``HybridForecaster(forecasters=None)`` builds these in ``fit``; pass them
    explicitly to tune them with ``<member>__<param>`` keys.

    Returns
    -------
    list of (str, sktime forecaster)
        ``("attention", AttentionLSTMForecaster(window_length=12,
        attention="luong_general", hidden_size=16, max_epochs=50, patience=5))``
        for nonlinear and seasonal patterns, ``("arima",
        StatsModelsARIMA(order=(1, 1, 1), trend="t"))`` for linear dynamics with
        drift (no seasonal period assumed) and ``("hmm", HMMForecaster())`` for
        regime switches.

    Examples
    --------
    >>> from sktime_attention.forecasting import HybridForecaster, default_forecasters
    >>> [name for name, _ in default_forecasters()]
    ['attention', 'arima', 'hmm']
    >>> hybrid = HybridForecaster(default_forecasters()).set_params(
    ...     attention__max_epochs=2, arima__order=(2, 1, 0)
    ... )
    >>> hybrid.get_params()["attention__max_epochs"]
    2
    """
    from sktime.forecasting.arima import StatsModelsARIMA

    from sktime_attention.forecasting._hmm import HMMForecaster

    attention = AttentionLSTMForecaster(
        window_length=12,
        attention="luong_general",
        hidden_size=16,
        max_epochs=50,
        patience=5,
    )
    with _quiet():
        arima = StatsModelsARIMA(order=(1, 1, 1), trend="t")
    return [("attention", attention), ("arima", arima), ("hmm", HMMForecaster())]


def _rows(table_steps, steps):
    """Positions of the table rows nearest to each forecast step."""
    return np.abs(np.asarray(table_steps)[None, :] - steps[:, None]).argmin(axis=1)


class HybridForecaster(_HeterogenousMetaEstimator, BaseForecaster):
    """Weighted blend of member forecasters, weights fixed or learned on a holdout.

    The forecast is ``sum_j w_j * yhat_j``, per step with ``per_horizon``, with
    the same weights for every column of ``y``. Learned weights come from
    temporal cross-validation on the training data: in each fold of ``cv`` clones
    of the members are fitted on the training window and forecast the test
    window; the weights are fitted to those forecasts. Then fresh clones are
    fitted on all of ``y`` into ``forecasters_``. Fixed weights skip the
    cross-validation.

    Parameters
    ----------
    forecasters : list of (str, sktime forecaster) pairs or None, default=None
        Members (unique names without ``"__"``); ``<member>__<param>`` keys of
        ``get_params`` / ``set_params`` tune them. None: the members of
        `default_forecasters` (attention LSTM, ARIMA(1, 1, 1) with drift, 2-state
        HMM), built in ``fit``; None has no member parameters, so to tune the
        defaults pass them: ``HybridForecaster(default_forecasters())
        .set_params(attention__max_epochs=2)``.
    weights : "optimal", "inverse_error", "equal", list of float or dict
        ``"optimal"`` (default): weights >= 0 summing to 1 minimising the holdout
        ``metric`` of the blend (SLSQP for "mse", a linear programme for "mae").
        ``"inverse_error"``: proportional to 1 / holdout ``metric``. Members
        with zero holdout error share all the weight in both. ``"equal"``: 1/M.
        A list (one value per member) or dict (name -> value, missing names 0)
        of values >= 0 is normalised to sum 1.
    cv : sktime splitter or None, default=None
        Holdout folds for learned weights (the splitter's ``fh`` sets the steps).
        None: ``ExpandingWindowSplitter`` over the steps of ``fh`` (largest H),
        up to 3 folds with cutoffs ``ceil(H / 2)`` apart, the last H steps
        before the end, a first training window of at least ``max(2 * H, 10,
        window_length + H + 1)`` (largest member ``window_length``, if any);
        a shorter ``y`` raises a ``ValueError``.
    metric : {"mse", "mae"}, default="mse"
        Holdout loss for learning weights, on errors divided by each column's
        standard deviation.
    per_horizon : bool, default=False
        One weight vector per forecast step (learned weights only); steps not
        seen in fit use the nearest learned step.
    random_state : int >= 0 or None, default=None
        If an int, each member gets its own seed drawn from it, set on each of
        its ``random_state`` parameters (nested too) that is None; explicit seeds
        are kept. Every fold and the final fit use the same seeds.

    Attributes
    ----------
    forecasters_ : list of (str, forecaster)
        Members fitted on all data (clones; ``forecasters`` stays unfitted, and
        None with the default members).
    weights_ : pd.Series or pd.DataFrame
        Index member names; with ``per_horizon`` a DataFrame, index forecast
        ``step``, columns members. Non-negative, each row sums to 1.
    cv_errors_ : pd.DataFrame or None
        Holdout ``"mse"`` and ``"mae"`` (columns) per member (index), in units of
        ``y``, over all folds, steps and columns. None for fixed weights.
    cv_blend_rmse_ : pd.DataFrame or None
        Holdout RMSE of the blend, index forecast ``step``, columns those of
        ``y``; optimistic (weights fitted on it); the scale of residual
        intervals. None for fixed weights.
    interval_method_ : {"members", "residuals"} or None
        How intervals are made (Notes): ``"members"`` if every fitted member has
        intervals, else ``"residuals"`` with learned weights; None (no intervals)
        with fixed weights.

    Notes
    -----
    Intervals: if all members have them, the weighted average of the members'
    quantiles (the point forecast's weights); else, with learned weights, point
    forecast + ``norm.ppf(alpha) * cv_blend_rmse_`` per step (Gaussian: each step
    has few holdout residuals); fixed weights then give none. ``fit`` needs
    ``fh`` when weights are learned with the default ``cv`` or a member needs it.
    ``update`` updates the members and keeps the weights. Multivariate ``y`` goes
    to every member (univariate sktime members fit one copy per column), so one
    ``weights_`` serves all columns; panels get one hybrid per series (sktime
    then stores those in ``forecasters_``).

    Attention of the attention member: ``get_member("attention")
    .attention_weights_``, ``forecasters_[i][1].attention_weights_`` or
    ``get_fitted_params()["attention__attention_weights"]`` (sktime drops the
    trailing underscore).

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktime.forecasting.naive import NaiveForecaster
    >>> from sktime_attention import AttentionLSTMForecaster
    >>> from sktime_attention import HybridForecaster
    >>> y = load_airline()
    >>> hybrid = HybridForecaster(
    ...     [
    ...         ("naive", NaiveForecaster(strategy="last", sp=12)),
    ...         ("attention", AttentionLSTMForecaster(window_length=12, max_epochs=2)),
    ...     ],
    ...     random_state=0,
    ... )
    >>> hybrid.fit(y, fh=[1, 2, 3])
    HybridForecaster(...)
    >>> y_pred = hybrid.predict()
    >>> round(float(hybrid.weights_.sum()), 6)
    1.0
    >>> attention = hybrid.get_fitted_params()["attention__attention_weights"]
    >>> attention.shape  # forecast step x encoder lag
    (3, 12)
    """

    _tags = {
        # packaging
        "authors": ["sktime_attention developers"],
        "maintainers": ["sktime_attention developers"],
        # capabilities; pred_int, requires-fh-in-fit, non_contiguous_X: dynamic
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:insample": False,
        "capability:pred_int:insample": False,
        "capability:update": True,
        "capability:random_state": True,
        "property:randomness": "derandomized",
        # data
        "y_inner_mtype": ["pd.DataFrame"],
        "X_inner_mtype": ["pd.DataFrame"],
        "fit_is_empty": False,
        "visual_block_kind": "parallel",
    }
    _config = {"remember_data": False}
    _steps_attr = "_forecasters"
    _steps_fitted_attr = "forecasters_"

    def __init__(
        self,
        forecasters=None,
        weights="optimal",
        cv=None,
        metric="mse",
        per_horizon=False,
        random_state=None,
    ):
        self.forecasters = forecasters
        self.weights = weights
        self.cv = cv
        self.metric = metric
        self.per_horizon = per_horizon
        self.random_state = random_state
        super().__init__()
        self._y = None
        self._X = None

    # -- members ------------------------------------------------------------------
    @property
    def _forecasters(self):
        """Members as (name, estimator) pairs; none for None (no nested params)."""
        return [] if self.forecasters is None else [(n, e) for n, e in self.forecasters]

    @_forecasters.setter
    def _forecasters(self, value):
        self.forecasters = value

    def set_params(self, **params):
        """Set parameters; ``<member>__<param>`` keys tune members.

        With ``forecasters=None`` the default members exist only from ``fit`` on,
        so they have no parameters here; tune them through an explicit list:
        ``HybridForecaster(default_forecasters()).set_params(attention__max_epochs=2)``.

        Parameters
        ----------
        **params : dict
            Parameter names (``<member>__<parameter>`` for members) and values.

        Returns
        -------
        self
        """
        if params.get("forecasters", self.forecasters) is None:
            defaults = [name for name, _ in default_forecasters()]
            keys = [key for key in params if key.split("__")[0] in defaults]
            if keys:
                raise ValueError(
                    f"`forecasters` is None, so {keys} name no member: the default "
                    "members are built in fit. To tune them, pass them explicitly: "
                    "HybridForecaster(default_forecasters(), ...).set_params("
                    f"{', '.join(f'{key}=...' for key in keys)})"
                )
        return super().set_params(**params)

    def _check_members(self):
        """Validate ``forecasters``; return its (name, estimator) pairs or defaults."""
        given = self.forecasters
        if given is None:
            return default_forecasters()
        if (
            not isinstance(given, list | tuple)
            or not given
            or not all(
                isinstance(m, list | tuple) and len(m) == 2 and isinstance(m[0], str)
                for m in given
            )
        ):
            raise TypeError(
                "`forecasters` must be a non-empty list of (name, forecaster) "
                f"pairs or None, got {given!r}"
            )
        members = [(name, est) for name, est in given]
        for name, est in members:
            if not isinstance(est, BaseForecaster):
                raise TypeError(
                    f"`forecasters` member {name!r} must be an sktime forecaster, "
                    f"got {type(est).__name__}"
                )
        names = [name for name, _ in members]
        dups = sorted({n for n in names if names.count(n) > 1})
        bad = dups or [n for n in names if "__" in n or n in self.get_params(False)]
        if bad:
            raise ValueError(
                "`forecasters` names must be unique, free of '__' and differ from "
                f"parameter names, got {names} (offending: {bad})"
            )
        return members

    def __post_init__(self):
        """Reject malformed ``forecasters`` at construction."""
        if self.forecasters is not None:
            self._check_members()

    def __dynamic_tags__(self):
        # runs before __post_init__: skip malformed members, that raises later
        given = self.forecasters
        members = default_forecasters() if given is None else given
        members = (
            [
                (m[0], m[1])
                for m in members
                if isinstance(m, list | tuple)
                and len(m) == 2
                and isinstance(m[1], BaseForecaster)
            ]
            if isinstance(members, list | tuple)
            else []
        )
        learned = isinstance(self.weights, str) and self.weights in _LEARNED
        pred_int = all(est.get_tag("capability:pred_int", False) for _, est in members)
        self.set_tags(**{"capability:pred_int": pred_int or learned})
        fh_needed = learned and self.cv is None
        self._anytagis_then_set("requires-fh-in-fit", True, fh_needed, members)
        self._anytagis_then_set("capability:non_contiguous_X", False, True, members)

    def _sk_visual_block_(self):
        if self.forecasters is None:  # draw the members that fit builds
            return type(self)(default_forecasters())._sk_visual_block_()
        return super()._sk_visual_block_()

    def _check_params(self, names):
        """Validate parameters; return the normalised fixed weights or None."""
        check_option(self.metric, "metric", ("mse", "mae"))
        check_int(self.random_state, "random_state", minimum=0, allow_none=True)
        if not isinstance(self.per_horizon, bool | np.bool_):
            raise TypeError(f"`per_horizon` must be a bool, got {self.per_horizon!r}")
        if self.cv is not None and not isinstance(self.cv, BaseSplitter):
            raise TypeError(f"`cv` must be an sktime splitter or None, got {self.cv!r}")
        spec = self.weights
        if isinstance(spec, str):
            check_option(spec, "weights", ("equal", *_LEARNED))
            if spec in _LEARNED:
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
        if self.per_horizon:
            raise ValueError("`per_horizon=True` needs learned `weights`, got fixed")
        if not all(
            isinstance(v, numbers.Real) and not isinstance(v, bool) for v in values
        ):
            raise ValueError(f"`weights` must be finite and >= 0, got {spec!r}")
        values = np.asarray(values, dtype=float)
        if not np.isfinite(values).all() or (values < 0).any():
            raise ValueError(f"`weights` must be finite and >= 0, got {spec!r}")
        if values.sum() <= 0:
            raise ValueError(f"`weights` must not all be 0, got {spec!r}")
        return values / values.sum()

    def _member_clones(self):
        """Fresh clones of the members, seeded from ``random_state``."""
        members = self._members
        seeds = np.random.default_rng(self.random_state).integers(
            2**31 - 1, size=len(members)
        )
        clones = []
        for (name, est), seed in zip(members, seeds):
            with _quiet():
                est = est.clone()
            if self.random_state is not None:
                est.set_params(
                    **{
                        key: int(seed)
                        for key, value in est.get_params().items()
                        if value is None and key.split("__")[-1] == "random_state"
                    }
                )
            clones.append((name, est))
        return clones

    @staticmethod
    def _call(name, where, method, *args, **kwargs):
        """Call a member's method; errors get a note naming the member."""
        try:
            with _quiet():
                return method(*args, **kwargs)
        except Exception as err:
            err.add_note(f"raised by member {name!r} of HybridForecaster ({where})")
            raise

    def get_member(self, name):
        """Return the fitted member called ``name`` (from ``forecasters_``).

        Parameters
        ----------
        name : str
            Member name, e.g. ``"attention"``.

        Returns
        -------
        sktime forecaster
            The member fitted on all data seen in ``fit``.
        """
        self.check_is_fitted()
        members = dict(self.forecasters_)
        if name not in members:
            raise ValueError(f"`name` must be one of {list(members)}, got {name!r}")
        return members[name]

    # -- fit ------------------------------------------------------------------------
    def _check_data(self, y, X):
        """Reject NaN, inf and repeated time points before any member sees them."""
        check_finite_frame(y, "y")
        if X is not None:
            check_finite_frame(X, "X")

    def _fit(self, y, X=None, fh=None):
        self._members = self._check_members()  # unfitted; the defaults for None
        names = [name for name, _ in self._members]
        fixed = self._check_params(names)
        self._check_data(y, X)
        self._y_columns = list(y.columns)
        self.cv_errors_, self.cv_blend_rmse_ = None, None
        if fixed is None:
            self._learn_weights(y, X, fh, names)
        else:
            self.weights_ = pd.Series(fixed, index=names, name="weight")
        self.forecasters_ = [
            (name, self._call(name, "final fit", est.fit, y, X, fh))
            for name, est in self._member_clones()
        ]
        if all(e.get_tag("capability:pred_int", False) for _, e in self.forecasters_):
            self.interval_method_ = "members"
        else:
            self.interval_method_ = None if fixed is not None else "residuals"
        return self

    def _default_cv(self, n, fh):
        if fh is None:
            raise ValueError(
                "`fh` must be passed to fit when `weights` are learned and `cv` is "
                "None: the holdout forecasts are scored on its steps"
            )
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        h = int(steps.max())
        windows = [e.get_params(False).get("window_length") for _, e in self._members]
        windows = [w for w in windows if isinstance(w, int) and not isinstance(w, bool)]
        min_train = max(2 * h, 10, max(windows, default=0) + h + 1)
        if n < min_train + h:
            raise ValueError(
                f"`y` has {n} time points, too short for the default `cv`: it needs "
                f"at least {min_train + h}, a first training window of {min_train} = "
                f"max(2 * horizon, 10, window_length + horizon + 1) plus the horizon "
                f"{h}; pass more data, a shorter `fh`, your own `cv` or fixed `weights`"
            )
        step = math.ceil(h / 2)
        n_folds = min(3, (n - h - min_train) // step + 1)
        initial = n - h - (n_folds - 1) * step
        return ExpandingWindowSplitter(
            fh=steps, initial_window=initial, step_length=step
        )

    def _holdout(self, y, X, cv):
        """Member forecasts (M, N, C), truth (N, C) and steps (N,) over all folds."""
        preds, truth, steps = [], [], []
        for k, (train, test) in enumerate(cv.split(y.index)):
            if len(train) == 0:
                raise ValueError(
                    f"`cv` fold {k} has an empty training window on {len(y)} time "
                    "points; pass more data or a `cv` with a shorter window"
                )
            fold_steps = np.asarray(test) - train[-1]
            if (fold_steps < 1).any():
                raise ValueError(f"`cv` fold {k} tests before its cutoff: {test}")
            fold_fh = ForecastingHorizon(fold_steps, is_relative=True)
            y_train = y.iloc[train]
            X_train = None if X is None else X.iloc[train]
            X_test = None if X is None else X.iloc[train[-1] + 1 :]
            fold = []
            for name, est in self._member_clones():
                where = f"holdout fold {k}"
                self._call(name, where, est.fit, y_train, X_train, fold_fh)
                pred = self._call(name, where, est.predict, fold_fh, X_test)
                values = pred.reindex(columns=y.columns).to_numpy(dtype=float)
                if values.shape != (len(test), y.shape[1]) or np.isnan(values).any():
                    raise ValueError(
                        f"member {name!r} returned {values.shape} forecasts with NaN "
                        f"or of the wrong shape in holdout fold {k}"
                    )
                fold.append(values)
            preds.append(np.stack(fold))
            truth.append(y.iloc[test].to_numpy(dtype=float))
            steps.append(fold_steps)
        if not truth:
            raise ValueError(f"`cv` produced no folds on {len(y)} time points")
        return np.concatenate(preds, 1), np.concatenate(truth), np.concatenate(steps)

    def _learn_weights(self, y, X, fh, names):
        self._cv = self.cv if self.cv is not None else self._default_cv(len(y), fh)
        preds, truth, steps = self._holdout(y, X, self._cv)
        errors = preds - truth  # (M, N, C)
        self.cv_errors_ = pd.DataFrame(
            {"mse": (errors**2).mean((1, 2)), "mae": np.abs(errors).mean((1, 2))},
            index=pd.Index(names, name="member"),
        )
        spread = y.to_numpy(dtype=float).std(axis=0)
        scaled = errors / np.where(spread > 0, spread, 1.0)
        u = np.unique(steps)
        groups = [steps == s for s in u] if self.per_horizon else [steps == steps]
        table = [
            simplex_weights(
                scaled[:, g].reshape(len(names), -1), self.weights, self.metric
            )
            for g in groups
        ]
        if self.per_horizon:
            index, columns = pd.Index(u, name="step"), pd.Index(names, name="member")
            self.weights_ = pd.DataFrame(table, index=index, columns=columns)
        else:
            self.weights_ = pd.Series(table[0], index=names, name="weight")
        resid = truth - np.einsum("nm,mnc->nc", self._weight_matrix(steps), preds)
        self.cv_blend_rmse_ = pd.DataFrame(
            [np.sqrt((resid[steps == s] ** 2).mean(axis=0)) for s in u],
            index=pd.Index(u, name="step"),
            columns=y.columns,
        )

    # -- predict ----------------------------------------------------------------------
    def _weight_matrix(self, steps):
        """Weights per forecast step, (H, M)."""
        if isinstance(self.weights_, pd.Series):
            return np.tile(self.weights_.to_numpy(), (len(steps), 1))
        return self.weights_.to_numpy()[_rows(self.weights_.index, steps)]

    def _steps(self, fh):
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    def _stack(self, method, fh, X, **kwargs):
        """Stack ``method``'s output of every fitted member, (M, H, K)."""
        outputs = [
            self._call(name, method, getattr(est, method), fh, X, **kwargs)
            for name, est in self.forecasters_
        ]
        if method == "predict":
            outputs = [out.reindex(columns=self._y_columns) for out in outputs]
        return np.stack([out.to_numpy(dtype=float) for out in outputs])

    def _predict(self, fh, X=None):
        w = self._weight_matrix(self._steps(fh))
        values = np.einsum("hm,mhc->hc", w, self._stack("predict", fh, X))
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        alpha, steps = list(alpha), self._steps(fh)
        if self.interval_method_ == "members":  # columns variable-major, as sktime
            quantiles = self._stack("predict_quantiles", fh, X, alpha=alpha)
            values = np.einsum("hm,mhk->hk", self._weight_matrix(steps), quantiles)
        else:
            point = self._predict(fh, X).to_numpy()[..., None]  # (H, C, 1)
            table = self.cv_blend_rmse_
            rmse = table.to_numpy()[_rows(table.index, steps)][..., None]
            values = (point + rmse * norm.ppf(alpha)).reshape(len(steps), -1)
        columns = pd.MultiIndex.from_product([self._get_varnames(), alpha])
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=columns)

    def _update(self, y, X=None, update_params=True):
        self._check_data(y, X)
        for name, est in self.forecasters_:
            self._call(name, "update", est.update, y, X, update_params)
        return self

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return cheap parameter settings for sktime's estimator checks.

        Parameters
        ----------
        parameter_set : str, default="default"
            Unused; all sets are cheap (naive members, one tiny attention model).

        Returns
        -------
        list of dict
            Arguments for ``__init__``.
        """
        from sktime.forecasting.naive import NaiveForecaster
        from sktime.split import SingleWindowSplitter

        tiny = AttentionLSTMForecaster(
            window_length=3, hidden_size=4, max_epochs=1, batch_size=8
        )
        last, mean = NaiveForecaster(), NaiveForecaster(strategy="mean")
        return [
            {  # learned on one fold: members' intervals, no fh needed in fit
                "forecasters": [
                    ("last", last),
                    ("drift", NaiveForecaster(strategy="drift")),
                ],
                "cv": SingleWindowSplitter(fh=[1, 2], window_length=8),
            },
            {  # default cv, per-step weights, residual intervals
                "forecasters": [("attention", tiny), ("mean", mean)],
                "weights": "inverse_error",
                "metric": "mae",
                "per_horizon": True,
                "random_state": 0,
            },
            {"forecasters": [("last", last), ("mean", mean)], "weights": [1, 3]},
        ]
