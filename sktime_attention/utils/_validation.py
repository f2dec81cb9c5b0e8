"""Small ``check_*`` helpers that raise with messages naming the parameter.

Every message follows one pattern: the parameter, the rule, and what was given,
e.g. "`window_length` must be an int >= 1, got 0".
"""

__all__ = [
    "check_int",
    "check_float",
    "check_option",
    "check_finite_frame",
]

import numbers

import numpy as np
import pandas as pd


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


def check_float(value, name, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as float if it is a real number in the given range."""
    lo = "(" if low_open else "["
    hi = ")" if high_open else "]"
    rule = f"a float in {lo}{low if low is not None else '-inf'}, "
    rule += f"{high if high is not None else 'inf'}{hi}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"`{name}` must be {rule}, got {value!r}")
    value = float(value)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if np.isnan(value) or too_low or too_high:
        raise ValueError(f"`{name}` must be {rule}, got {value!r}")
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
