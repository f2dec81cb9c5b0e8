"""Weighted ensemble of heterogeneous forecasters with weights learned on a holdout.

Shape legend: M members, N holdout samples (fold x step), H forecast steps,
C columns of ``y``, K output columns of a member (C, or C x quantile levels).
"""

__all__ = ["HybridForecaster"]

import numpy as np
import pandas as pd
from sktime.base import _HeterogenousMetaEstimator
from sktime.forecasting.base import BaseForecaster
from sktime.split.base import BaseSplitter

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._members import (
    NonFiniteForecastError,
    call_member,
    check_members,
    default_cv,
    default_forecasters,
    holdout_forecasts,
    member_pairs,
    seeded_clones,
    series_of,
    stack_outputs,
)
from sktime_attention.forecasting._update import _SafeUpdate
from sktime_attention.forecasting._weights import (
    LEARNED,
    fixed_weights,
    grows_with_step,
    learn_weights,
    nearest_rows,
    residual_widths,
    weight_matrix,
)
from sktime_attention.utils._validation import (
    check_columns,
    check_continues,
    check_finite_frame,
    check_int,
    check_option,
    check_regular_index,
)


class HybridForecaster(_SafeUpdate, _HeterogenousMetaEstimator, BaseForecaster):
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
        standard deviation (its max ``|y|`` if constant); scale-free: ``c * y``
        gets the weights of ``y`` for any ``c > 0``.
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
        ``y``; optimistic (weights fitted on it). None for fixed weights.
    interval_method_ : {"members", "residuals"} or None
        How intervals are made (Notes): ``"members"`` if every fitted member has
        intervals, else ``"residuals"`` with learned weights; None (no intervals)
        with fixed weights.

    Notes
    -----
    Non-finite member forecasts: a member forecast with NaN or inf, in a holdout
    fold or in ``predict`` (quantiles too), raises a ``ValueError`` naming the
    member (and, on panels, the series), even with weight 0: 0 * NaN is NaN, and
    dropping the member silently would change the blend behind the user's back.

    Intervals: if all members have them, the weighted average of the members'
    quantiles (the point forecast's weights); fixed weights otherwise give none.
    Else, with learned weights, split-conformal intervals on the blend's absolute
    holdout residuals: with n residuals at a step, coverage c takes the
    ``ceil((n + 1) c)``-th smallest as half-width, made non-decreasing in the step
    where the holdout RMSE rises with it. With too few residuals (n < 9 for 90%)
    they are pooled over the steps after dividing by a scale ``s_1 h^b`` (b >= 0)
    and the half-width is ``t.ppf(0.5 + c / 2, n)`` times their RMS times the
    scale (``residual_widths``); the default ``cv`` has at most 3 folds, so pass
    one with more for calibrated intervals (user guide: coverage figures).

    ``fit`` needs ``fh`` when weights are learned with the default ``cv`` or a
    member needs it. ``update`` passes its values, revisions of seen points
    included, to every member unchanged and keeps the weights.

    Columns of ``y`` and ``X`` in ``update`` and ``predict`` are matched by name
    to those of ``fit`` before members see them (a univariate ``y`` may be
    renamed); ``y`` needs a regular time index. Multivariate ``y`` goes to every
    member, so one ``weights_`` serves all columns; panels get one hybrid per
    series. The attention member's weights: ``get_member("attention")
    .attention_weights_`` or ``get_fitted_params()["attention__attention_weights"]``.

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
    _keeps_latest_cutoff = False  # sktime members move theirs back on revisions
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

    def __post_init__(self):
        """Reject malformed ``forecasters`` at construction."""
        if self.forecasters is not None:
            check_members(self.forecasters, self.get_params(False))

    def __dynamic_tags__(self):
        # runs before __post_init__: malformed members are skipped, it raises
        given = self.forecasters
        members = default_forecasters() if given is None else member_pairs(given)
        learned = isinstance(self.weights, str) and self.weights in LEARNED
        pred_int = all(est.get_tag("capability:pred_int", False) for _, est in members)
        self.set_tags(**{"capability:pred_int": pred_int or learned})
        fh_needed = learned and self.cv is None
        self._anytagis_then_set("requires-fh-in-fit", True, fh_needed, members)
        self._anytagis_then_set("capability:non_contiguous_X", False, True, members)

    def _sk_visual_block_(self):
        if self.forecasters is None:  # draw the members that fit builds
            return type(self)(default_forecasters())._sk_visual_block_()
        return super()._sk_visual_block_()

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
    def _check_params(self, names):
        """Validate parameters; return the normalised fixed weights or None."""
        check_option(self.metric, "metric", ("mse", "mae"))
        check_int(self.random_state, "random_state", minimum=0, allow_none=True)
        if not isinstance(self.per_horizon, bool | np.bool_):
            raise TypeError(f"`per_horizon` must be a bool, got {self.per_horizon!r}")
        if self.cv is not None and not isinstance(self.cv, BaseSplitter):
            raise TypeError(f"`cv` must be an sktime splitter or None, got {self.cv!r}")
        return fixed_weights(self.weights, names, self.per_horizon)

    def _check_data(self, y, X):
        """Reject NaN, inf, repeated or uneven time points before members see them."""
        check_finite_frame(y, "y")
        check_regular_index(y.index, "y")
        if X is not None:
            check_finite_frame(X, "X")

    def _fit(self, y, X=None, fh=None):
        given = self.forecasters  # unfitted members; the defaults for None
        self._members = (
            default_forecasters()
            if given is None
            else check_members(given, self.get_params(False))
        )
        names = [name for name, _ in self._members]
        fixed = self._check_params(names)
        self._check_data(y, X)
        self._y_columns = list(y.columns)
        self._X_columns = None if X is None else list(X.columns)
        self.cv_errors_, self.cv_blend_rmse_ = None, None
        if fixed is None:
            self._learn_weights(y, X, fh, names)
        else:
            self.weights_ = pd.Series(fixed, index=names, name="weight")
        self.forecasters_ = [
            (name, call_member(name, "final fit", est.fit, y, X, fh))
            for name, est in seeded_clones(self._members, self.random_state)
        ]
        if all(e.get_tag("capability:pred_int", False) for _, e in self.forecasters_):
            self.interval_method_ = "members"
        else:
            self.interval_method_ = None if fixed is not None else "residuals"
        return self

    def _learn_weights(self, y, X, fh, names):
        self._cv = self.cv
        if self._cv is None:
            steps = None if fh is None else self._steps(fh)
            self._cv = default_cv(len(y), steps, self._members)
        preds, truth, steps = holdout_forecasts(
            y, X, self._cv, lambda: seeded_clones(self._members, self.random_state)
        )
        self.weights_, self.cv_errors_, self.cv_blend_rmse_, self._abs_resid = (
            learn_weights(
                preds,
                truth,
                steps,
                y,
                names,
                self.weights,
                self.metric,
                self.per_horizon,
            )
        )
        table = self.cv_blend_rmse_
        self._widen = grows_with_step(table.index.to_numpy(), table.to_numpy())

    # -- predict ----------------------------------------------------------------------
    def _steps(self, fh):
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    def _stack(self, method, fh, X, **kwargs):
        """Stack ``method``'s output of every fitted member, (M, H, K)."""
        return stack_outputs(self, method, fh, X, self._y_columns, **kwargs)

    def _vectorize(self, methodname, **kwargs):
        """Run sktime's loop over the series of a panel; errors name the series."""
        try:
            return super()._vectorize(methodname, **kwargs)
        except NonFiniteForecastError as err:
            fitted = getattr(self, "forecasters_", None)
            key = series_of(err, getattr(self, "_yvec", None), fitted, methodname)
            if key is not None:
                err.args = (f"{err.args[0]} (series {key!r})",)
            raise

    def _predict(self, fh, X=None):
        X = check_columns(X, self._X_columns, "X", "predict")
        w = weight_matrix(self.weights_, self._steps(fh))
        values = np.einsum("hm,mhc->hc", w, self._stack("predict", fh, X))
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        X = check_columns(X, self._X_columns, "X", "predict")
        alpha, steps = list(alpha), self._steps(fh)
        if self.interval_method_ == "members":  # columns variable-major, as sktime
            quantiles = self._stack("predict_quantiles", fh, X, alpha=alpha)
            values = np.einsum(
                "hm,mhk->hk", weight_matrix(self.weights_, steps), quantiles
            )
        else:  # split-conformal on the blend's holdout residuals (Notes)
            point = self._predict(fh, X).to_numpy()[:, None, :]  # (H, 1, C)
            levels = np.asarray(alpha, dtype=float)
            table = self.cv_blend_rmse_
            widths = residual_widths(
                self._abs_resid,
                table.to_numpy(),
                np.abs(2 * levels - 1),
                self._widen,
                steps=table.index.to_numpy(),
            )[nearest_rows(table.index, steps)]  # (H, A, C)
            values = point + np.sign(levels - 0.5)[:, None] * widths
            values = values.transpose(0, 2, 1).reshape(len(steps), -1)
        columns = pd.MultiIndex.from_product([self._get_varnames(), alpha])
        index = fh.to_absolute_index(self.cutoff)
        return pd.DataFrame(values, index=index, columns=columns)

    def _update(self, y, X=None, update_params=True):
        # members get the fitted columns in order, values (revisions too) as given
        y = check_columns(y, self._y_columns, "y", "update", rename_single=True)
        check_continues(y.index, self.forecasters_[0][1].cutoff, "y")  # old cutoff
        X = check_columns(X, self._X_columns, "X", "update")
        self._check_data(y, X)
        for name, est in self.forecasters_:
            call_member(name, "update", est.update, y, X, update_params)
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
        drift = NaiveForecaster(strategy="drift")
        return [
            {  # learned on one fold: members' intervals, no fh needed in fit
                "forecasters": [("last", last), ("drift", drift)],
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
