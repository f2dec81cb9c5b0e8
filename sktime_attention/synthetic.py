"""Synthetic series for examples, tests and benchmarks, with known structure.

Each generator is deterministic given ``seed`` (a fresh
``numpy.random.default_rng(seed)`` per call), so the same arguments always give
the same numbers.

- :func:`make_seasonal`: trend + sine season + noise, one series.
- :func:`make_panel`: seasonal series at different levels, a panel
  (``MultiIndex`` of series and time) for global models.
- :func:`make_planted_lag`: ``y[t] = coef * y[t - lag] + noise * e[t]``; a model
  forecasting step ``h`` should attend to lag ``h - lag`` (0 = the cutoff), a
  known answer for temporal attention.
- :func:`make_planted_driver`: ``y[t] = x_d[t - lag] + noise * e[t]`` with iid
  inputs ``X``; only the driver ``x_d`` carries information, a known answer for
  feature attention.

:func:`lag_hit_rate` scores a temporal attention table against a planted lag.
``PLANTED_TRAINING`` holds the forecaster settings under which the planted-truth
rates of ``benchmarks/README.md`` were measured; tests and benchmarks share it so
their numbers compare.

By default the time index is a monthly ``PeriodIndex`` for the seasonal
generators and a ``RangeIndex`` for the planted ones; ``start`` and ``freq``
choose another ``PeriodIndex``, ``start=None`` a ``RangeIndex``.
"""

__all__ = [  # and PLANTED_TRAINING, a constant (no docstring of its own)
    "lag_hit_rate",
    "make_seasonal",
    "make_panel",
    "make_planted_lag",
    "make_planted_driver",
]

import numbers
from types import MappingProxyType

import numpy as np
import pandas as pd

from sktime_attention.utils._validation import check_int

#: Settings of the attention forecasters in the planted-truth benchmarks and tests
#: (read-only; pass with ``**PLANTED_TRAINING``).
PLANTED_TRAINING = MappingProxyType(
    {
        "hidden_size": 16,
        "batch_size": 32,
        "learning_rate": 5e-3,
        "validation_fraction": 0.0,
        "scaling": "standard",
    }
)


def _index(n, start, freq):
    """``pd.period_range(start, periods=n, freq=freq)``, or a RangeIndex."""
    if start is None:
        return pd.RangeIndex(n)
    return pd.period_range(start, periods=n, freq=freq)


def make_seasonal(
    n=120,
    period=12,
    seed=0,
    *,
    level=10.0,
    trend=0.05,
    amplitude=2.0,
    phase=0.0,
    noise=0.1,
    start="2000-01",
    freq="M",
    name="y",
):
    """Noisy seasonal series with a linear trend.

    ``y[t] = level + trend * t + amplitude * sin(2 pi t / period + phase)
    + noise * e[t]`` with ``e`` iid standard normal; with the defaults the
    values are positive (about 8 to 18).

    Parameters
    ----------
    n : int, default=120
        Number of time points.
    period : int or float, default=12
        Season length in time points.
    seed : int, default=0
        Seed of the noise.
    level : float, default=10.0
        Value at ``t = 0`` without season and noise.
    trend : float, default=0.05
        Increase per time point.
    amplitude : float, default=2.0
        Amplitude of the sine season.
    phase : float, default=0.0
        Phase of the season, in radians.
    noise : float, default=0.1
        Standard deviation of the noise.
    start : str, pd.Period or None, default="2000-01"
        First period of the ``PeriodIndex``; None for a ``RangeIndex``.
    freq : str, default="M"
        Frequency of the ``PeriodIndex``.
    name : str or None, default="y"
        Name of the series.

    Returns
    -------
    y : pd.Series
        The series, float values.

    See Also
    --------
    make_panel : Several seasonal series as one panel.

    Examples
    --------
    >>> from sktime_attention.synthetic import make_seasonal
    >>> y = make_seasonal(n=48)
    >>> len(y), y.name, str(y.index[0]), y.index.freqstr
    (48, 'y', '2000-01', 'M')
    >>> bool((y > 0).all())
    True
    >>> make_seasonal(n=48).equals(y)  # same seed, same numbers
    True
    """
    n = check_int(n, "n", minimum=1)
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + trend * t + amplitude * np.sin(2 * np.pi * t / period + phase)
    values = values + noise * rng.standard_normal(n)
    return pd.Series(values, index=_index(n, start, freq), name=name)


