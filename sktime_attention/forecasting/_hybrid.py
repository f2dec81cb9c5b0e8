"""Weighted ensemble of heterogeneous forecasters with weights learned on a holdout.

Shape legend: M members, S series, N holdout samples (fold x step), H forecast
steps, C columns of ``y``, K output columns of a member (C, or C x quantiles).
"""

__all__ = ["HybridForecaster"]

import copy

import numpy as np
import pandas as pd
from sktime.base import _HeterogenousMetaEstimator
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._holdout import (
    default_cv,
    fit_members,
    holdout_forecasts,
    stack_outputs,
)
from sktime_attention.forecasting._intervals import conformal_quantiles
from sktime_attention.forecasting._member_access import _MemberAccess
from sktime_attention.forecasting._members import (
    Progress,
    WarningLog,
    call_member,
)
from sktime_attention.forecasting._panel import (
    PANEL_MTYPES,
    Layout,
    infer_sp,
    vectorize_if_apart,
)
from sktime_attention.forecasting._update import _SafeUpdate
from sktime_attention.forecasting._weights import learn_blend, weight_tensor
from sktime_attention.utils._validation import (
    check_columns,
    check_continues,
    check_finite_frame,
    check_regular_index,
)

_PER_FIT = ("cv_errors_", "cv_blend_rmse_", "_series_w", "series_weights_")
_PER_FIT += ("weight_features_", "series_features_")


def _check_data(y, X):
    """Reject NaN, inf, repeated or uneven time points before members see them."""
    if not len(y):
        raise ValueError("`y` must have at least one time point, got an empty `y`")
    check_finite_frame(y, "y")
    check_regular_index(y.index, "y")
    if X is not None:
        check_finite_frame(X, "X")


