"""Small ``check_*`` helpers that raise with messages naming the parameter.

Every message follows one pattern: the parameter, the rule, and what was given,
e.g. "`window_length` must be an int >= 1, got 0".
"""

__all__ = [
    "check_bool",
    "check_int",
    "check_lags",
    "check_float",
    "check_option",
    "check_finite_frame",
    "check_columns",
    "check_regular_index",
    "check_continues",
]

import numbers

import numpy as np
import pandas as pd


def check_bool(value, name):
    """Raise TypeError unless ``value`` is a Python or numpy bool."""
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"`{name}` must be a bool, got {value!r}")


def check_int(value, name, minimum=None, allow_none=False):
    """Return ``value`` if it is an int (not bool) >= ``minimum``, else raise."""
    if value is None and allow_none:
        return value
    rule = f"an int >= {minimum}" if minimum is not None else "an int"
    if allow_none:
        rule += " or None"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be {rule}, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"`{name}` must be {rule}, got {value!r}")
    return int(value)


def check_lags(value, name, maximum):
    """Return ``value`` as a tuple of ints in [1, ``maximum``]; None gives ()."""
    if value is None:
        return ()
    rule = f"a list of ints between 1 and {maximum} or None"
    if isinstance(value, (str, bytes)) or not hasattr(value, "__iter__"):
        raise TypeError(f"`{name}` must be {rule}, got {value!r}")
    lags = tuple(value)
    for lag in lags:
        if isinstance(lag, bool) or not isinstance(lag, numbers.Integral):
            raise TypeError(f"`{name}` must be {rule}, got {value!r}")
        if not 1 <= lag <= maximum:
            raise ValueError(f"`{name}` must be {rule}, got {value!r}")
    return tuple(int(lag) for lag in lags)


def check_float(value, name, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as float if it is a finite real number in the given range."""
    lo = "(" if low_open else "["
    hi = ")" if high_open or high is None else "]"
    rule = f"a float in {lo}{low if low is not None else '-inf'}, "
    rule += f"{high if high is not None else 'inf'}{hi}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be {rule}, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if np.isnan(value) or too_low or too_high:
        raise ValueError(f"`{name}` must be {rule}, got {value!r}")
    if not np.isfinite(value):  # an open end of the range: inf is no value
        raise ValueError(f"`{name}` must be a finite float, got {value!r}")
    return value


def check_option(value, name, options):
    """Return ``value`` if it is one of ``options`` (strings), else raise."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"`{name}` must be one of {sorted(options)}, got {value!r}")
    return value


def check_finite_frame(df, name):
    """Raise unless ``df`` is numeric and finite on a unique index; return floats."""
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if df.index.has_duplicates:
        repeated = df.index[df.index.duplicated()].unique()
        raise ValueError(
            f"`{name}` must have unique time points, found {len(repeated)} "
            f"repeated: {list(repeated[:5])}{' ...' if len(repeated) > 5 else ''}"
        )
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad or any(pd.api.types.is_bool_dtype(df[c]) for c in df.columns):
        bad = bad or [c for c in df.columns if pd.api.types.is_bool_dtype(df[c])]
        raise TypeError(
            f"`{name}` must hold numeric columns only, got non-numeric columns {bad}"
        )
    values = df.to_numpy(dtype=np.float64, na_value=np.nan)
    n_nan = int(np.isnan(values).sum())
    if n_nan:
        raise ValueError(
            f"`{name}` must not contain NaN, found {n_nan} missing value(s); "
            "impute first, e.g. with sktime's Imputer in a pipeline"
        )
    n_inf = int(np.isinf(values).sum())
    if n_inf:
        raise ValueError(f"`{name}` must be finite, found {n_inf} infinite value(s)")
    return values


def check_columns(df, fitted, name, where, rename_single=False):
    """Return ``df`` with the columns seen in ``fit``, in fitted order.

    Columns are matched by name, so reordering is harmless; missing, extra or
    renamed columns raise a ValueError that names them. ``fitted`` None means
    ``fit`` saw no such data, and then ``df`` must be None too; ``df`` None
    where ``fit`` saw columns raises. With ``rename_single``, a single column
    under another name is taken as the single fitted column (an unnamed
    univariate ``y``). Never modifies ``df``.
    """
    if df is None or fitted is None:
        if df is None and fitted is None:
            return None
        if df is None:
            raise ValueError(
                f"`{name}` is required in {where}: the model was fitted with "
                f"`{name}` columns {list(fitted)}"
            )
        raise ValueError(
            f"`{name}` must be None in {where}: the model was fitted without "
            f"`{name}`, got columns {list(df.columns)}"
        )
    columns, fitted = list(df.columns), list(fitted)
    if columns == fitted:
        return df
    if rename_single and len(columns) == len(fitted) == 1:
        return df.set_axis(fitted, axis=1)
    missing = [c for c in fitted if c not in columns]
    extra = [c for c in columns if c not in fitted]
    if missing or extra:
        raise ValueError(
            f"`{name}` in {where} must have the columns seen in fit {fitted} (in any "
            f"order), got {columns}: missing {missing}, unexpected {extra}"
        )
    return df[fitted]


def check_regular_index(index, name):
    """Raise unless every series of ``index`` steps evenly through time.

    A ``DatetimeIndex`` needs a frequency, set or inferable; a ``PeriodIndex`` or
    an integer index needs equal steps (no gaps). In a ``MultiIndex`` the last
    level is time and each series is checked alone. Series of fewer than three
    points are not checked.
    """
    if isinstance(index, pd.MultiIndex):
        levels = list(range(index.nlevels - 1))
        frame = pd.Series(0, index=index)
        for key, group in frame.groupby(level=levels, sort=False):
            check_regular_index(group.index.droplevel(levels), f"{name} {key!r}")
        return
    if len(index) < 3:
        return
    if isinstance(index, pd.DatetimeIndex):
        if index.freq is None and pd.infer_freq(index) is None:
            raise ValueError(
                f"`{name}` must have a regular time index: its DatetimeIndex has no "
                "frequency and none can be inferred from its uneven steps; "
                "resample it (e.g. `y.asfreq('D')`) or set its `freq`"
            )
        return
    if isinstance(index, pd.PeriodIndex) or pd.api.types.is_integer_dtype(index):
        values = index.asi8 if isinstance(index, pd.PeriodIndex) else index.to_numpy()
        steps = np.diff(values)
        kinds, counts = np.unique(steps, return_counts=True)
        usual = kinds[counts.argmax()]
        uneven = np.flatnonzero(steps != usual)
        if len(uneven):
            at = uneven[0]
            raise ValueError(
                f"`{name}` must have evenly spaced time points, found a gap between "
                f"{index[at]} and {index[at + 1]} (steps of {usual} elsewhere); "
                "fill it (e.g. with sktime's Imputer) or reindex"
            )


def check_continues(index, cutoff, name):
    """Raise unless the points of ``index`` after ``cutoff`` start one step later.

    ``cutoff`` is a length-1 index with a frequency (sktime's cutoff); points at
    or before it (revisions) are not checked. Without a frequency to step with,
    nothing is checked.
    """
    from sktime.forecasting.base import ForecastingHorizon

    later = index[index > cutoff[0]]
    if not len(later):
        return
    try:
        step = ForecastingHorizon([1], is_relative=True).to_absolute_index(cutoff)
    except (TypeError, ValueError, AttributeError):
        return
    if later[0] != step[0]:
        raise ValueError(
            f"`{name}` in update must continue after the cutoff {cutoff[0]}: the "
            f"next time point is {step[0]}, got {later[0]} (a gap)"
        )