def make_panel(
    n_series=4,
    n=60,
    seed=0,
    *,
    level=10.0,
    level_step=10.0,
    trend=0.0,
    amplitude=3.0,
    period=12,
    phase_step=0.0,
    noise=1.0,
    start="2000-01",
    freq="M",
):
    """Panel of noisy seasonal series at different levels.

    Series ``i`` (named ``"s{i}"``) is ``level + level_step * i + trend * t +
    amplitude * sin(2 pi t / period + phase_step * i) + noise * e[t]``; one random
    generator draws the noise of all series in turn.

    Parameters
    ----------
    n_series : int, default=4
        Number of series.
    n : int, default=60
        Number of time points per series.
    seed : int, default=0
        Seed of the noise.
    level : float, default=10.0
        Level of the first series.
    level_step : float, default=10.0
        Level added per series: series ``i`` sits at ``level + level_step * i``.
    trend : float, default=0.0
        Increase per time point.
    amplitude : float, default=3.0
        Amplitude of the sine season.
    period : int or float, default=12
        Season length in time points.
    phase_step : float, default=0.0
        Phase added per series, in radians.
    noise : float, default=1.0
        Standard deviation of the noise.
    start : str, pd.Period or None, default="2000-01"
        First period of the ``PeriodIndex``; None for a ``RangeIndex``.
    freq : str, default="M"
        Frequency of the ``PeriodIndex``.

    Returns
    -------
    panel : pd.DataFrame
        One column ``"y"``; a two-level ``MultiIndex`` named ``("series",
        "time")``, sktime's ``pd-multiindex`` panel format.

    See Also
    --------
    make_seasonal : One seasonal series.

    Examples
    --------
    >>> from sktime_attention.synthetic import make_panel
    >>> panel = make_panel(n_series=3, n=24)
    >>> panel.shape, list(panel.index.names)
    ((72, 1), ['series', 'time'])
    >>> panel["y"].groupby(level="series").mean().round(-1).tolist()
    [10.0, 20.0, 30.0]
    """
    n_series = check_int(n_series, "n_series", minimum=1)
    n = check_int(n, "n", minimum=1)
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    index = _index(n, start, freq)
    frames = {}
    for i in range(n_series):
        values = (
            level
            + level_step * i
            + trend * t
            + amplitude * np.sin(2 * np.pi * t / period + phase_step * i)
            + noise * rng.standard_normal(n)
        )
        frames[f"s{i}"] = pd.DataFrame({"y": values}, index=index)
    return pd.concat(frames, names=["series", "time"])


def make_planted_lag(
    n=800, lag=24, seed=0, *, coef=0.95, noise=0.2, start=None, freq="M", name=None
):
    """Autoregressive series driven by its own value ``lag`` steps back.

    The first ``lag`` values are iid standard normal; after them ``y[t] = coef *
    y[t - lag] + noise * e[t]``. A model forecasting step ``h <= lag`` from a
    window of at least ``lag`` points finds its best evidence at encoder lag
    ``h - lag`` (0 = the last point of the window): a planted answer for temporal
    attention.

    Parameters
    ----------
    n : int, default=800
        Number of time points.
    lag : int, default=24
        The planted lag, ``1 <= lag``.
    seed : int, default=0
        Seed of the random generator.
    coef : float, default=0.95
        Weight of ``y[t - lag]``; ``|coef| < 1`` keeps the series stationary.
    noise : float, default=0.2
        Standard deviation of the innovations.
    start : str, pd.Period or None, default=None
        First period of a ``PeriodIndex``; None for a ``RangeIndex``.
    freq : str, default="M"
        Frequency of the ``PeriodIndex`` (used with ``start`` only).
    name : str or None, default=None
        Name of the series.

    Returns
    -------
    y : pd.Series
        The series, float values around 0.

    See Also
    --------
    make_planted_driver : The planted answer for feature attention.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.synthetic import make_planted_lag
    >>> y = make_planted_lag(n=120, lag=12)
    >>> len(y), type(y.index).__name__
    (120, 'RangeIndex')
    >>> innovation = y[12:].to_numpy() - 0.95 * y[:-12].to_numpy()
    >>> bool(np.abs(innovation).max() < 1.0)  # 0.2 e[t], e standard normal
    True
    """
    n = check_int(n, "n", minimum=1)
    lag = check_int(lag, "lag", minimum=1)
    rng = np.random.default_rng(seed)
    y = rng.standard_normal(n)
    for t in range(lag, n):
        y[t] = coef * y[t - lag] + noise * rng.standard_normal()
    return pd.Series(y, index=_index(n, start, freq), name=name)


