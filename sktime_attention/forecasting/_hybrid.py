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
from sktime.split.base import BaseSplitter

from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
from sktime_attention.forecasting._features import series_features
from sktime_attention.forecasting._holdout import (
    default_cv,
    fit_members,
    holdout_forecasts,
    stack_outputs,
)
from sktime_attention.forecasting._members import (
    Progress,
    WarningLog,
    call_member,
    check_members,
    default_forecasters,
    member_pairs,
    seeded_clones,
)
from sktime_attention.forecasting._panel import PANEL_MTYPES, Layout, infer_sp
from sktime_attention.forecasting._update import _SafeUpdate
from sktime_attention.forecasting._weights import (
    LEARNED,
    WEIGHTINGS,
    apply_series_model,
    blend_residuals,
    fixed_weights,
    grows_with_step,
    learn_weights,
    nearest_rows,
    residual_widths,
    series_weight_model,
    weight_tensor,
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

    On a panel (``pd-multiindex`` or hierarchical ``y``) the hybrid is one model:
    members that learn across series (tag ``capability:pretrain`` or a panel
    ``y_inner_mtype``, such as the attention forecasters) are trained once on
    the whole panel; the others (ARIMA, HMM, Theta, any sktime forecaster) get
    the panel too and sktime fits one per series, in parallel under the
    hybrid's ``backend:parallel`` config (``set_config``), which they inherit.
    Learned weights come from temporal cross-validation pooled over all series:
    in each fold of ``cv`` the members fit the data up to the fold's cutoff and
    forecast the next steps of every series; each series' errors are divided by
    its in-sample seasonal-naive MAE (so a few large series do not decide) and
    the weights are fitted to the pooled errors. A member that can ``pretrain``
    is trained once, on the data before the first fold's cutoff, and each fold
    and the final fit only set its context (``refit_global=True`` retrains it
    on all data for the final fit). Fixed weights skip the cross-validation.

    Parameters
    ----------
    forecasters : list of (str, sktime forecaster) pairs or None, default=None
        Members (unique names without ``"__"``); ``<member>__<param>`` keys of
        ``get_params`` / ``set_params`` tune them. None: `default_forecasters`
        for the seasonal period of the data (``sp_``), built in ``fit``, with an
        attention window of ``max(12, 2 * sp)`` shortened to fit the shortest
        series; their warnings go to ``member_warnings_`` only.
    weights : "optimal", "inverse_error", "equal", list of float or dict
        ``"optimal"`` (default): weights >= 0 summing to 1 minimising the holdout
        ``metric`` of the blend (SLSQP for "mse", a linear programme for "mae").
        ``"inverse_error"``: proportional to 1 / holdout ``metric``. Members
        with zero holdout error share all the weight in both. ``"equal"``: 1/M.
        A list (one value per member) or dict (name -> value, missing names 0)
        of values >= 0 is normalised to sum 1.
    cv : sktime splitter or None, default=None
        Holdout folds for learned weights, on the common time axis of the
        series (the splitter's ``fh`` sets the steps). None: an
        ``ExpandingWindowSplitter`` over the steps of ``fh`` given to ``fit``
        (without one: steps ``1..2 * sp``, or ``1..6`` if ``sp`` is 1), up to 3
        folds with cutoffs ``ceil(H / 2)`` apart, the last H steps before the
        end, a first training window of at least ``max(2 * H, 10,
        window_length + H + 1)`` points of every series; a shorter series
        raises a ``ValueError`` naming it.
    metric : {"mse", "mae"}, default="mse"
        Holdout loss for learning weights, on the scaled errors.
    weighting : {"global", "per_step", "per_series"}, default="global"
        Learned weights only. ``"global"``: one vector for all series and steps.
        ``"per_step"``: one vector per forecast step (steps not in the holdout
        use the nearest one). ``"per_series"``: weights per series from
        features of the series (``series_features_``) by a softmax-linear model
        trained across series on the holdout (FFORMA-style, Notes).
    sp : int >= 1 or None, default=None
        Seasonal period; None infers it from the frequency of the time index
        (hourly 24, daily 7, weekly 52, monthly 12, quarterly 4; none: 1).
    refit_global : bool, default=False
        Retrain members that can ``pretrain`` on all data for the final fit,
        rather than reuse the network trained before the holdout.
    random_state : int >= 0 or None, default=None
        If an int, each member gets its own seed drawn from it, set on each of
        its ``random_state`` parameters (nested too) that is None; explicit seeds
        are kept. Every fold and the final fit use the same seeds.
    verbose : bool, default=False
        Show progress over the fits, labelled with fold and member: a tqdm bar
        when tqdm is installed, else INFO records on the ``sktime_attention``
        logger.

    Attributes
    ----------
    forecasters_ : list of (str, forecaster)
        Members fitted on all data (clones; ``forecasters`` stays unfitted, and
        None with the default members). On panels a per-series member is
        sktime's vectorised forecaster (its ``forecasters_`` holds one per
        series); see `get_member`.
    weights_ : pd.Series or pd.DataFrame
        Index member names; ``"per_step"``: a DataFrame, index forecast
        ``step``, columns members; ``"per_series"``: the mean of
        ``series_weights_``. Non-negative, each row sums to 1.
    series_weights_ : pd.DataFrame or None
        ``"per_series"`` only: weights per series (index the series keys,
        columns members), rows summing to 1.
    weight_features_ : pd.DataFrame or None
        ``"per_series"`` only: effect of each standardised feature (index, plus
        ``"intercept"``) on each member's log-weight (columns); zero when the
        cross-validation chose no feature effect.
    series_features_ : pd.DataFrame or None
        ``"per_series"`` only: the features of each series (index keys).
    cv_errors_ : pd.DataFrame or None
        Holdout ``"mse"`` and ``"mae"`` (columns) per member (index) of the
        errors divided by each series' seasonal-naive MAE (MASE units), over all
        series, folds, steps and columns. None for fixed weights.
    cv_blend_rmse_ : pd.DataFrame or None
        Holdout RMSE of the blend in the same units, index forecast ``step``,
        columns those of ``y``; optimistic (weights fitted on it). None for
        fixed weights.
    interval_method_ : {"members", "residuals"} or None
        How intervals are made (Notes).
    sp_ : int
        Seasonal period used (``sp``, or inferred).
    member_warnings_ : pd.DataFrame
        Warnings of members in ``fit`` and ``update``: ``member``, ``where``
        (fold, final fit, update), ``category``, ``message``, ``count``.

    Notes
    -----
    Panels: every series must end at the same time point (a ``ValueError``
    names those that do not; re-index each series to end at the same point,
    e.g. integer time ending at -1). Each series forecasts from that cutoff.

    Non-finite member forecasts: a member forecast with NaN or inf, in a holdout
    fold or in ``predict`` (quantiles too), raises a ``ValueError`` naming the
    member and, on panels, the series, even with weight 0: 0 * NaN is NaN, and
    dropping the member silently would change the blend behind the user's back.

    Warnings of members are re-emitted once per distinct message, prefixed with
    the member and the fold; those of default members are only recorded in
    ``member_warnings_`` (the package chose them).

    ``predict`` takes any ``fh`` after ``fit``: members are fitted with the
    holdout steps and forecast other steps themselves (the attention decoder
    runs any horizon); per-step weights for unseen steps are the nearest
    step's. A member that needs its ``fh`` in ``fit`` (tag
    ``requires-fh-in-fit``) makes the hybrid need it too, and then sktime
    rejects another ``fh`` in ``predict``.

    Per-series weights: features are computed on the data before the first
    holdout cutoff to fit the model and on all data for ``series_weights_``.
    The L2 penalty on feature effects is chosen among ``(0.001, ..., 10,
    inf)`` by 5-fold cross-validation over series (``inf``: one vector for
    all); with fewer than 10 series it is ``inf``.

    Intervals: if all members have them, the weighted average of the members'
    quantiles (the point forecast's weights); fixed weights otherwise give none.
    Else, with learned weights, split-conformal intervals on the blend's scaled
    absolute holdout residuals pooled over series, times each series' scale:
    with n residuals at a step, coverage c takes the ``ceil((n + 1) c)``-th
    smallest as half-width (Student-t fallback for too few residuals).

    ``update`` passes its values, revisions of seen points included, to every
    member unchanged and keeps the weights. Columns of ``y`` and ``X`` in
    ``update`` and ``predict`` are matched by name to those of ``fit``.

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
    >>> round(float(hybrid.weights_.sum()), 6)
    1.0
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
        self._anytagis_then_set("requires-fh-in-fit", True, False, members)
        self._anytagis_then_set("capability:non_contiguous_X", False, True, members)

    def _sk_visual_block_(self):
        if self.forecasters is None:  # draw the members that fit builds
            return type(self)(default_forecasters())._sk_visual_block_()
        return super()._sk_visual_block_()

    def get_member(self, name, series=None):
        """Return the fitted member called ``name`` (from ``forecasters_``).

        Parameters
        ----------
        name : str
            Member name, e.g. ``"attention"``.
        series : key or None, default=None
            On a panel, a series key: a per-series member returns the forecaster
            fitted on that series; a global member (one for all series) returns
            itself (its ``attention_weights_.loc[key]`` is that series').

        Returns
        -------
        sktime forecaster
            The member fitted on all data seen in ``fit``.
        """
        self.check_is_fitted()
        members = dict(self.forecasters_)
        if name not in members:
            raise ValueError(f"`name` must be one of {list(members)}, got {name!r}")
        member = members[name]
        fitted = getattr(member, "forecasters_", None)
        if series is None or not getattr(member, "_is_vectorized", False):
            return member
        if series not in fitted.index:
            raise ValueError(
                f"`series` must be a key of the fitted panel, got {series!r}; "
                f"keys: {list(fitted.index)[:5]}..."
            )
        return fitted.loc[series].iloc[0]

    # -- fit ------------------------------------------------------------------------
    def _check_params(self, names):
        """Validate parameters; return the normalised fixed weights or None."""
        check_option(self.metric, "metric", ("mse", "mae"))
        check_option(self.weighting, "weighting", WEIGHTINGS)
        check_int(self.random_state, "random_state", minimum=0, allow_none=True)
        check_int(self.sp, "sp", minimum=1, allow_none=True)
        for flag in ("refit_global", "verbose"):
            if not isinstance(getattr(self, flag), bool | np.bool_):
                raise TypeError(f"`{flag}` must be a bool, got {getattr(self, flag)!r}")
        if self.cv is not None and not isinstance(self.cv, BaseSplitter):
            raise TypeError(f"`cv` must be an sktime splitter or None, got {self.cv!r}")
        return fixed_weights(self.weights, names, self.weighting)

    def _check_data(self, y, X):
        """Reject NaN, inf, repeated or uneven time points before members see them."""
        check_finite_frame(y, "y")
        check_regular_index(y.index, "y")
        if X is not None:
            check_finite_frame(X, "X")

    def _members_for(self, layout, steps):
        """Unfitted members: the given ones, or defaults that follow the data."""
        if self.forecasters is not None:
            return check_members(self.forecasters, self.get_params(False))
        room = int(layout.lengths.min()) - 3 * int(steps.max()) - 1
        window = max(1, min(max(12, 2 * self.sp_), room))
        return default_forecasters(self.sp_, window)

    def _clones(self):
        """Seeded clones of the members; per-series ones get the parallel config."""
        config = self.get_config()
        backend = {
            k: config.get(k) for k in ("backend:parallel", "backend:parallel:params")
        }
        clones = seeded_clones(self._members, self.random_state)
        for _, est in clones:
            est.set_config(**backend)
        return clones

    def _fit(self, y, X=None, fh=None):
        self._layout = layout = Layout(y)
        self._check_data(y, X)
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
        self._series_w = None
        for attr in ("cv_errors_", "cv_blend_rmse_", "series_weights_"):
            setattr(self, attr, None)
        self.weight_features_, self.series_features_ = None, None
        self._scale = layout.naive_scale(layout.values(y), self.sp_)  # (S, C)
        n_fits = len(names) * (1 if fixed is not None else 5)
        progress = Progress(n_fits, self.verbose)
        trained = {}
        try:
            if fixed is None:
                trained = self._learn_weights(y, X, steps, names, progress)
            else:
                self.weights_ = pd.Series(fixed, index=names, name="weight")
            if self.refit_global:
                trained = {}
            final_fh = ForecastingHorizon(steps, is_relative=True)
            self.forecasters_ = fit_members(
                self._clones(), trained, y, X, final_fh, self._log, progress
            )
        finally:
            progress.close()
        self.member_warnings_ = self._log.table()
        if all(e.get_tag("capability:pred_int", False) for _, e in self.forecasters_):
            self.interval_method_ = "members"
        else:
            self.interval_method_ = None if fixed is not None else "residuals"
        return self

    def _learn_weights(self, y, X, steps, names, progress):
        layout = self._layout
        cv = self.cv or default_cv(layout, steps, self._members)
        pretrained = {  # sktime's pretrain takes panels only
            n
            for n, e in self._members
            if layout.is_panel and e.get_tag("capability:pretrain", False, False)
        }
        preds, truth, hsteps, trained, _ = holdout_forecasts(
            layout, y, X, cv, self._clones, pretrained, self._log, progress
        )
        weights, errors, self.cv_errors_ = learn_weights(
            preds,
            truth,
            hsteps,
            self._scale,
            names,
            self.weights,
            self.metric,
            self.weighting,
        )
        self.weights_, self._series_w = weights, None
        w_holdout = weight_tensor(weights, None, hsteps)
        if self.weighting == "per_series":
            keys = pd.Index(layout.keys, name="series")
            features = series_features(layout.values(y), self.sp_).set_axis(keys)
            model = series_weight_model(errors, features, self.metric)
            self._series_w = apply_series_model(model, features)
            w_holdout = self._series_w[:, None]
            self.series_features_ = features
            self.series_weights_ = pd.DataFrame(
                self._series_w, index=keys, columns=pd.Index(names, name="member")
            )
            self.weights_ = self.series_weights_.mean().rename("weight")
            self.weight_features_ = pd.DataFrame(
                np.vstack([model["coef"], model["intercept"]]),
                index=[*self.series_features_.columns, "intercept"],
                columns=pd.Index(names, name="member"),
            )
        w_holdout = np.broadcast_to(w_holdout, (*truth.shape[:2], len(names)))
        self.cv_blend_rmse_, self._abs_resid = blend_residuals(
            errors, w_holdout, hsteps, self._y_columns
        )
        table = self.cv_blend_rmse_
        self._widen = grows_with_step(table.index.to_numpy(), table.to_numpy())
        return trained

    # -- predict ----------------------------------------------------------------------
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
            levels = np.asarray(alpha, dtype=float)
            table = self.cv_blend_rmse_
            widths = residual_widths(
                self._abs_resid, table.to_numpy(), np.abs(2 * levels - 1), self._widen
            )[nearest_rows(table.index, steps)]  # (H, A, C), scaled
            widths = widths[None] * self._scale[:, None, None, :]  # (S, H, A, C)
            values = point + np.sign(levels - 0.5)[:, None] * widths
            values = values.transpose(0, 1, 3, 2).reshape(*values.shape[:2], -1)
        index = fh.to_absolute_index(self.cutoff)
        return self._layout.frame(values, index, columns)

    def _update(self, y, X=None, update_params=True):
        # members get the fitted columns in order, values (revisions too) as given
        y = check_columns(y, self._y_columns, "y", "update", rename_single=True)
        times = y.index.get_level_values(-1) if self._layout.is_panel else y.index
        check_continues(times, self.forecasters_[0][1].cutoff, "y")  # old cutoff
        X = check_columns(X, self._X_columns, "X", "update")
        self._check_data(y, X)
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
                "weighting": "per_step",
                "random_state": 0,
            },
            {"forecasters": [("last", last), ("mean", mean)], "weights": [1, 3]},
        ]
