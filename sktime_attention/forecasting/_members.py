"""Members of HybridForecaster: checks, seeded clones, quiet calls, defaults.

A member's warnings are caught at each call and re-emitted once per distinct
message with the member's name and the fold (or ``"final fit"``, ``"predict"``,
``"update"``); those of the default members, which the package chooses, are
recorded in the hybrid's ``member_warnings_`` only.

Shape legend: S series, H forecast steps, K output columns.
"""

__all__ = [
    "NonFiniteForecastError",
    "Progress",
    "WarningLog",
    "call_member",
    "check_forecasts",
    "check_members",
    "default_forecasters",
    "is_global",
    "member_pairs",
    "quiet",
    "seeded_clones",
    "share_config",
]

import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sktime.base import BaseObject
from sktime.forecasting.base import BaseForecaster
from tqdm.auto import tqdm

from sktime_attention.forecasting._panel import PANEL_MTYPES

_REMEMBER_DATA = "The default of config ``remember_data``"
_REGISTRY = {}  # "default" filters show a re-emitted warning once per location


@contextmanager
def quiet():
    """Drop sktime 1.2's remember_data FutureWarning of members; re-emit the rest.

    Clones made in fit are ours, so that warning is noise. An ignore filter is not
    enough: sktime's ``_suppress_pd22_warning`` prepends
    ``filterwarnings("default", FutureWarning)`` on exit, which overrides it.
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    caught = [w for w in caught if not str(w.message).startswith(_REMEMBER_DATA)]
    for w in caught:
        _reemit(w, w.message)


def _reemit(w, message):
    """Warn ``message`` from the location of warning ``w`` (filters by module)."""
    modules = {getattr(m, "__file__", None): k for k, m in sys.modules.copy().items()}
    warnings.warn_explicit(
        message, w.category, w.filename, w.lineno, modules.get(w.filename), _REGISTRY
    )


class WarningLog:
    """Warnings of members, counted per (member, where, category, message).

    ``emit`` names the members whose warnings are re-emitted (with member and
    fold in the text); the others are only recorded. `table` lists them all.
    """

    def __init__(self, emit=()):
        self.emit = set(emit)
        self.counts = {}

    def add(self, name, where, caught):
        """Record the warnings ``caught`` in one call; re-emit if ``name`` emits."""
        groups = {}
        for w in caught:
            if str(w.message).startswith(_REMEMBER_DATA):
                continue
            key = (name, where, w.category.__name__, str(w.message))
            groups.setdefault(key, [w, 0])[1] += 1
        for key, (w, n) in groups.items():
            self.counts[key] = self.counts.get(key, 0) + n
            if name in self.emit:
                times = f" ({n} times, e.g. once per series)" if n > 1 else ""
                text = f"member {name!r} of HybridForecaster ({where}){times}: {key[3]}"
                try:
                    message = w.category(text)
                except Exception:  # a category that takes other arguments
                    message = UserWarning(text)
                _reemit(w, message)

    def table(self):
        """DataFrame: member, where, category, message, count (one row each)."""
        columns = ["member", "where", "category", "message", "count"]
        rows = [(*key, n) for key, n in self.counts.items()]
        return pd.DataFrame(rows, columns=columns)


class Progress:
    """Progress over fits, labelled by fold and member; silent unless ``enabled``.

    A tqdm bar on stderr with the rate and the time left, as in training.
    """

    def __init__(self, total, enabled):
        self.bar = tqdm(
            total=total, desc="HybridForecaster", unit="fit", disable=not enabled
        )

    def step(self, label):
        """Announce the fit ``label`` ("fold 0: attention"); count the last one."""
        self.bar.set_postfix_str(label, refresh=False)
        self.bar.update(1)

    def close(self):
        """Finish the bar."""
        self.bar.close()


class NonFiniteForecastError(ValueError):
    """A member forecast NaN or inf (or nothing) on some series; ``member`` names it."""

    def __init__(self, message, member):
        super().__init__(message)
        self.member = member


def check_forecasts(name, where, values, keys=None):
    """Return ``values`` (S, H, K); raise `NonFiniteForecastError` if not finite.

    One NaN would make the blend NaN whatever the member's weight (0 * NaN is
    NaN), so the hybrid refuses rather than hide it. On panels the message names
    the series (``keys``: their keys, in the order of ``values``).
    """
    bad = ~np.isfinite(values)
    if bad.any():
        where_series = ""
        if keys is not None and len(keys) > 1:
            series = [keys[s] for s in np.flatnonzero(bad.any(axis=(1, 2)))]
            where_series = f" on series {series[:5]!r}" + (
                f" and {len(series) - 5} more" if len(series) > 5 else ""
            )
        raise NonFiniteForecastError(
            f"member {name!r} of HybridForecaster returned {int(bad.sum())} "
            f"non-finite or missing value(s) (NaN or inf) in {where}{where_series}; "
            "the blend would be NaN whatever its weight: fix or drop the member",
            name,
        )
    return values


def is_global(est):
    """Whether ``est`` learns across series: pretrain capability or panel mtype."""
    if est.get_tag("capability:pretrain", False, raise_error=False):
        return True
    mtypes = est.get_tag("y_inner_mtype", [], raise_error=False)
    mtypes = [mtypes] if isinstance(mtypes, str) else list(mtypes or [])
    return any(m in PANEL_MTYPES for m in mtypes)


def member_pairs(forecasters):
    """(name, sktime forecaster) pairs of ``forecasters``; malformed ones skipped."""
    if not isinstance(forecasters, list | tuple):
        return []
    return [
        (m[0], m[1])
        for m in forecasters
        if isinstance(m, list | tuple)
        and len(m) == 2
        and isinstance(m[1], BaseForecaster)
    ]


def check_members(forecasters, reserved):
    """Return (name, forecaster) pairs of ``forecasters``, or raise a clear error.

    Names must be unique, free of ``"__"`` and not in ``reserved`` (parameters).
    """
    if (
        not isinstance(forecasters, list | tuple)
        or not forecasters
        or not all(
            isinstance(m, list | tuple) and len(m) == 2 and isinstance(m[0], str)
            for m in forecasters
        )
    ):
        raise TypeError(
            "`forecasters` must be a non-empty list of (name, forecaster) "
            f"pairs or None, got {forecasters!r}"
        )
    members = [(name, est) for name, est in forecasters]
    for name, est in members:
        if not isinstance(est, BaseForecaster):
            raise TypeError(
                f"`forecasters` member {name!r} must be an sktime forecaster, "
                f"got {type(est).__name__}"
            )
    names = [name for name, _ in members]
    dups = sorted({n for n in names if names.count(n) > 1})
    bad = dups or [n for n in names if "__" in n or n in reserved]
    if bad:
        raise ValueError(
            "`forecasters` names must be unique, free of '__' and differ from "
            f"parameter names, got {names} (offending: {bad})"
        )
    return members


def seeded_clones(members, random_state):
    """Fresh clones of ``members``; an int ``random_state`` seeds each one.

    Each member gets its own seed drawn from ``random_state``, set on each of its
    ``random_state`` parameters (nested too) that is None.
    """
    seeds = np.random.default_rng(random_state).integers(2**31 - 1, size=len(members))
    clones = []
    for (name, est), seed in zip(members, seeds):
        with quiet():  # set_params rebuilds sktime estimators: quiet too
            est = est.clone()
            if random_state is not None:
                est.set_params(
                    **{
                        key: int(seed)
                        for key, value in est.get_params().items()
                        if value is None and key.split("__")[-1] == "random_state"
                    }
                )
        clones.append((name, est))
    return clones


def share_config(est, config):
    """Set ``config`` on ``est`` and on every sktime object nested in it.

    A composite member such as ``Deseasonalizer() * ARIMA()`` handles a panel by
    vectorising its components, each under its own config: a backend set on the
    composite alone would leave them fitting one series after another.
    """
    est.set_config(**config)
    for value in est.get_params(deep=True).values():
        if isinstance(value, BaseObject) and "backend:parallel" in value.get_config():
            value.set_config(**config)


def call_member(name, where, method, *args, log=None, **kwargs):
    """Call a member's method; errors get a note naming member and ``where``.

    Warnings go to ``log`` (a `WarningLog`), which names the member and
    ``where`` when it re-emits them; without a log they are re-emitted as
    they are (sktime's remember_data FutureWarning dropped).
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = method(*args, **kwargs)
    except Exception as err:
        err.add_note(f"raised by member {name!r} of HybridForecaster ({where})")
        raise
    if log is None:
        for w in caught:
            if not str(w.message).startswith(_REMEMBER_DATA):
                _reemit(w, w.message)
    else:
        log.add(name, where, caught)
    return result


def default_forecasters(sp=1, window_length=None):
    """Return fresh, unfitted default members of `HybridForecaster`.

    ``HybridForecaster(forecasters=None)`` builds these in ``fit`` with the
    seasonal period of the data; pass them explicitly to tune them with
    ``<member>__<param>`` keys.

    Parameters
    ----------
    sp : int >= 1, default=1
        Seasonal period of the data (1: none).
    window_length : int >= 1 or None, default=None
        Encoder window of the attention member; None: ``max(12, 2 * sp)``.

    Returns
    -------
    list of (str, sktime forecaster)
        ``("attention", AttentionLSTMForecaster(window_length, seasonal_lags=
        [sp], attention="luong_general", hidden_size=16, max_epochs=50,
        interval_calibration="insample"))``, one network for all series,
        whose decoder reads each step's seasonal naive value (no seasonal lag
        when ``sp`` is 1 or longer than the window), and no second, calibration
        network (with learned weights the hybrid's intervals come from its own
        holdout residuals); ``("arima", ...)`` per series: ``StatsModelsARIMA(order=(1,
        1, 1), trend="t")`` for ``sp=1``, the airline model ``(0, 1, 1)(0, 1,
        1, sp)`` for ``1 < sp <= 12``, and above that ``ARIMA(1, 1, 1)`` on the
        series less its additive seasonal means (``Deseasonalizer(sp) *``
        ``StatsModelsARIMA``: statsmodels' seasonal state space took 1.0 to 2.3
        CPU s per M4 Hourly series, the deseasonalised one 0.04 to 0.08 s,
        ``docs/hybrid_arima_timing.py``); and
        ``("hmm", HMMForecaster())``, per series, deseasonalised the same way
        when ``sp > 1``.

    Examples
    --------
    >>> from sktime_attention.forecasting import HybridForecaster, default_forecasters
    >>> [name for name, _ in default_forecasters()]
    ['attention', 'arima', 'hmm']
    >>> default_forecasters(sp=12)[1][1].seasonal_order
    (0, 1, 1, 12)
    >>> default_forecasters(sp=12)[0][1].seasonal_lags
    [12]
    >>> hybrid = HybridForecaster(default_forecasters()).set_params(
    ...     attention__max_epochs=2, arima__order=(2, 1, 0)
    ... )
    >>> hybrid.get_params()["attention__max_epochs"]
    2
    """
    from sktime.forecasting.arima import StatsModelsARIMA
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.detrend import Deseasonalizer

    from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
    from sktime_attention.forecasting._hmm import HMMForecaster

    window_length = window_length or max(12, 2 * sp)
    attention = AttentionLSTMForecaster(
        window_length=window_length,
        seasonal_lags=[sp] if 1 < sp <= window_length else None,
        attention="luong_general",
        hidden_size=16,
        max_epochs=50,
        # the hybrid's intervals come from its own holdout residuals when the
        # weights are learned: a second, calibration network would go unused
        interval_calibration="insample",
    )
    with quiet():
        if sp == 1:
            arima = StatsModelsARIMA(order=(1, 1, 1), trend="t")
            hmm = HMMForecaster()
        elif sp <= 12:
            arima = StatsModelsARIMA(order=(0, 1, 1), seasonal_order=(0, 1, 1, sp))
            hmm = TransformedTargetForecaster(
                [("deseasonalize", Deseasonalizer(sp=sp)), ("hmm", HMMForecaster())]
            )
        else:
            arima, hmm = (
                TransformedTargetForecaster(
                    [("deseasonalize", Deseasonalizer(sp=sp)), (name, est)]
                )
                for name, est in [
                    ("arima", StatsModelsARIMA(order=(1, 1, 1))),
                    ("hmm", HMMForecaster()),
                ]
            )
    return [("attention", attention), ("arima", arima), ("hmm", hmm)]
