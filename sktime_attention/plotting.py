"""Plots of attention tables (matplotlib); each returns the figure and axes.

Each plot takes a table or a fitted forecaster: an attention forecaster itself or
any composite holding one (a pipeline, a :class:`HybridForecaster`, a grid
search's ``best_forecaster_``, an ensemble); ``member=`` picks one when there are
several, and ``series=`` picks one series of a panel.
"""

__all__ = ["plot_attention", "plot_attention_overlay", "plot_feature_attention"]

import numpy as np
import pandas as pd

from sktime_attention._plot_support import (
    find_member,
    has_feature_attention,
    has_temporal_attention,
    lag_labels,
    panel_or_one,
    plot_times,
    select_series,
    series_cutoff,
    title_label,
    user_data,
)


def plot_attention(
    attention,
    cutoff=None,
    ax=None,
    cmap="viridis",
    title=None,
    *,
    member=None,
    series=None,
):
    """Heatmap of temporal attention: forecast step (rows) by encoder time (columns).

    Parameters
    ----------
    attention : pd.DataFrame or fitted forecaster
        An attention table (index ``step``, columns ``lag``) such as
        ``forecaster.attention_weights_``, or a fitted forecaster whose
        ``attention_weights_`` (and cutoff) are used: an attention forecaster or
        any composite holding one (pipeline, hybrid, grid search, ensemble).
    cutoff : pd.Period, pd.Timestamp, int or pd.Index, optional
        Time of lag 0, to label columns with time stamps instead of lags.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    cmap : str, default="viridis"
        Colour map.
    title : str, optional
        Axes title.
    member : str, optional
        Which attention forecaster of a composite to draw, by its path of names
        (``"attention"`` for a hybrid's member, ``"HybridForecaster__attention"``
        inside a pipeline); required when there are several, and the error lists
        them.
    series : object, optional
        Series key of a panel (required for a panel's table or forecaster).

    Returns
    -------
    fig, ax : matplotlib Figure and Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktime.datasets import load_airline
    >>> from sktime_attention import AttentionLSTMForecaster
    >>> from sktime_attention.plotting import plot_attention
    >>> f = AttentionLSTMForecaster(window_length=12, hidden_size=4, max_epochs=1)
    >>> f = f.fit(load_airline(), fh=[1, 2, 3])
    >>> fig, ax = plot_attention(f)
    >>> ax.get_ylabel()
    'forecast step'

    A composite: the attention member of a log pipeline.

    >>> from sktime.forecasting.compose import TransformedTargetForecaster
    >>> from sktime.transformations.series.boxcox import LogTransformer
    >>> pipe = TransformedTargetForecaster([LogTransformer(), f.clone()])
    >>> pipe = pipe.fit(load_airline(), fh=[1, 2, 3])
    >>> fig, ax = plot_attention(pipe)
    >>> ax.get_title()
    'Temporal attention (member AttentionLSTMForecaster)'
    """
    import matplotlib.pyplot as plt

    label = ""
    if not isinstance(attention, pd.DataFrame):
        found = find_member(attention, has_temporal_attention, member, series)
        model = found.forecaster
        table = model.attention_weights_
        if table is None:
            raise ValueError(
                "`attention` has no attention_weights_ (model fitted with X): pass "
                "forecaster.predict_attention(fh, X) instead"
            )
        key = None if found.series is not None else series
        attention = select_series(table, key, "the forecaster")
        cutoff = series_cutoff(model, key) if cutoff is None else cutoff
        label = title_label(found.path, series)
    else:
        attention = select_series(attention, series, "`attention`")
        label = title_label("", series)
    if ax is None:
        width = max(6.0, 0.25 * attention.shape[1])
        fig, ax = plt.subplots(figsize=(width, 1.5 + 0.3 * attention.shape[0]))
    else:
        fig = ax.figure
    image = ax.imshow(attention.to_numpy(), aspect="auto", cmap=cmap, vmin=0)
    fig.colorbar(image, ax=ax, label="attention weight")
    labels = lag_labels(attention.columns, cutoff)
    ticks = np.unique(np.linspace(0, len(labels) - 1, min(len(labels), 12)).astype(int))
    ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
    rows = [str(i) for i in attention.index]
    yticks = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), 12)).astype(int))
    ax.set_yticks(yticks, [rows[i] for i in yticks])
    ax.set_xlabel("encoder time" if cutoff is not None else "encoder lag (0 = cutoff)")
    ax.set_ylabel("forecast step")
    ax.set_title(title or "Temporal attention" + (f" ({label})" if label else ""))
    fig.tight_layout()
    return fig, ax


