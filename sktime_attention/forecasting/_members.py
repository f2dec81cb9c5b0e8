"""Running the members of HybridForecaster: checks, seeded clones, quiet calls, holdout.

Shape legend: M members, N holdout samples (fold x step), C columns of ``y``.
"""

__all__ = [
    "NonFiniteForecastError",
    "default_forecasters",
    "series_of",
    "stack_outputs",
    "call_member",
    "check_forecasts",
    "check_members",
    "default_cv",
    "holdout_forecasts",
    "member_pairs",
    "quiet",
    "seeded_clones",
]

import math
import sys
import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon
from sktime.split import ExpandingWindowSplitter

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
    if caught:  # module names let filters such as "ignore:::sktime.*" apply
        modules = {
            getattr(m, "__file__", None): k for k, m in sys.modules.copy().items()
        }
        for w in caught:
            module = modules.get(w.filename)
            warnings.warn_explicit(
                w.message, w.category, w.filename, w.lineno, module, _REGISTRY
            )


class NonFiniteForecastError(ValueError):
    """A member forecast NaN or inf; ``member`` names it.

    ``y`` is the data of the holdout (fit) and ``hybrid`` the hybrid whose member
    it is (predict), so that a hybrid over a panel can name the series.
    """

    def __init__(self, message, member, y=None):
        super().__init__(message)
        self.member, self.y, self.hybrid = member, y, None


def check_forecasts(name, where, values, y=None):
    """Return ``values``; raise `NonFiniteForecastError` naming ``name`` if not finite.

    One NaN would make the blend NaN whatever the member's weight (0 * NaN is
    NaN), so the hybrid refuses rather than hide it.
    """
    bad = ~np.isfinite(values)
    if bad.any():
        raise NonFiniteForecastError(
            f"member {name!r} of HybridForecaster returned {int(bad.sum())} "
            f"non-finite value(s) (NaN or inf) in {where}; the blend would be NaN "
            "whatever its weight: fix or drop the member",
            name,
            y,
        )
    return values


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
        with quiet():
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


def call_member(name, where, method, *args, **kwargs):
    """Call a member's method quietly; errors get a note naming the member."""
    try:
        with quiet():
            return method(*args, **kwargs)
    except Exception as err:
        err.add_note(f"raised by member {name!r} of HybridForecaster ({where})")
        raise


