"""Attention tables: tidy DataFrames built from the network's attention arrays.

Shape legend: S series, W windows of one series, H forecast steps, T encoder
steps (lags ``-T + 1 .. 0``, 0 the window's last step), F encoder features.
"""

__all__ = [
    "WindowAggregate",
    "combine_window_tables",
    "feature_table",
    "stack_tables",
    "temporal_table",
    "window_tables",
]

import numpy as np
import pandas as pd


def _lags(window_length):
    return pd.Index(np.arange(-window_length + 1, 1), name="lag")


def stack_tables(frames, keys, names=None):
    """One frame for a single series (``keys == [None]``), else keyed and stacked."""
    if keys[0] is None:
        return frames[0]
    return pd.concat(frames, keys=keys, names=names)


def temporal_table(temporal, steps, keys, key_names=()):
    """Step x lag frames from (S, H, T) weights, for the 1-based ``steps``.

    Parameters
    ----------
    temporal : np.ndarray
        (S, H, T) decoder attention per series, forecast step and encoder step.
    steps : np.ndarray of int
        Forecast steps to report (1 = the first step after the cutoff).
    keys : list
        Series keys, ``[None]`` for a single series.
    key_names : sequence of str, default=()
        Names of the series levels of a panel (those of ``y``'s index).

    Returns
    -------
    pd.DataFrame
        Index ``step`` (series keys outside for a panel), columns ``lag``
        ``-T + 1 .. 0``.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.data import temporal_table
    >>> weights = np.full((1, 2, 4), 0.25)  # one series, H=2 steps, T=4 lags
    >>> temporal_table(weights, np.array([1, 2]), keys=[None])
    lag     -3    -2    -1     0
    step
    1     0.25  0.25  0.25  0.25
    2     0.25  0.25  0.25  0.25
    """
    frames = [
        pd.DataFrame(
            w[steps - 1],
            index=pd.Index(steps, name="step"),
            columns=_lags(w.shape[-1]),
        )
        for w in temporal
    ]
    return stack_tables(frames, keys, [*key_names, "step"])


def feature_table(feature, feature_names, keys, key_names):
    """Lag x feature frames from (S, T, F) weights.

    Parameters
    ----------
    feature : np.ndarray
        (S, T, F) input attention per series, encoder step and feature.
    feature_names : pd.Index
        The F feature names (targets, then covariates).
    keys : list
        Series keys, ``[None]`` for a single series.
    key_names : list of str
        Names of the series-key levels of a panel.

    Returns
    -------
    pd.DataFrame
        Index ``lag`` ``-T + 1 .. 0`` (series keys outside for a panel),
        columns ``feature``.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sktime_attention.data import feature_table
    >>> weights = np.array([[[0.7, 0.3], [0.4, 0.6]]])  # one series, T=2, F=2
    >>> names = pd.Index(["y", "x"], name="feature")
    >>> feature_table(weights, names, keys=[None], key_names=[])
    feature    y    x
    lag
    -1       0.7  0.3
     0       0.4  0.6
    """
    frames = [
        pd.DataFrame(w, index=_lags(w.shape[0]), columns=feature_names) for w in feature
    ]
    return stack_tables(frames, keys, [*key_names, "lag"])


def window_tables(temporal, feature, ends, feature_names):
    """Per-window tables of one series.

    ``temporal`` (W, H, T) has NaN rows for windows whose forecast could not run
    (unknown future covariates): they are left out. ``feature`` is (W, T, F) or
    None; ``ends`` the W window-end time stamps. Returns ``{"temporal": frame
    indexed (window_end, step), "feature": frame indexed (window_end, lag) or
    None}``.
    """
    n_windows, horizon, t = temporal.shape
    known = ~np.isnan(temporal).any(axis=(1, 2))
    lags = _lags(t)
    index = pd.MultiIndex.from_arrays(
        [ends[known].repeat(horizon), np.tile(np.arange(1, horizon + 1), known.sum())],
        names=["window_end", "step"],
    )
    tables = {
        "temporal": pd.DataFrame(
            temporal[known].reshape(-1, t), index=index, columns=lags
        ),
        "feature": None,
    }
    if feature is not None:
        index = pd.MultiIndex.from_arrays(
            [ends.repeat(t), np.tile(lags, n_windows)], names=["window_end", "lag"]
        )
        tables["feature"] = pd.DataFrame(
            feature.reshape(-1, feature.shape[-1]), index=index, columns=feature_names
        )
    return tables