def _ticks(ax, axis, labels, rotate=False):
    """Put at most 12 evenly spaced ``labels`` on ``axis`` ("x" or "y")."""
    ticks = np.unique(np.linspace(0, len(labels) - 1, min(len(labels), 12)).astype(int))
    chosen = [labels[i] for i in ticks]
    if axis == "x":
        kwargs = {"rotation": 45, "ha": "right"} if rotate else {}
        ax.set_xticks(ticks, chosen, **kwargs)
    else:
        ax.set_yticks(ticks, chosen)


def _feature_table(attention, member, series):
    """Return (table, cutoff, label) from a feature-attention table or forecaster."""
    cutoff, label = None, title_label("", series)
    if not isinstance(attention, pd.DataFrame | pd.Series):
        found = find_member(
            attention,
            has_feature_attention,
            member,
            series,
            what="forecaster with feature attention (a DualStageAttentionForecaster)",
        )
        model = found.forecaster
        series = None if found.series is not None else series
        cutoff = series_cutoff(model, series)
        attention = model.feature_attention_
        label = title_label(
            found.path, series if found.series is None else found.series
        )
    elif series is not None and isinstance(attention, pd.Series):
        raise ValueError(f"`series` is given ({series!r}) but `attention` is a Series")
    if series is not None:
        attention = select_series(attention, series, "`attention`")
    if isinstance(attention.index, pd.MultiIndex):
        raise ValueError(
            "`attention` must hold one window of one series (index `lag`), got a "
            f"MultiIndex with levels {list(attention.index.names)}: select one "
            "with .loc[...] or series=, or use get_attention(aggregate='mean')"
        )
    return attention, cutoff, label