def default_cv(n, steps, members):
    """Expanding-window splitter over ``steps`` for ``n`` points (see the hybrid).

    ``steps`` are the relative steps of ``fh`` (None if fit got no ``fh``);
    ``members`` set the first training window through their ``window_length``.
    """
    if steps is None:
        raise ValueError(
            "`fh` must be passed to fit when `weights` are learned and `cv` is "
            "None: the holdout forecasts are scored on its steps"
        )
    h = int(steps.max())
    windows = [e.get_params(False).get("window_length") for _, e in members]
    windows = [w for w in windows if isinstance(w, int) and not isinstance(w, bool)]
    min_train = max(2 * h, 10, max(windows, default=0) + h + 1)
    if n < min_train + h:
        raise ValueError(
            f"`y` has {n} time points, too short for the default `cv`: it needs "
            f"at least {min_train + h}, a first training window of {min_train} = "
            f"max(2 * horizon, 10, window_length + horizon + 1) plus the horizon "
            f"{h}; pass more data, a shorter `fh`, your own `cv` or fixed `weights`"
        )
    step = math.ceil(h / 2)
    n_folds = min(3, (n - h - min_train) // step + 1)
    initial = n - h - (n_folds - 1) * step
    return ExpandingWindowSplitter(fh=steps, initial_window=initial, step_length=step)


def holdout_forecasts(y, X, cv, make_clones):
    """Member forecasts (M, N, C), truth (N, C) and steps (N,) over the folds of cv.

    In each fold, fresh members from ``make_clones()`` fit the training window
    and forecast the test window.
    """
    preds, truth, steps = [], [], []
    for k, (train, test) in enumerate(cv.split(y.index)):
        if len(train) == 0:
            raise ValueError(
                f"`cv` fold {k} has an empty training window on {len(y)} time "
                "points; pass more data or a `cv` with a shorter window"
            )
        fold_steps = np.asarray(test) - train[-1]
        if (fold_steps < 1).any():
            raise ValueError(f"`cv` fold {k} tests before its cutoff: {test}")
        fold_fh = ForecastingHorizon(fold_steps, is_relative=True)
        y_train = y.iloc[train]
        X_train = None if X is None else X.iloc[train]
        X_test = None if X is None else X.iloc[train[-1] + 1 :]
        fold = []
        for name, est in make_clones():
            where = f"holdout fold {k}"
            call_member(name, where, est.fit, y_train, X_train, fold_fh)
            pred = call_member(name, where, est.predict, fold_fh, X_test)
            values = pred.reindex(columns=y.columns).to_numpy(dtype=float)
            if values.shape != (len(test), y.shape[1]):
                raise ValueError(
                    f"member {name!r} returned {values.shape} forecasts in holdout "
                    f"fold {k}, expected {(len(test), y.shape[1])}"
                )
            fold.append(check_forecasts(name, f"holdout fold {k}", values, y))
        preds.append(np.stack(fold))
        truth.append(y.iloc[test].to_numpy(dtype=float))
        steps.append(fold_steps)
    if not truth:
        raise ValueError(f"`cv` produced no folds on {len(y)} time points")
    return np.concatenate(preds, 1), np.concatenate(truth), np.concatenate(steps)


def stack_outputs(hybrid, method, fh, X, y_columns, **kwargs):
    """Stack ``method``'s output of every fitted member of ``hybrid``, (M, H, K).

    Raises if a member's output is not finite or lacks a column of ``y``.
    """
    stacked = []
    for name, est in hybrid.forecasters_:
        out = call_member(name, method, getattr(est, method), fh, X, **kwargs)
        if method == "predict":
            missing = [c for c in y_columns if c not in out.columns]
            if missing:
                raise ValueError(
                    f"member {name!r} of HybridForecaster forecast no column "
                    f"{missing} of y in {method}, got {list(out.columns)}"
                )
            out = out[y_columns]
        try:
            stacked.append(check_forecasts(name, method, out.to_numpy(float)))
        except NonFiniteForecastError as err:
            err.hybrid = hybrid  # on panels, `series_of` looks for it
            raise
    return np.stack(stacked)


def series_of(err, yvec, fitted, methodname):
    """Key of the series whose hybrid raised ``err`` on a panel, or None.

    In ``fit`` the series is found by its data (``yvec``, sktime's vectorised
    ``y``), later by the fitted hybrid (``fitted``, sktime's frame of hybrids).
    """
    if err.y is not None and yvec is not None:
        for row, _, frame in yvec.items():
            if frame.shape == err.y.shape and np.array_equal(
                frame.to_numpy(), err.y.to_numpy()
            ):
                return row
    if methodname != "fit" and isinstance(fitted, pd.DataFrame):
        for row, hybrids in fitted.iterrows():
            if any(h is err.hybrid for h in hybrids):
                return row
    return None


def default_forecasters():
    """Return fresh, unfitted default members of `HybridForecaster`.

    ``HybridForecaster(forecasters=None)`` builds these in ``fit``; pass them
    explicitly to tune them with ``<member>__<param>`` keys.

    Returns
    -------
    list of (str, sktime forecaster)
        ``("attention", AttentionLSTMForecaster(window_length=12,
        attention="luong_general", hidden_size=16, max_epochs=50, patience=5))``
        for nonlinear and seasonal patterns, ``("arima",
        StatsModelsARIMA(order=(1, 1, 1), trend="t"))`` for linear dynamics with
        drift (no seasonal period assumed) and ``("hmm", HMMForecaster())`` for
        regime switches.

    Examples
    --------
    >>> from sktime_attention.forecasting import HybridForecaster, default_forecasters
    >>> [name for name, _ in default_forecasters()]
    ['attention', 'arima', 'hmm']
    >>> hybrid = HybridForecaster(default_forecasters()).set_params(
    ...     attention__max_epochs=2, arima__order=(2, 1, 0)
    ... )
    >>> hybrid.get_params()["attention__max_epochs"]
    2
    """
    from sktime.forecasting.arima import StatsModelsARIMA

    from sktime_attention.forecasting._attention_lstm import AttentionLSTMForecaster
    from sktime_attention.forecasting._hmm import HMMForecaster

    attention = AttentionLSTMForecaster(
        window_length=12,
        attention="luong_general",
        hidden_size=16,
        max_epochs=50,
        patience=5,
    )
    with quiet():
        arima = StatsModelsARIMA(order=(1, 1, 1), trend="t")
    return [("attention", attention), ("arima", arima), ("hmm", HMMForecaster())]
