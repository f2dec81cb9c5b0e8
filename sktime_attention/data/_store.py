"""One series or a panel as float arrays, with its keys, time index and scaling.

Shape legend: S series, L_s time points of series s, T encoder steps, H forecast
steps, N targets, C covariates, F = N + C columns (targets, then covariates),
K covariates known over the horizon (C minus the past-only ones).
"""

__all__ = ["SeriesStore", "split_series"]

import numpy as np
import pandas as pd
from sktime.forecasting.base import ForecastingHorizon

from sktime_attention.utils._validation import (
    check_columns,
    check_finite_frame,
    check_regular_index,
)

_FLOAT32_MAX = float(np.finfo(np.float32).max)
# Moments are computed directly (bit for bit as before) while the squares of the
# values stay far from float64 overflow and underflow; beyond, on values divided
# by their largest magnitude.
_SAFE_MAGNITUDE = (1e-100, 1e100)
# A column whose spread is below this share of its magnitude is constant (the
# rounding of its mean leaves a std of about 1e-17 of the values, not 0).
_CONSTANT_SPREAD = 1e-12


def _moments(array):
    """Per-column centre and scale of ``array`` (L, F), relative to its magnitude.

    The mean and std never overflow or underflow: columns of extreme magnitude
    are divided by their largest absolute value first. A constant column gets its
    magnitude as scale (its values scale to 0 and forecasts to that magnitude),
    an all-zero column 1.
    """
    if not len(array):  # nothing to scale; the caller reports the empty series
        return np.zeros(array.shape[1]), np.ones(array.shape[1])
    magnitude = np.abs(array).max(axis=0)
    low, high = _SAFE_MAGNITUDE
    extreme = (magnitude > 0) & ((magnitude < low) | (magnitude > high))
    if not extreme.any():
        shift, spread = array.mean(axis=0), array.std(axis=0)
    else:
        shift, spread = np.empty_like(magnitude), np.empty_like(magnitude)
        plain = array[:, ~extreme]
        shift[~extreme], spread[~extreme] = plain.mean(axis=0), plain.std(axis=0)
        unit = array[:, extreme] / magnitude[extreme]
        shift[extreme] = unit.mean(axis=0) * magnitude[extreme]
        spread[extreme] = unit.std(axis=0) * magnitude[extreme]
    constant = ~(spread > _CONSTANT_SPREAD * magnitude)
    spread[constant] = np.where(magnitude[constant] > 0, magnitude[constant], 1.0)
    return shift, spread


def split_series(y, X=None):
    """Split ``y`` (and ``X``) into per-series raw arrays (L_s, F).

    Returns ``(keys, indexes, arrays)``: series keys (``[None]`` for a single
    series), each series' time index, and float arrays with the columns of ``y``
    followed by those of ``X``. Rejects NaN, inf, repeated time points and ``X``
    that does not cover ``y``. Never modifies its inputs.
    """
    check_finite_frame(y, "y")
    if X is not None:
        check_finite_frame(X, "X")
    if isinstance(y.index, pd.MultiIndex):
        levels = list(range(y.index.nlevels - 1))
        groups = list(y.groupby(level=levels, sort=False))
        keys = [key for key, _ in groups]
        ys = [group.droplevel(levels) for _, group in groups]
        Xs = [None] * len(keys)
        if X is not None:  # one pass over X: no lookups in an unsorted index
            parts = dict(iter(X.groupby(level=levels, sort=False)))
            missing = [key for key in keys if key not in parts]
            if missing:
                raise ValueError(
                    f"`X` must cover every series of `y`; missing {missing[:5]}"
                )
            Xs = [parts[key].droplevel(levels) for key in keys]
    else:
        keys, ys, Xs = [None], [y], [X]
    arrays = []
    for y_s, X_s in zip(ys, Xs):
        parts = [y_s.to_numpy(dtype=np.float64)]
        if X_s is not None:
            X_s = X_s.reindex(y_s.index)
            if X_s.isna().any().any():
                raise ValueError("`X` must cover every time point of `y`")
            parts.append(X_s.to_numpy(dtype=np.float64))
        arrays.append(np.concatenate(parts, axis=1))
    return keys, [y_s.index for y_s in ys], arrays