def plot_feature_attention(
    attention,
    kind="bar",
    cutoff=None,
    ax=None,
    cmap="viridis",
    title=None,
    *,
    member=None,
    series=None,
):
    """Plot feature (input) attention: bars per feature, or an encoder-time heatmap.

    Parameters
    ----------
    attention : pd.DataFrame, pd.Series or fitted forecaster
        A feature-attention table (index ``lag``, columns ``feature``) such as
        ``feature_attention_`` or ``get_attention(aggregate="mean")["feature"]``;
        a per-feature Series such as ``feature_importance_`` (bars only); or a
        fitted :class:`DualStageAttentionForecaster`, whose ``feature_attention_``
        and cutoff are used, or any composite holding one (pipeline, hybrid, grid
        search, ensemble).
    kind : {"bar", "heatmap"}, default="bar"
        ``"bar"``: the mean weight of each feature over the encoder steps, with
        a dashed line at the uniform weight 1 / n_features. ``"heatmap"``: feature
        (rows) by encoder time (columns).
    cutoff : pd.Period, pd.Timestamp, int or pd.Index, optional
        Time of lag 0, to label the heatmap's columns with time stamps.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    cmap : str, default="viridis"
        Colour map of the heatmap.
    title : str, optional
        Axes title.
    member : str, optional
        Which dual-stage forecaster of a composite to draw, by its path of names
        (see :func:`plot_attention`); required when there are several.
    series : object, optional
        Series key of a panel (required for a panel's table or forecaster).

    Returns
    -------
    fig, ax : matplotlib Figure and Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktime.datasets import load_longley
    >>> from sktime_attention import DualStageAttentionForecaster
    >>> from sktime_attention.plotting import plot_feature_attention
    >>> _, X = load_longley()
    >>> f = DualStageAttentionForecaster(window_length=4, hidden_size=4, max_epochs=1)
    >>> f = f.fit(X["GNP"], X=X[["ARMED", "POP"]], fh=[1])
    >>> fig, ax = plot_feature_attention(f)
    >>> [t.get_text() for t in ax.get_xticklabels()]
    ['GNP', 'ARMED', 'POP']
    >>> fig, ax = plot_feature_attention(f, kind="heatmap")
    >>> ax.get_ylabel()
    'feature'
    """
    import matplotlib.pyplot as plt

    if kind not in ("bar", "heatmap"):
        raise ValueError(f"`kind` must be one of ['bar', 'heatmap'], got {kind!r}")
    attention, fitted_cutoff, label = _feature_table(attention, member, series)
    cutoff = fitted_cutoff if cutoff is None else cutoff
    suffix = f" ({label})" if label else ""
    if kind == "heatmap" and isinstance(attention, pd.Series):
        raise ValueError(
            "`kind='heatmap'` needs a table with one row per encoder step, got a "
            "Series (one weight per feature)"
        )
    names = [
        str(c)
        for c in (
            attention.index if isinstance(attention, pd.Series) else attention.columns
        )
    ]
    if ax is None:
        if kind == "bar":
            size = (max(4.5, 0.9 * len(names) + 1.5), 3.5)
        else:
            size = (max(6.0, 0.25 * len(attention) + 2), 1.5 + 0.35 * len(names))
        fig, ax = plt.subplots(figsize=size)
    else:
        fig = ax.figure
    if kind == "bar":
        means = attention if isinstance(attention, pd.Series) else attention.mean()
        ax.bar(range(len(names)), means.to_numpy(), color="tab:blue")
        ax.axhline(1 / len(names), color="grey", linestyle="--", label="uniform")
        crowded = sum(len(n) for n in names) > 6 * len(names) or len(names) > 8
        kwargs = {"rotation": 30, "ha": "right"} if crowded else {}
        ax.set_xticks(range(len(names)), names, **kwargs)
        ax.set_xlabel("feature")
        ax.set_ylabel("mean attention weight")
        ax.legend(loc="upper right", frameon=False)
        ax.set_title(title or "Feature attention" + suffix)
    else:
        image = ax.imshow(
            attention.to_numpy().T, aspect="auto", cmap=cmap, vmin=0, vmax=None
        )
        fig.colorbar(image, ax=ax, label="attention weight")
        _ticks(ax, "x", lag_labels(attention.index, cutoff), rotate=True)
        ax.set_yticks(range(len(names)), names)
        ax.set_xlabel(
            "encoder time" if cutoff is not None else "encoder lag (0 = cutoff)"
        )
        ax.set_ylabel("feature")
        ax.set_title(title or "Feature attention per encoder step" + suffix)
    fig.tight_layout()
    return fig, ax


