"""One series or a panel on a common time axis, for HybridForecaster.

The hybrid sees ``y`` as S series (one for a plain series) that end at the same
time point, on one time axis: the sorted union of their time points. Holdout
folds cut that axis, member forecasts are gathered into arrays by series and
time, and blends go back to frames with the index layout of ``y``.

Shape legend: S series, T time points, H forecast steps, C columns of ``y``.
"""

__all__ = ["Layout", "infer_sp", "PANEL_MTYPES", "early_ends", "vectorize_if_apart"]

import re
import warnings

import numpy as np
import pandas as pd

#: sktime mtypes of panels and hierarchies (time is the last index level).
PANEL_MTYPES = ("pd-multiindex", "pd_multiindex_hier")

# seasonal period by pandas frequency (its alphabetic part, multiple 1)
_SP_BY_FREQ = {
    "h": 24,
    "H": 24,
    "D": 7,
    "B": 5,
    "W": 52,
    "M": 12,
    "ME": 12,
    "MS": 12,
    "BM": 12,
    "BME": 12,
    "BMS": 12,
    "Q": 4,
    "QE": 4,
    "QS": 4,
    "min": 60,
    "T": 60,
    "s": 60,
    "S": 60,
}


def infer_sp(index):
    """Seasonal period implied by the frequency of a time index; 1 if none.

    Hourly 24, daily 7, business-daily 5, weekly 52, monthly 12, quarterly 4,
    minutely and secondly 60; yearly, multiples (``"2h"``) and indexes without
    a frequency (``RangeIndex``) give 1. On a MultiIndex the last level is read.
    """
    if isinstance(index, pd.MultiIndex):
        index = index.get_level_values(-1).unique().sort_values()
    freq = getattr(index, "freqstr", None)
    if freq is None and isinstance(index, pd.DatetimeIndex) and len(index) >= 3:
        freq = pd.infer_freq(index)
    if not freq:
        return 1
    match = re.fullmatch(r"(\d*)([A-Za-z]+)", freq.split("-")[0])
    if match is None or match.group(1) not in ("", "1"):
        return 1
    return _SP_BY_FREQ.get(match.group(2), 1)


def early_ends(y):
    """Keys (up to 5) and count of the series of panel ``y`` that end early."""
    if not isinstance(y, pd.DataFrame) or not isinstance(y.index, pd.MultiIndex):
        return [], 0
    times = pd.Series(y.index.get_level_values(-1), index=y.index.droplevel(-1))
    ends = times.groupby(level=list(range(y.index.nlevels - 1)), sort=False).max()
    late = ends[ends < ends.max()]
    return list(late.index[:5]), len(late)


def vectorize_if_apart(X_inner, y_inner, apart):
    """Wrap panels for sktime's per-series loop when their series end apart.

    ``apart`` is whether a fitted hybrid was vectorised, None before ``fit``
    (then a panel ``y`` whose series end at different times is wrapped, with a
    warning). Returns ``(X_inner, y_inner)``.
    """
    from sktime.datatypes import VectorizedDF

    if apart is None:
        keys, n_early = early_ends(y_inner)
        apart = n_early > 0
        if apart:
            warnings.warn(
                f"{n_early} series of `y` end before the others (e.g. {keys}): "
                "HybridForecaster fits one hybrid per series (sktime's "
                "vectorisation), so no member is shared across series and the "
                "weights are learned per series. Align the series' ends (e.g. "
                "integer time ending at -1) for one model of the whole panel",
                UserWarning,
                stacklevel=4,
            )
    if not apart:
        return X_inner, y_inner

    def wrap(data):
        if data is None or not isinstance(data.index, pd.MultiIndex):
            return data
        scitype = "Panel" if data.index.nlevels == 2 else "Hierarchical"
        return VectorizedDF(X=data, iterate_as="Series", is_scitype=scitype)

    return wrap(X_inner), wrap(y_inner)