class SeriesStore:
    """The data a fitted network reads: raw history per series, keys, scaler.

    Parameters
    ----------
    y : pd.DataFrame
        Targets; a panel has a MultiIndex whose last level is time.
    X : pd.DataFrame or None
        Covariates on the index of ``y``.
    scaling : {"standard", "window", "none"}
        ``"none"`` keeps raw values; the others z-score each column of each series.
        The mean and std are computed relative to the column's magnitude, so
        values from 1e-300 to 1e300 scale alike; a constant column (std below
        1e-12 of its magnitude) is centred and divided by its magnitude (by 1
        if all zero). ``"window"`` also centres windows on their last target
        value, which the network side does. Scaled values must fit in float32
        (the network's precision); :meth:`scale` raises otherwise.
    past_covariates : list or None, default=None
        Columns of ``X`` known only up to the cutoff: they stay in the history
        (the encoder reads them) but never in :meth:`future`. Names must be
        columns of ``X`` (the forecaster checks them).

    Attributes
    ----------
    keys : list
        Series keys, ``[None]`` for a single series.
    known_columns, past_columns : list
        Columns of ``X`` known over the horizon, and those known only up to
        the cutoff, each in the order of ``X``.
    known : list of int
        Positions of ``known_columns`` among the C covariates.
    arrays : list of np.ndarray
        Raw (L_s, F) history per series, extended and revised by :meth:`extend`.
    indexes : list of pd.Index
        Time index of each series' history (the rows of ``arrays``).
    shift, spread : list of np.ndarray
        Per series (F,) centre and scale of the scaler.

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sktime_attention.data import SeriesStore
    >>> store = SeriesStore(load_airline().to_frame(), None, scaling="standard")
    >>> store.context(window_length=12).shape  # (S, T, F)
    (1, 12, 1)
    >>> store.is_panel, store.y_columns
    (False, ['Number of airline passengers'])
    """

    def __init__(self, y, X, scaling, past_covariates=None):
        self.y_columns = list(y.columns)
        self.X_columns = None if X is None else list(X.columns)
        past = set(past_covariates or ())
        columns = self.X_columns or []
        self.past_columns = [c for c in columns if c in past]
        self.known_columns = [c for c in columns if c not in past]
        self.known = [i for i, c in enumerate(columns) if c not in past]
        self.n_targets = y.shape[1]
        self.n_covariates = 0 if X is None else X.shape[1]
        self.index_names = list(y.index.names)
        self.keys, self.indexes, self.arrays = split_series(y, X)
        if scaling == "none":
            self.shift = [np.zeros(a.shape[1]) for a in self.arrays]
            self.spread = [np.ones(a.shape[1]) for a in self.arrays]
        else:
            self.shift, self.spread = map(
                list, zip(*(_moments(a) for a in self.arrays))
            )
        for s, array in enumerate(self.arrays):
            self.scale(array, s)  # raises where scaled values overflow float32

    # -- layout -----------------------------------------------------------------
    @property
    def is_panel(self):
        """Whether the store holds a panel (keyed series) rather than one series."""
        return self.keys[0] is not None

    @property
    def key_names(self):
        """Names of the series-key levels of a panel."""
        key = self.keys[0]
        return self.index_names[: len(key) if isinstance(key, tuple) else 1]

    @property
    def n_known(self):
        """K, covariates whose values over the horizon feed the decoder."""
        return len(self.known)

    @property
    def feature_names(self):
        """Encoder feature names: targets, then covariates."""
        return pd.Index([*self.y_columns, *(self.X_columns or [])], name="feature")

    @property
    def lengths(self):
        """Number of stored time points of each series (S,)."""
        return np.array([len(a) for a in self.arrays])

    @property
    def last_index(self):
        """Last time point of each series (length-1 indexes)."""
        return [index[-1:] for index in self.indexes]

    def position(self, keys):
        """Positions of ``keys`` in the store; unseen keys raise."""
        known = {k: s for s, k in enumerate(self.keys)}
        unseen = [k for k in keys if k not in known]
        if unseen:
            raise ValueError(f"`y` holds series not seen in fit: {unseen[:5]}")
        return [known[k] for k in keys]

    # -- scaling ----------------------------------------------------------------
    def scale(self, array, s):
        """Scale raw (..., F) values of series ``s``; raise beyond float32."""
        return _check_float32((array - self.shift[s]) / self.spread[s])

    def scale_known(self, values, s):
        """Scale raw (..., K) known covariates of series ``s``; raise beyond float32."""
        at = self.n_targets + np.asarray(self.known, dtype=int)
        return _check_float32((values - self.shift[s][at]) / self.spread[s][at])

    def unscale_targets(self, values, s):
        """Map scaled (..., N) target values of series ``s`` back to raw units."""
        n = self.n_targets
        return values * self.spread[s][:n] + self.shift[s][:n]

    # -- windows ----------------------------------------------------------------
    def context(self, window_length):
        """Scaled windows (S, T, F) ending at each series' last point."""
        t = window_length
        return np.stack([self.scale(a[-t:], s) for s, a in enumerate(self.arrays)])

    def extend(self, y, X=None):
        """Add the points of ``y`` (and ``X``) to the history: revise, then append.

        Points at or before a series' end revise the stored values at those time
        points (the network's context then reads the revised data); later points
        are appended and must continue the series' time steps. The scaler is
        kept. Raises before changing anything if a point is not on the stored
        time grid or leaves a gap.
        """
        keys, indexes, arrays = split_series(y, X)
        known = {k: s for s, k in enumerate(self.keys)}
        unseen = [k for k in keys if k not in known]
        if unseen:
            raise ValueError(f"`y` in update holds an unseen series {unseen[0]!r}")
        changes = []
        for key, index, array in zip(keys, indexes, arrays):
            s, end = known[key], self.indexes[known[key]][-1]
            name = "y" if key is None else f"y {key!r}"
            check_regular_index(index, name)
            new = np.asarray(index > end)
            at = self.indexes[s].get_indexer(index[~new])
            if (at < 0).any():
                off = index[~new][at < 0]
                raise ValueError(
                    f"`{name}` in update has time points not among those seen so "
                    f"far and not after the end {end}: "
                    f"{list(off[:5])}{' ...' if len(off) > 5 else ''}"
                )
            if new.any():  # the new points must continue the stored time steps
                joined = self.indexes[s][-2:].append(index[new])
                check_regular_index(joined, f"{name} in update (after the data seen)")
            self.scale(array, s)  # raises where scaled values overflow float32
            changes.append((s, at, array[~new], index[new], array[new]))
        for s, at, revised, index, appended in changes:
            if len(at):  # arrays are the store's own copies (split_series)
                self.arrays[s][at] = revised
            if len(index):
                self.arrays[s] = np.concatenate([self.arrays[s], appended])
                self.indexes[s] = self.indexes[s].append(index)

    # -- time -------------------------------------------------------------------
    def series_cutoff(self, s, cutoff):
        """Cutoff of series ``s``: its last index, with the panel's frequency."""
        if not self.is_panel:
            return cutoff
        last = self.indexes[s][-1:]
        if isinstance(last, pd.DatetimeIndex) and last.freq is None:
            last = pd.DatetimeIndex(last, freq=getattr(cutoff, "freq", None))
        return last

    def gap(self, s, cutoff, freq):
        """Count the steps from the end of series ``s`` to the panel's ``cutoff``."""
        if not self.is_panel or self.indexes[s][-1] == cutoff[0]:
            return 0
        common = ForecastingHorizon(cutoff, is_relative=False, freq=freq)
        return int(common.to_relative(self.series_cutoff(s, cutoff))[0])

    def future(self, X, s, horizon, cutoff):
        """Scaled known covariates (H, K) of series ``s`` over steps 1..H, or None.

        Reads the ``known_columns`` of ``X``; past-only columns are not read.
        """
        if not self.n_known:
            return None
        needed = ForecastingHorizon(np.arange(1, horizon + 1), is_relative=True)
        index = needed.to_absolute_index(self.series_cutoff(s, cutoff))
        past = (
            f"; the columns in `past_covariates` {self.past_columns} need none"
            if self.past_columns
            else ""
        )
        if X is None:
            raise ValueError(
                f"`X` is required in predict: the model was fitted with X, and the "
                f"decoder needs the columns {self.known_columns} at {index[0]} .. "
                f"{index[-1]}{past}"
            )
        X_s = X if self.keys[s] is None else X.loc[self.keys[s]]
        X_s = X_s[self.known_columns].reindex(index)
        gaps = X_s.isna()
        if gaps.any().any():
            missing = X_s.index[gaps.any(axis=1)]
            columns = list(X_s.columns[gaps.any(axis=0)])
            raise ValueError(
                f"`X` must cover the forecasting horizon: columns {columns} are "
                f"missing at {list(missing[:5])}{' ...' if len(missing) > 5 else ''} "
                f"({len(missing)} of {horizon} steps){past}"
            )
        return self.scale_known(X_s.to_numpy(np.float64), s)

    # -- series to explain ------------------------------------------------------
    def explained_series(self, y, X, horizon):
        """Series for attention over every window: stored ones, or ``y``'s.

        Returns (key, scaled (L, F), time index, scaled known covariates
        (L + H, K) or None) per series; the H rows after the end are NaN where
        ``X`` does not reach.
        """
        if self.n_covariates and X is None and y is not None:
            raise ValueError(
                "`X` is required in get_attention with `y`: the model was fitted "
                "with X, and every window reads past X"
            )
        if X is not None:
            X = check_columns(X, self.X_columns, "X", "get_attention")
        if y is None:
            keys, positions, arrays = self.keys, range(len(self.keys)), self.arrays
            indexes = [self.indexes[s] for s in positions]
        else:
            keys, indexes, arrays = split_series(self._target_frame(y), X)
            positions = self.position(keys)
        series = []
        for key, s, index, array in zip(keys, positions, indexes, arrays):
            scaled, future = self.scale(array, s), None
            if self.n_known:  # known covariates, then H rows after the end
                later = np.full((horizon, self.n_known), np.nan)
                after = _index_after(index, horizon)
                if after is not None and X is not None:
                    X_s = (X if key is None else X.loc[key])[self.known_columns]
                    later = self.scale_known(X_s.reindex(after).to_numpy(np.float64), s)
                known = self.n_targets + np.asarray(self.known, dtype=int)
                future = np.concatenate([scaled[:, known], later])
            series.append((key, scaled, index, future))
        return series

    def _target_frame(self, y):
        """Return ``y`` as a frame with the fitted target columns, in fitted order."""
        if isinstance(y, pd.Series):
            y = y.to_frame()
        if not isinstance(y, pd.DataFrame):
            raise TypeError(f"`y` must be a pd.Series or pd.DataFrame, got {type(y)}")
        return check_columns(
            y, self.y_columns, "y", "get_attention", rename_single=self.n_targets == 1
        )


def _check_float32(scaled):
    """Return ``scaled`` if the network can read it in float32, else raise."""
    if scaled.size and np.abs(scaled).max() > _FLOAT32_MAX:
        raise ValueError(
            f"values reach {np.abs(scaled).max():.3g} after scaling, beyond float32 "
            f"(max {_FLOAT32_MAX:.3g}), the precision of the network; with "
            '`scaling="none"` rescale the data or use scaling "standard" or '
            '"window", or pass data within the range seen in fit'
        )
    return scaled


def _index_after(index, horizon):
    """Return the ``horizon`` time points after ``index`` (None without freq)."""
    cutoff = index[-1:]
    if isinstance(index, pd.DatetimeIndex) and index.freq is None:
        freq = pd.infer_freq(index) if len(index) >= 3 else None
        cutoff = pd.DatetimeIndex(cutoff, freq=freq)
    try:
        fh = ForecastingHorizon(np.arange(1, horizon + 1), is_relative=True)
        return fh.to_absolute_index(cutoff)
    except (TypeError, ValueError, AttributeError):
        return None