class HybridForecaster(
    _SafeUpdate, _MemberAccess, _HeterogenousMetaEstimator, BaseForecaster
):
    """Weighted blend of member forecasters, weights fixed or learned on a holdout.

    On a panel (``pd-multiindex`` or hierarchical ``y``) the hybrid is one model:
    members that learn across series (tag ``capability:pretrain`` or a panel
    ``y_inner_mtype``, e.g. the attention forecasters) are trained once on the
    whole panel; the others (ARIMA, HMM, Theta, any sktime forecaster) get the
    panel and sktime fits one per series, in parallel under the hybrid's
    ``backend:parallel`` config, which they inherit. Learned weights come from
    temporal folds of the training data pooled over all series, each series'
    errors divided by its in-sample seasonal-naive MAE (MASE units), so a few
    large series do not decide. A member that can ``pretrain`` is trained once,
    on the panel up to the first fold's cutoff; folds and the final fit only
    set its context. User guide: ``docs/user_guide/hybrid.md``.

    Parameters
    ----------
    forecasters : list of (str, sktime forecaster) pairs or None, default=None
        Members (unique names without ``"__"``); ``<member>__<param>`` keys tune
        them. None: `default_forecasters` for the data's seasonal period
        ``sp_``, built in ``fit`` (attention window ``max(12, 2 * sp)``,
        shortened to fit the shortest series).
    weights : "optimal", "inverse_error", "equal", list of float or dict
        ``"optimal"`` (default): weights >= 0 summing to 1 minimising the holdout
        ``metric`` of the blend. ``"inverse_error"``: proportional to 1 /
        holdout ``metric``. ``"equal"``: 1/M. A list (one value per member) or
        dict (name -> value, missing names 0) of values >= 0 is normalised.
    cv : sktime splitter or None, default=None
        Holdout folds on the common time axis of the series (its ``fh`` sets
        the steps). None: an ``ExpandingWindowSplitter`` over the steps of the
        ``fh`` given to ``fit`` (else ``1..2 * sp``, or ``1..6`` if ``sp`` is
        1), up to 3 folds H apart (test windows that do not overlap), the last
        ending at the end,
        each series keeping at least ``max(2 * H, window_length + H + 1)``
        points for training; a shorter series raises, named.
    metric : {"mse", "mae"}, default="mse"
        Holdout loss for learning weights, on the scaled errors.
    weighting : {"global", "per_step", "per_series"}, default="global"
        Learned weights only: one vector for all series and steps; one per
        forecast step (unseen steps take the nearest); or one per series from
        its features by a softmax-linear model trained across series, its
        feature effects shrunk by a penalty chosen by cross-validation over
        series (none with fewer than 10 series).
    sp : int >= 1 or None, default=None
        Seasonal period; None reads it from the index frequency (hourly 24,
        daily 7, weekly 52, monthly 12, quarterly 4, else 1).
    refit_global : bool, default=False
        Retrain members that can ``pretrain`` on all data for the final fit.
    random_state : int >= 0 or None, default=None
        Seeds each member's ``random_state`` parameters that are None.
    verbose : bool, default=False
        Show a tqdm progress bar over the fits, labelled with fold and member.

    Attributes
    ----------
    forecasters_ : list of (str, forecaster)
        Fitted clones of the members; see `get_member`.
    weights_ : pd.Series or pd.DataFrame
        Index members; ``"per_step"``: index ``step``, columns members;
        ``"per_series"``: the mean of ``series_weights_``. Rows sum to 1.
    series_weights_ : pd.DataFrame or None
        ``"per_series"`` only: weights, index series keys, columns members.
    weight_features_ : pd.DataFrame or None
        ``"per_series"`` only: effects of the standardised features and
        ``"intercept"`` (index) on each member's log-weight (columns).
    series_features_ : pd.DataFrame or None
        ``"per_series"`` only: the features of each series (index series keys).
    cv_errors_ : pd.DataFrame or None
        Holdout ``"mse"`` and ``"mae"`` per member (index) in MASE units, over
        all series, folds, steps and columns. None for fixed weights.
    cv_blend_rmse_ : pd.DataFrame or None
        Holdout RMSE of the blend in MASE units, index ``step``, columns of
        ``y``; optimistic (the weights were fitted on it).
    interval_method_ : {"members", "residuals"} or None
        ``"residuals"`` (learned weights): split-conformal on the blend's
        scaled holdout residuals; ``"members"`` (fixed weights, every member
        has intervals): weighted members' quantiles; None: none.
    sp_ : int
        Seasonal period used.
    member_warnings_ : pd.DataFrame
        Members' warnings (``member``, ``where``, ``category``, ``message``,
        ``count``) in ``fit`` and ``update``.

    Notes
    -----
    A panel whose series end at different times gets one hybrid per series
    (sktime's loop), with a warning. A member forecast with NaN or inf raises,
    naming member and series. Members' warnings are re-emitted with member and
    fold (the default members' only recorded). ``predict`` takes any ``fh``
    unless a member needs its ``fh`` in ``fit``.

    Intervals: with learned weights, split-conformal on the blend's scaled
    holdout residuals (each fold's with weights learned on the other folds
    that share none of its forecast points),
    also when every member has intervals (the members' quantiles averaged
    with the blend's weights are only as calibrated as the members, and wide
    where their errors cancel). With n residuals at a step, coverage c takes
    the ``ceil((n + 1) c)``-th smallest; with too few (the default ``cv``)
    they are pooled over the steps after dividing by a scale ``s_1 h^b`` (b >=
    0), and the half-width is the scale times their RMS times a Student-t
    quantile on their effective number of independent scores (correlated
    within a fold; ``residual_widths``). Fixed weights: the members' weighted
    quantiles if all have intervals, else none. Coverage: user guide.

    Examples
    --------
    >>> from sktime.forecasting.naive import NaiveForecaster
    >>> from sktime_attention import AttentionLSTMForecaster, HybridForecaster
    >>> from sktime_attention.synthetic import make_panel
    >>> y = make_panel(n_series=4, n=60)
    >>> hybrid = HybridForecaster(
    ...     [
    ...         ("naive", NaiveForecaster(strategy="last", sp=12)),
    ...         ("attention", AttentionLSTMForecaster(window_length=12, max_epochs=2)),
    ...     ],
    ...     random_state=0,
    ... )
    >>> hybrid.fit(y, fh=[1, 2, 3])
    HybridForecaster(...)
    >>> hybrid.predict().shape  # 4 series x 3 steps
    (12, 1)
    >>> attention = hybrid.get_member("attention").attention_weights_
    >>> attention.loc["s1"].shape  # forecast step x encoder lag, series "s1"
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
        "requires-fh-in-fit": False,
        # data: panels stay whole (one hybrid, not one per series)
        "y_inner_mtype": ["pd.DataFrame", *PANEL_MTYPES],
        "X_inner_mtype": ["pd.DataFrame", *PANEL_MTYPES],
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
        weighting="global",
        sp=None,
        refit_global=False,
        random_state=None,
        verbose=False,
    ):
        self.forecasters = forecasters
        self.weights = weights
        self.cv = cv
        self.metric = metric
        self.weighting = weighting
        self.sp = sp
        self.refit_global = refit_global
        self.random_state = random_state
        self.verbose = verbose
        super().__init__()
        self._y = None
        self._X = None

    def _fit(self, y, X=None, fh=None):
        _check_data(y, X)
        self._layout = layout = Layout(y)
        self.sp_ = self.sp or infer_sp(y.index)
        if fh is not None:
            steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        else:
            steps = np.arange(1, (2 * self.sp_ if self.sp_ > 1 else 6) + 1)
        self._members = self._members_for(layout, steps)
        names = [name for name, _ in self._members]
        fixed = self._check_params(names)
        self._log = WarningLog(emit=names if self.forecasters is not None else ())
        self._y_columns = list(y.columns)
        self._X_columns = None if X is None else list(X.columns)
        self.__dict__.update(dict.fromkeys(_PER_FIT))  # set by some fits only
        self._scale = layout.naive_scale(layout.values(y), self.sp_)  # (S, C)
        cv = (
            self.cv if self.cv is not None else default_cv(layout, steps, self._members)
        )
        n_folds = 0 if fixed is not None else cv.get_n_splits(layout.axis)
        progress = Progress(len(names) * (n_folds + 2), self.verbose)
        trained = {}
        try:
            if fixed is None:
                trained = self._learn_weights(y, X, cv, names, progress)
            else:
                self.weights_ = pd.Series(fixed, index=names, name="weight")
            if self.refit_global:
                trained = {}
            final_fh = ForecastingHorizon(steps, is_relative=True)
            self.forecasters_ = fit_members(
                self._clones(), trained, layout, y, X, final_fh, self._log, progress
            )
        finally:
            progress.close()
        self.member_warnings_ = self._log.table()
        if fixed is None:  # learned weights: the blend's own errors (Notes)
            self.interval_method_ = "residuals"
        elif all(e.get_tag("capability:pred_int", False) for _, e in self.forecasters_):
            self.interval_method_ = "members"
        else:
            self.interval_method_ = None
        return self

    def _learn_weights(self, y, X, cv, names, progress):
        layout = self._layout
        preds, truth, hsteps, times, trained = holdout_forecasts(
            layout, y, X, cv, self._clones, self._log, progress
        )
        for attr, value in learn_blend(
            preds, truth, hsteps, self._scale, names, layout, y, self, times
        ).items():
            setattr(self, attr, value)
        return trained

    def _check_X_y(self, X=None, y=None, **kwargs):
        """Sktime's checks; a panel whose series end apart gets one hybrid each."""
        X_inner, y_inner = super()._check_X_y(X=X, y=y, **kwargs)
        apart = getattr(self, "_is_vectorized", False) if self.is_fitted else None
        return vectorize_if_apart(X_inner, y_inner, apart)

    def _steps(self, fh):
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    def _blend(self, method, fh, X, columns, **kwargs):
        """Blend ``method``'s outputs of the members: (S, H, K)."""
        quiet_log = WarningLog(emit=self._log.emit)  # predict changes nothing
        hybrid = copy.copy(self)
        hybrid._log = quiet_log
        stacked = stack_outputs(hybrid, method, fh, X, columns, **kwargs)
        w = weight_tensor(self.weights_, self._series_w, self._steps(fh))
        w = np.broadcast_to(w, (*stacked.shape[1:3], stacked.shape[0]))
        return np.einsum("shm,mshk->shk", w, stacked)

    def _predict(self, fh, X=None):
        X = check_columns(X, self._X_columns, "X", "predict")
        values = self._blend("predict", fh, X, self._y_columns)
        index = fh.to_absolute_index(self.cutoff)
        return self._layout.frame(values, index, self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        X = check_columns(X, self._X_columns, "X", "predict")
        alpha, steps = list(alpha), self._steps(fh)
        columns = pd.MultiIndex.from_product([self._get_varnames(), alpha])
        if self.interval_method_ == "members":  # columns variable-major, as sktime
            values = self._blend("predict_quantiles", fh, X, list(columns), alpha=alpha)
        else:  # split-conformal on the blend's scaled holdout residuals (Notes)
            point = self._blend("predict", fh, X, self._y_columns)[:, :, None]
            state = (self._residuals, self._widen, self._scale)
            values = conformal_quantiles(point, *state, alpha, steps)
        index = fh.to_absolute_index(self.cutoff)
        return self._layout.frame(values, index, columns)

    def _update(self, y, X=None, update_params=True):
        # members get the fitted columns in order, values (revisions too) as given
        y = check_columns(y, self._y_columns, "y", "update", rename_single=True)
        times = y.index.get_level_values(-1) if self._layout.is_panel else y.index
        check_continues(times, self.forecasters_[0][1].cutoff, "y")  # old cutoff
        X = check_columns(X, self._X_columns, "X", "update")
        _check_data(y, X)
        for name, est in self.forecasters_:
            call_member(name, "update", est.update, y, X, update_params, log=self._log)
        self.member_warnings_ = self._log.table()
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
            window_length=3,
            hidden_size=4,
            max_epochs=1,
            batch_size=8,
            interval_calibration="insample",  # the hybrid's intervals are its own
        )
        last, mean = NaiveForecaster(), NaiveForecaster(strategy="mean")
        drift = NaiveForecaster(strategy="drift")
        return [
            {  # learned on one fold: pooled residual intervals, no fh needed in fit
                "forecasters": [("last", last), ("drift", drift)],
                "cv": SingleWindowSplitter(fh=[1, 2], window_length=8),
            },
            {  # default cv, per-step weights, residual intervals
                "forecasters": [("attention", tiny), ("mean", mean)],
                "weights": "inverse_error",
                "metric": "mae",
                "weighting": "per_step",
                "random_state": 0,
            },
            {"forecasters": [("last", last), ("mean", mean)], "weights": [1, 3]},
        ]