def make_planted_driver(
    n=400,
    inputs=4,
    seed=0,
    *,
    driver=None,
    lag=1,
    noise=0.1,
    start=None,
    freq="D",
    name="y",
):
    """Target driven by one of several iid inputs, ``lag`` steps late.

    ``X`` holds iid standard normal inputs; the target is ``y[t] = X[driver][t -
    lag] + noise * e[t]`` (0 for ``t < lag``), so only the driver carries
    information about the target: a planted answer for feature attention.

    Parameters
    ----------
    n : int, default=400
        Number of time points.
    inputs : int or list of str, default=4
        Number of inputs, named ``x0``, ``x1``, ...; or the names of the inputs.
    seed : int, default=0
        Seed of the random generator.
    driver : str, optional
        Name of the input that drives the target; the first input when None.
    lag : int, default=1
        Delay of the target behind the driver.
    noise : float, default=0.1
        Standard deviation of the target's own noise.
    start : str, pd.Period or None, default=None
        First period of a ``PeriodIndex``; None for a ``RangeIndex``.
    freq : str, default="D"
        Frequency of the ``PeriodIndex`` (used with ``start`` only).
    name : str or None, default="y"
        Name of the target series.

    Returns
    -------
    y : pd.Series
        The target.
    X : pd.DataFrame
        The inputs, one column each, on the index of ``y``.

    See Also
    --------
    make_planted_lag : The planted answer for temporal attention.

    Examples
    --------
    >>> from sktime_attention.synthetic import make_planted_driver
    >>> y, X = make_planted_driver(n=200, driver="x2")
    >>> list(X.columns), y.name
    (['x0', 'x1', 'x2', 'x3'], 'y')
    >>> X.shift(1).corrwith(y).idxmax()  # y follows x2 one step late
    'x2'
    """
    n = check_int(n, "n", minimum=1)
    lag = check_int(lag, "lag", minimum=0)
    if isinstance(inputs, numbers.Integral):
        columns = [f"x{i}" for i in range(check_int(inputs, "inputs", minimum=1))]
    else:
        columns = list(inputs)
    driver = columns[0] if driver is None else driver
    if driver not in columns:
        raise ValueError(f"`driver` must be one of {columns}, got {driver!r}")
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        rng.standard_normal((n, len(columns))),
        index=_index(n, start, freq),
        columns=columns,
    )
    y = X[driver].shift(lag).fillna(0.0) + noise * rng.standard_normal(n)
    return y.rename(name), X


def lag_hit_rate(table, lag):
    """Share of forecast steps whose attention peaks exactly at the planted lag.

    For a series driven by its value ``lag`` steps back, the evidence for forecast
    step ``h`` sits at encoder lag ``h - lag`` (0 = the cutoff); a hit is a step
    whose largest weight is there.

    Parameters
    ----------
    table : pd.DataFrame
        A temporal attention table: index ``step``, columns ``lag`` (for example
        ``attention_weights_``).
    lag : int
        The planted lag.

    Returns
    -------
    float
        Hits over steps, in [0, 1]; chance is 1 / (number of lags).

    Examples
    --------
    >>> import pandas as pd
    >>> from sktime_attention.synthetic import lag_hit_rate
    >>> table = pd.DataFrame(
    ...     [[0.1, 0.7, 0.2], [0.6, 0.1, 0.3]], index=[1, 2], columns=[-2, -1, 0]
    ... )
    >>> lag_hit_rate(table, lag=2)  # step 1 peaks at -1 (hit), step 2 at -2 (miss)
    0.5
    """
    peaks = table.idxmax(axis=1).to_numpy()
    return float(np.mean(peaks == table.index.to_numpy() - lag))
