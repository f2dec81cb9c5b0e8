"""Plots of attention tables (matplotlib); each returns the figure and axes."""

__all__ = ["plot_attention"]

import numpy as np
import pandas as pd


def _lag_labels(lags, cutoff):
    """Label encoder lags with time stamps (sktime's own fh arithmetic) if possible."""
    if cutoff is None:
        return [str(lag) for lag in lags]
    from sktime.forecasting.base import ForecastingHorizon

    cutoff = cutoff if isinstance(cutoff, pd.Index) else pd.Index([cutoff])
    try:
        fh = ForecastingHorizon(np.asarray(lags, dtype=int), is_relative=True)
        return [str(t) for t in fh.to_absolute_index(cutoff)]
    except (TypeError, ValueError, AttributeError):  # e.g. a Timestamp without freq
        return [str(lag) for lag in lags]


def plot_attention(attention, cutoff=None, ax=None, cmap="viridis", title=None):
    """Heatmap of temporal attention: forecast step (rows) by encoder time (columns).

    Parameters
    ----------
    attention : pd.DataFrame or fitted forecaster
        An attention table (index ``step``, columns ``lag``) such as
        ``forecaster.attention_weights_``, or a fitted forecaster whose
        ``attention_weights_`` (and cutoff) are used.
    cutoff : pd.Period, pd.Timestamp, int or pd.Index, optional
        Time of lag 0, to label columns with time stamps instead of lags.
    ax : matplotlib Axes, optional
        Axes to draw on; a new figure is made when None.
    cmap : str, default="viridis"
        Colour map.
    title : str, optional
        Axes title.

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
    """
    import matplotlib.pyplot as plt

    if not isinstance(attention, pd.DataFrame):
        forecaster = attention
        attention = forecaster.attention_weights_
        if attention is None:
            raise ValueError(
                "`attention` has no attention_weights_ (model fitted with X): pass "
                "forecaster.predict_attention(fh, X) instead"
            )
        cutoff = forecaster.cutoff if cutoff is None else cutoff
    if ax is None:
        width = max(6.0, 0.25 * attention.shape[1])
        fig, ax = plt.subplots(figsize=(width, 1.5 + 0.3 * attention.shape[0]))
    else:
        fig = ax.figure
    image = ax.imshow(attention.to_numpy(), aspect="auto", cmap=cmap, vmin=0)
    fig.colorbar(image, ax=ax, label="attention weight")
    labels = _lag_labels(attention.columns, cutoff)
    ticks = np.unique(np.linspace(0, len(labels) - 1, min(len(labels), 12)).astype(int))
    ax.set_xticks(ticks, [labels[i] for i in ticks], rotation=45, ha="right")
    rows = [str(i) for i in attention.index]
    yticks = np.unique(np.linspace(0, len(rows) - 1, min(len(rows), 12)).astype(int))
    ax.set_yticks(yticks, [rows[i] for i in yticks])
    ax.set_xlabel("encoder time" if cutoff is not None else "encoder lag (0 = cutoff)")
    ax.set_ylabel("forecast step")
    ax.set_title(title or "Temporal attention")
    fig.tight_layout()
    return fig, ax