class Layout:
    """Series keys and the common time axis of ``y`` (a frame or a panel).

    Parameters
    ----------
    y : pd.DataFrame
        One series, or a panel / hierarchy with time as the last index level.

    Raises
    ------
    ValueError
        If the series of a panel do not all end at the same time point (the
        hybrid forecasts every series from one cutoff).
    """

    def __init__(self, y):
        index = y.index
        self.is_panel = isinstance(index, pd.MultiIndex)
        self.names = list(index.names)
        if self.is_panel:
            key_values = index.droplevel(-1)
            times = index.get_level_values(-1)
            self.keys = key_values.unique()
            self.axis = times.unique().sort_values()
            self._codes = self.keys.get_indexer(key_values)
        else:
            self.keys = pd.Index([0], name="series")
            self.axis, times = index, index
            self._codes = np.zeros(len(index), dtype=int)
        self._pos = self.axis.get_indexer(times)
        n_series = len(self.keys)
        self.ends = np.full(n_series, -1)
        np.maximum.at(self.ends, self._codes, self._pos)
        self.lengths = np.bincount(self._codes, minlength=n_series)
        late = np.flatnonzero(self.ends < len(self.axis) - 1)
        if len(late):
            shown = {self.keys[s]: self.axis[self.ends[s]] for s in late[:5]}
            raise ValueError(
                "every series of a panel `y` must end at the same time point "
                f"({self.axis[-1]}), the cutoff of all forecasts; {len(late)} "
                f"end earlier, e.g. {shown}. Drop or extend them, or re-index each "
                "series to end at the same point (e.g. integer time ending at -1)"
            )

    @property
    def n_series(self):
        """Number of series S."""
        return len(self.keys)

    def series_names(self):
        """Keys as a list (tuples for hierarchies), for messages and tables."""
        return list(self.keys)

    def select(self, frame, first, last):
        """Rows of ``frame`` (``y`` or ``X``) at time positions ``first..last``."""
        if frame is None:
            return None
        index = frame.index
        times = index.get_level_values(-1) if self.is_panel else index
        pos = self.axis.get_indexer(times)
        return frame[(pos >= first) & (pos <= last)]

    def counts_until(self, last, first=0):
        """Points (S,) of each series at time positions ``first..last``."""
        mask = (self._pos >= first) & (self._pos <= last)
        return np.bincount(self._codes[mask], minlength=self.n_series)

    def values(self, y):
        """Values (S, T, C) on the time axis; NaN before a series starts."""
        out = np.full((self.n_series, len(self.axis), y.shape[1]), np.nan)
        out[self._codes, self._pos] = y.to_numpy(dtype=float)
        return out

    def gather(self, frame, times, columns):
        """Values (S, H, C) of ``frame`` at ``times``; NaN where it has none."""
        index = frame.index
        if self.is_panel and isinstance(index, pd.MultiIndex):
            s = self.keys.get_indexer(index.droplevel(-1))
            t = pd.Index(times).get_indexer(index.get_level_values(-1))
        else:
            s = np.zeros(len(index), dtype=int)
            t = pd.Index(times).get_indexer(index)
        out = np.full((self.n_series, len(times), len(columns)), np.nan)
        ok = (s >= 0) & (t >= 0)
        out[s[ok], t[ok]] = frame[columns].to_numpy(dtype=float)[ok]
        return out

    def frame(self, values, times, columns):
        """DataFrame of ``values`` (S, H, K) with the index layout of ``y``."""
        n_series, horizon = values.shape[:2]
        flat = values.reshape(n_series * horizon, -1)
        if not self.is_panel:
            return pd.DataFrame(flat, index=times, columns=columns)
        keys, times = self.keys, pd.Index(times)
        if isinstance(keys, pd.MultiIndex):
            arrays = [
                keys.get_level_values(i).repeat(horizon) for i in range(keys.nlevels)
            ]
        else:
            arrays = [keys.repeat(horizon)]
        arrays.append(times.take(np.tile(np.arange(horizon), n_series)))
        index = pd.MultiIndex.from_arrays(arrays, names=self.names)
        return pd.DataFrame(flat, index=index, columns=columns)

    def naive_scale(self, values, sp):
        """In-sample seasonal-naive MAE (S, C) of ``values`` (S, T, C), at lag sp.

        Lag 1 for series of at most ``sp`` points. Computed in units of each
        series' max ``|y|`` (nothing overflows); 0 becomes that max, 0 data 1.
        """
        size = np.nanmax(np.abs(values), axis=1)  # (S, C)
        size = np.where(np.isfinite(size) & (size > 0), size, 1.0)
        scaled = values / size[:, None]
        scale = np.empty_like(size)
        for s in range(self.n_series):
            x = scaled[s][~np.isnan(scaled[s]).any(axis=1)]
            lag = sp if len(x) > sp else 1
            diff = np.abs(x[lag:] - x[:-lag]) if len(x) > lag else np.zeros((1, 1))
            scale[s] = diff.mean(axis=0) if len(diff) else 0.0
        scale = np.where(scale > 0, scale, 1.0)
        return scale * size