class WindowAggregate:
    """Mean or max of one series' window attention, fed batch by batch.

    Keeps a running sum (or max) and count per kind, so memory is that of one
    batch whatever the number of windows; :meth:`tables` gives the same frames as
    reducing the :func:`window_tables` of all windows with
    ``groupby(level=-1).agg(how)``.

    Parameters
    ----------
    how : {"mean", "max"}
        The reduction over windows.

    Examples
    --------
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sktime_attention.data._tables import WindowAggregate
    >>> agg = WindowAggregate("mean")
    >>> agg.add(np.full((3, 2, 4), 0.25), None)  # W=3 windows, H=2, T=4
    >>> agg.add(np.full((1, 2, 4), np.nan), None)  # a window without future X
    >>> agg.tables(pd.Index(["y"]))["temporal"].shape
    (2, 4)
    """

    def __init__(self, how):
        self.how = how
        self.reduce = np.sum if how == "mean" else np.max
        self.combine = np.add if how == "mean" else np.maximum
        self.totals = {"temporal": None, "feature": None}
        self.counts = {"temporal": 0, "feature": 0}
        self.shapes = {}

    def add(self, temporal, feature):
        """Fold in a batch of windows' attention.

        ``temporal`` (B, H, T) has NaN rows for windows whose forecast could not
        run (left out); ``feature`` is (B, T, F) or None.
        """
        known = ~np.isnan(temporal).any(axis=(1, 2))
        for kind, block in (("temporal", temporal[known]), ("feature", feature)):
            if block is None:
                continue
            self.shapes[kind] = block.shape[1:]
            if not len(block):
                continue
            part = self.reduce(block, axis=0)
            total = self.totals[kind]
            self.totals[kind] = part if total is None else self.combine(total, part)
            self.counts[kind] += len(block)

    def tables(self, feature_names):
        """``{"temporal": frame by step, "feature": frame by lag or None}``.

        A kind with no windows is an empty frame (None for feature attention the
        network does not have).
        """
        tables = {"temporal": None, "feature": None}
        for kind in ("temporal", "feature"):
            if kind not in self.shapes:
                continue
            rows, width = self.shapes[kind]
            if kind == "temporal":
                index = pd.Index(np.arange(1, rows + 1), name="step")
                columns = _lags(width)
            else:
                index, columns = _lags(rows), feature_names
            values, count = self.totals[kind], self.counts[kind]
            if not count:
                values, index = np.empty((0, width)), index[:0]
            elif self.how == "mean":
                values = values / count
            tables[kind] = pd.DataFrame(values, index=index, columns=columns)
        return tables


def combine_window_tables(blocks, keys, key_names, aggregated=False):
    """Stack the per-series tables of several series under their keys.

    ``blocks`` are :func:`window_tables` (indexed by ``window_end`` and ``step``
    or ``lag``) or, with ``aggregated``, :meth:`WindowAggregate.tables` (indexed
    by ``step`` or ``lag`` alone). A kind missing for any series, or with no rows
    at all, is None.
    """
    tables = {}
    for kind, level in (("temporal", "step"), ("feature", "lag")):
        frames = [block[kind] for block in blocks]
        if any(frame is None for frame in frames):
            tables[kind] = None
            continue
        names = [*key_names, level]
        if not aggregated:
            names.insert(len(key_names), "window_end")
        table = stack_tables(frames, keys, names)
        tables[kind] = table if len(table) else None
    return tables