def plot_attention_overlay(
    forecaster,
    y=None,
    X=None,
    step=1,
    fh=None,
    context=None,
    ax=None,
    title=None,
    *,
    member=None,
    series=None,
):
    """Plot a series, its forecast, and the attention of one forecast step.

    The series (last ``context`` points) and the forecast from the cutoff are
    drawn on the left axis; the temporal attention of forecast step ``step``
    is drawn as bars over the encoder window on a twin right axis, so the bars
    sit on the periods the forecast of that step attended to.

    Parameters
    ----------
    forecaster : fitted forecaster
        An :class:`AttentionLSTMForecaster` or
        :class:`DualStageAttentionForecaster`, or any composite holding one
        (pipeline, hybrid, grid search, ensemble). Series and forecast are drawn
        on the scale of the data passed to ``forecaster``: the composite's own
        forecast, and inside a log pipeline the data before the log.
    y : pd.Series or pd.DataFrame, optional
        The series to draw (its first column when several); default the data the
        forecaster stores (seen in ``fit`` and ``update``).
    X : pd.DataFrame, optional
        Future covariates over ``fh``, required when the model uses ``X``.
    step : int, default=1
        Forecast step (1 = the first period after the cutoff) whose attention is
        drawn.
    fh : int, list or ForecastingHorizon, optional
        Forecast steps to draw; default ``1 .. horizon`` (the training horizon).
    context : int, optional
        Past points drawn; default ``2 * window_length``.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    title : str, optional
        Axes title.
    member : str, optional
        Which attention forecaster of a composite to draw, by its path of names
        (see :func:`plot_attention`); required when there are several.
    series : object, optional
        Series key of a panel (required for a panel).

    Returns
    -------
    fig, ax : matplotlib Figure and Axes
        ``ax`` holds the series; the attention's twin axes is ``fig.axes[-1]``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from sktime.datasets import load_airline
    >>> from sktime_attention import AttentionLSTMForecaster
    >>> from sktime_attention.plotting import plot_attention_overlay
    >>> f = AttentionLSTMForecaster(window_length=12, hidden_size=4, max_epochs=1)
    >>> f = f.fit(load_airline(), fh=[1, 2, 3])
    >>> fig, ax = plot_attention_overlay(f, step=2)
    >>> ax.get_xlabel(), fig.axes[-1].get_ylabel()
    ('time', 'attention weight (step 2)')
    """
    import matplotlib.pyplot as plt
    from sktime.forecasting.base import ForecastingHorizon

    found = find_member(forecaster, has_temporal_attention, member, series)
    model = found.forecaster
    key = None if found.series is not None else series  # key within the model
    cutoff = series_cutoff(model, key)
    if fh is None:
        fh = list(range(1, model.horizon_ + 1))
    if not isinstance(fh, ForecastingHorizon):
        fh = ForecastingHorizon(fh, is_relative=True)
    steps = list(fh.to_relative(model.cutoff))
    if step not in steps:
        fh = ForecastingHorizon(sorted({*steps, step}), is_relative=True)
    y_pred = forecaster.predict(fh=fh, X=X)  # the user's scale
    y_pred = y_pred.to_frame() if isinstance(y_pred, pd.Series) else y_pred
    y_pred = panel_or_one(y_pred, series, "the forecast")
    weights = model.predict_attention(fh=[step], X=X)
    weights = select_series(weights, key, "the forecaster").iloc[0]
    past = user_data(forecaster, found, y)
    past = panel_or_one(past, series, "`y`")
    name = past.columns[0]
    context = context or 2 * model.window_length
    past = past.iloc[-context:, 0]
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 3.8))
    else:
        fig = ax.figure
    lag_fh = ForecastingHorizon(weights.index.to_numpy(dtype=int), is_relative=True)
    encoder_times = plot_times(lag_fh.to_absolute_index(cutoff))
    twin = ax.twinx()
    spacing = pd.Series(encoder_times).diff().median() if len(weights) > 1 else 1
    if isinstance(spacing, pd.Timedelta):
        spacing = spacing / pd.Timedelta(days=1)  # date axes count in days
    width = 0.8 * (1 if pd.isna(spacing) else spacing)
    twin.bar(
        encoder_times,
        weights.to_numpy(),
        width=width,
        color="tab:orange",
        alpha=0.35,
        label=f"attention of step {step}",
    )
    twin.set_ylabel(f"attention weight (step {step})")
    twin.set_ylim(0, max(1e-9, weights.max()) * 1.15)
    ax.set_zorder(twin.get_zorder() + 1)
    ax.patch.set_visible(False)
    ax.plot(plot_times(past.index), past.to_numpy(), color="tab:blue", label=str(name))
    forecast = y_pred.iloc[:, 0]
    times = plot_times(forecast.index)
    ax.plot(times, forecast.to_numpy(), "o-", color="tab:green", label="forecast")
    when = ForecastingHorizon([step], is_relative=True).to_absolute_index(cutoff)
    if when[0] in forecast.index:
        ax.plot(
            plot_times(when),
            forecast.loc[when].to_numpy(),
            "*",
            color="tab:red",
            markersize=14,
            label=f"step {step}",
        )
    ax.set_xlabel("time")
    ax.set_ylabel(str(name))
    handles = ax.get_legend_handles_labels()
    extra = twin.get_legend_handles_labels()
    ax.legend(
        handles[0] + extra[0],
        handles[1] + extra[1],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        ncol=4,
        frameon=False,
        fontsize="small",
    )
    label = title_label(found.path, series)
    default = f"Forecast and the attention of step {step}"
    ax.set_title(title or default + (f" ({label})" if label else ""), pad=24)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig, ax
