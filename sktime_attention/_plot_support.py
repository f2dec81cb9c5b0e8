"""Support of the plots: the attention member of a composite, one series, time labels.

A composite keeps its fitted parts in public attributes ending in ``_``:
pipelines in ``steps_`` (name, estimator) pairs, the hybrid and the ensembles in
``forecasters_``, tuning in ``best_forecaster_``, wrappers in ``forecaster_``,
and sktime's per-series vectorisation in a DataFrame of clones (``forecasters_``
with one row per series key). The search walks those attributes depth first and
names each find by the path of names that leads to it, joined by ``"__"`` as in
sktime's nested parameter names (``"HybridForecaster__attention"``).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class Found:
    """An attention forecaster found inside ``outer``.

    Parameters
    ----------
    path : str
        Names leading to it (``""`` when ``outer`` is the forecaster itself).
    forecaster : BaseForecaster
        The fitted attention forecaster.
    series : object or None
        The series key when sktime fitted one clone per series (vectorised
        panel), else None.
    transformed : bool
        True when a ``TransformedTargetForecaster`` lies on the way, so the
        forecaster saw ``y`` transformed (for example in logs).
    """

    path: str
    forecaster: object
    series: object = None
    transformed: bool = False


def _is_fitted_forecaster(obj):
    from sktime.forecasting.base import BaseForecaster

    return isinstance(obj, BaseForecaster) and getattr(obj, "is_fitted", False)


# fitted attributes that hold copies, not parts the composite predicts with: a
# tuner's ranked refits (``best_forecaster_`` is the one ``predict`` uses)
NOT_PARTS = {"n_best_forecasters_"}


def _children(obj):
    """Yield (name, child, series key or None) for the fitted parts of ``obj``."""
    for attr, value in vars(obj).items():
        if attr.startswith("_") or not attr.endswith("_") or attr in NOT_PARTS:
            continue
        if _is_fitted_forecaster(value):
            yield attr[:-1], value, None
        elif isinstance(value, pd.DataFrame) and any(
            d == "object" for d in value.dtypes
        ):
            # sktime's vectorisation: one fitted clone per series (and column)
            for key, row in value.iterrows():
                for column, cell in row.items():
                    if _is_fitted_forecaster(cell):
                        label = (
                            str(key) if len(value.columns) == 1 else f"{key}:{column}"
                        )
                        yield label, cell, key
        elif isinstance(value, list | tuple):
            for i, item in enumerate(value):
                if isinstance(item, tuple) and len(item) >= 2:
                    name, item = item[0], item[1]
                else:
                    name = f"{attr[:-1]}{i}"
                if _is_fitted_forecaster(item):
                    yield str(name), item, None


def _has_transformer(obj):
    from sktime.forecasting.compose import TransformedTargetForecaster

    return isinstance(obj, TransformedTargetForecaster)


def find_all(outer, accept):
    """Return every fitted forecaster in ``outer`` for which ``accept`` is True."""
    found, seen = [], set()

    def walk(obj, path, series, transformed):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if accept(obj):
            found.append(Found("__".join(path), obj, series, transformed))
            return
        transformed = transformed or _has_transformer(obj)
        for name, child, key in _children(obj):
            walk(child, [*path, name], key if key is not None else series, transformed)

    walk(outer, [], None, False)
    return found


def find_member(outer, accept, member=None, series=None, what="attention forecaster"):
    """Return the one :class:`Found` the arguments select, else a clear error.

    Parameters
    ----------
    outer : fitted sktime forecaster
        The forecaster passed to a plot (an attention model or any composite).
    accept : callable
        Predicate on a fitted forecaster: is it what the plot draws?
    member : str, optional
        Path of the member (as listed in the errors), or its last name(s) when
        those are unique (``"attention"`` for ``"HybridForecaster__attention"``).
    series : object, optional
        Series key: on a panel fitted one clone per series, selects the clone.
    what : str
        What ``accept`` looks for, for the error messages.

    Returns
    -------
    Found
    """
    if getattr(outer, "is_fitted", True) is False:
        raise ValueError(
            f"`forecaster` must be fitted, got an unfitted {type(outer).__name__}"
        )
    candidates = find_all(outer, accept)
    if not candidates:
        raise ValueError(
            f"`forecaster` holds no fitted {what}: searched {type(outer).__name__} "
            "and its fitted members (pipeline steps, hybrid and ensemble members, "
            "best_forecaster_ of a tuner)"
        )
    if series is not None and any(c.series is not None for c in candidates):
        keyed = [c for c in candidates if _same_key(c.series, series)]
        if not keyed:
            keys = sorted({str(c.series) for c in candidates if c.series is not None})
            raise ValueError(f"`series` must be one of {keys}, got {series!r}")
        candidates = keyed
    paths = [c.path for c in candidates]
    if member is not None:
        chosen = [c for c in candidates if _matches(c.path, member, c.series)]
        if len(chosen) != 1:
            rule = "matches several of" if chosen else "must name one of"
            raise ValueError(f"`member` {rule} {paths}, got {member!r}")
        return chosen[0]
    if len(candidates) > 1:
        raise ValueError(
            f"`forecaster` holds several {what}s: {paths}; choose one with "
            f"member=, e.g. member={paths[0]!r}"
            + (" (or series= for a panel)" if candidates[0].series is not None else "")
        )
    return candidates[0]


def _same_key(a, b):
    if isinstance(a, tuple) != isinstance(b, tuple):
        a = a if isinstance(a, tuple) else (a,)
        b = b if isinstance(b, tuple) else (b,)
    return a == b


def _matches(path, member, series):
    """Tell if ``member`` is the path or its last names (series keys may be omitted)."""
    if path == member:
        return True
    names = path.split("__")
    wanted = member.split("__")
    if names[-len(wanted) :] == wanted:
        return True
    if series is not None:  # "attention" matches "s0__attention"
        names = [n for n in names if n != str(series)]
        return names[-len(wanted) :] == wanted
    return False


# -- one series of a panel ------------------------------------------------------------
def series_keys(frame):
    """Return the series keys of a panel frame (all index levels but the last)."""
    return list(frame.index.droplevel(-1).unique())


def select_series(frame, series, name):
    """Return the rows of one series of a panel frame, keyed by the last level.

    ``frame`` without a MultiIndex is one series: returned as is when ``series``
    is None. A panel needs ``series``; the error lists the keys.
    """
    panel = isinstance(frame.index, pd.MultiIndex)
    if not panel:
        if series is not None:
            raise ValueError(
                f"`series` is given ({series!r}) but {name} holds one series"
            )
        return frame
    keys = series_keys(frame)
    shown = keys[:10] + (["..."] if len(keys) > 10 else [])
    if series is None:
        raise ValueError(
            f"{name} holds a panel of {len(keys)} series: choose one with "
            f"series=, one of {shown}"
        )
    key = series if isinstance(series, tuple) else (series,)
    if len(key) != frame.index.nlevels - 1 or key not in {
        k if isinstance(k, tuple) else (k,) for k in keys
    }:
        raise ValueError(f"`series` must be one of {shown}, got {series!r}")
    return frame.xs(key, level=list(range(len(key))))


def with_freq(index):
    """Return ``index`` with its frequency set where one can be inferred."""
    if isinstance(index, pd.DatetimeIndex) and index.freq is None and len(index) > 2:
        freq = pd.infer_freq(index)
        if freq is not None:
            index = pd.DatetimeIndex(index, freq=freq)
    return index


def panel_or_one(frame, series, name):
    """One series of a panel frame; a frame of one series as it is."""
    if not isinstance(frame.index, pd.MultiIndex):
        return frame
    return select_series(frame, series, name)


# -- what the plots draw ---------------------------------------------------------------
def has_temporal_attention(forecaster):
    """Tell if ``forecaster`` has temporal attention tables."""
    return hasattr(forecaster, "predict_attention")


def has_feature_attention(forecaster):
    """Tell if ``forecaster`` has fitted feature attention (dual-stage)."""
    return getattr(forecaster, "feature_attention_", None) is not None


def series_cutoff(model, series):
    """Time of lag 0 for ``series`` (the model's cutoff for one series)."""
    history = model.get_history()
    if not isinstance(history.index, pd.MultiIndex):
        return model.cutoff
    times = with_freq(select_series(history, series, "the forecaster").index)
    return times[-1:]


def title_label(path, series):
    """Say which member and series a plot shows, for its title."""
    parts = [f"member {path}" if path else "", f"series {series}" if series else ""]
    return ", ".join(p for p in parts if p)


def user_data(forecaster, found, y):
    """Return the series to draw, on the scale of the data ``forecaster`` saw.

    ``y`` when given; else the composite's stored data, else the member's own
    history when no transformation lies between (a hybrid's members see ``y``
    as it is).
    """
    if y is not None:
        return y.to_frame() if isinstance(y, pd.Series) else y
    if found.forecaster is forecaster:
        return found.forecaster.get_history()
    stored = getattr(forecaster, "_y", None)
    if stored is not None:
        return stored.to_frame() if isinstance(stored, pd.Series) else stored
    if found.transformed:
        raise ValueError(
            f"`y` is needed: member {found.path!r} saw transformed data and "
            f"{type(forecaster).__name__} keeps no copy of y (remember_data=False); "
            "pass the series as y="
        )
    return found.forecaster.get_history()


# -- time labels -----------------------------------------------------------------------
def lag_labels(lags, cutoff):
    """Label encoder lags with time stamps (sktime's own fh arithmetic) if possible."""
    if cutoff is None:
        return [str(lag) for lag in lags]
    from sktime.forecasting.base import ForecastingHorizon

    cutoff = cutoff if isinstance(cutoff, pd.Index) else pd.Index([cutoff])
    try:
        fh = ForecastingHorizon(np.asarray(lags, dtype=int), is_relative=True)
        times = fh.to_absolute_index(cutoff)
    except (TypeError, ValueError, AttributeError):  # e.g. a Timestamp without freq
        return [str(lag) for lag in lags]
    return time_labels(times)


def time_labels(times):
    """Format time stamps compactly: dates without a midnight clock time."""
    if isinstance(times, pd.DatetimeIndex):
        midnight = (times == times.normalize()).all()
        return list(times.strftime("%Y-%m-%d" if midnight else "%Y-%m-%d %H:%M"))
    return [str(t) for t in times]


def plot_times(index):
    """Return x values matplotlib can draw: Periods become Timestamps."""
    if isinstance(index, pd.PeriodIndex):
        return index.to_timestamp()
    return index
