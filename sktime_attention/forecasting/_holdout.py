"""Holdout folds of HybridForecaster over one series or a whole panel.

Folds cut the common time axis of the series (`Layout`), so every fold holds
out the same time points of every series. Members that learn across series
(``is_global``) see the whole panel at once; the others get it too and sktime
fits them per series (in parallel under the hybrid's ``backend:parallel``
config). A member that can ``pretrain`` is trained once, on the data before the
first fold's cutoff; each fold then only sets its context (``fit``).

Shape legend: M members, S series, N holdout samples per series (fold x step),
H forecast steps, C columns of ``y``, K output columns of a member.
"""

__all__ = ["default_cv", "holdout_forecasts", "fit_members", "stack_outputs"]

import warnings

import numpy as np
from sktime.forecasting.base import ForecastingHorizon
from sktime.split import ExpandingWindowSplitter

from sktime_attention.forecasting._members import (
    call_member,
    check_forecasts,
    is_global,
    quiet,
)


def _window(members):
    windows = [e.get_params(False).get("window_length") for _, e in members]
    windows = [w for w in windows if isinstance(w, int) and not isinstance(w, bool)]
    return max(windows, default=0)


def default_cv(layout, steps, members):
    """Expanding-window splitter over ``steps`` on the time axis of ``layout``.

    Up to 3 folds with cutoffs H apart, the last one H steps before the end,
    a first training window of at least ``max(2 * H, window_length + H + 1)``
    time points for every series (largest member ``window_length``, if any);
    too short a series raises, named. The folds' test windows do not overlap:
    folds that share target points share their errors, so each fold's weights
    could only be learned on folds that share none (`cross_fitted_weights`),
    and with cutoffs ``ceil(H / 2)`` apart no fold was left for the middle one;
    learned on the others, its residuals understated new errors (on the random
    walk of ``benchmarks/coverage_hybrid.py`` the blend's holdout RMSE was
    10-13% below its error after the cutoff).
    """
    h = int(steps.max())
    min_train = max(2 * h, _window(members) + h + 1, 3)
    n = int(layout.lengths.min())
    if n < min_train + h:
        short = [
            (k, int(m))
            for k, m in zip(layout.series_names(), layout.lengths)
            if m < min_train + h
        ]
        what = "`y`" if not layout.is_panel else f"series {short[:5]}"
        raise ValueError(
            f"{what} (key, length) too short for the default `cv`: each series "
            f"needs at least {min_train + h} time points, a first training window "
            f"of {min_train} = max(2 * horizon, window_length + horizon + 1) "
            f"plus the horizon {h}; got {n}. Pass longer series, a shorter `fh`, "
            "your own `cv` or fixed `weights`"
        )
    step = h
    n_folds = min(3, (n - h - min_train) // step + 1)
    initial = len(layout.axis) - h - (n_folds - 1) * step
    return ExpandingWindowSplitter(fh=steps, initial_window=initial, step_length=step)


def _folds(layout, cv, members):
    """(first, last train position, test positions, steps) per fold of ``cv``."""
    folds = []
    need = max(_window(members) + 1, 2)
    for k, (train, test) in enumerate(cv.split(layout.axis)):
        if len(train) == 0:
            raise ValueError(
                f"`cv` fold {k} has an empty training window on {len(layout.axis)} "
                "time points; pass more data or a `cv` with a shorter window"
            )
        steps = np.asarray(test) - train[-1]
        if (steps < 1).any():
            raise ValueError(f"`cv` fold {k} tests before its cutoff: {test}")
        counts = layout.counts_until(train[-1], train[0])
        short = np.flatnonzero(counts < need + steps.max())
        if len(short):
            names = [(layout.keys[s], int(counts[s])) for s in short[:5]]
            what = f"series (key, points before its cutoff) {names}"
            if not layout.is_panel:
                what = f"`y`, {int(counts[0])} points before its cutoff"
            raise ValueError(
                f"too short for holdout fold {k}: {what}; its members need "
                f"window_length + horizon + 1 = "
                f"{need + steps.max()}. Drop these series, pass a shorter `fh` or "
                "`cv`, or fixed `weights`"
            )
        folds.append((int(train[0]), int(train[-1]), np.asarray(test), steps))
    if not folds:
        raise ValueError(f"`cv` produced no folds on {len(layout.axis)} time points")
    return folds


def _failing_series(est, layout, y, X, fh):
    """Keys of the series on which a fresh clone of ``est`` fails to fit."""
    bad = []
    for key in layout.keys:
        y_s, X_s = y.loc[key], None if X is None else X.loc[key]
        try:
            with quiet(), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                est.clone().fit(y_s, X_s, fh)
        except Exception:
            bad.append(key)
    return bad


def fit_named(name, where, est, layout, y, X, fh, log):
    """Fit a member; if a per-series member fails on a panel, name the series."""
    try:
        return call_member(name, where, est.fit, y, X, fh, log=log)
    except Exception as err:
        if layout.is_panel and not is_global(est):
            bad = _failing_series(est, layout, y, X, fh)
            if bad:
                err.add_note(f"it fails on series {bad[:5]} ({len(bad)} in all)")
        raise


def _forecast(name, est, where, layout, y, X, first, last, steps, log):
    """Fit ``est`` on positions first..last, forecast ``steps``: (S, H, C)."""
    fh = ForecastingHorizon(steps, is_relative=True)
    y_train, X_train = layout.select(y, first, last), layout.select(X, first, last)
    fit_named(name, where, est, layout, y_train, X_train, fh, log)
    X_test = layout.select(X, last + 1, last + int(steps.max()))
    pred = call_member(name, where, est.predict, fh, X_test, log=log)
    times = layout.axis[last + steps]
    values = layout.gather(pred, times, list(y.columns))
    return check_forecasts(name, where, values, layout.series_names())


def holdout_forecasts(layout, y, X, cv, clones, log, progress):
    """Member forecasts (M, S, N, C), truth (S, N, C), steps and times (N,) on ``cv``.

    ``times`` are the positions of the forecast points on the time axis.

    ``clones()`` gives fresh members; on a panel, those that can pretrain are
    pretrained once, on the data up to the first cutoff, and returned last in a
    dict (name -> member) for the final fit to reuse. sktime's ``pretrain``
    takes panels only, so on one series every fold fits afresh.
    """
    folds = _folds(layout, cv, clones())
    pretrained = {
        name
        for name, est in clones()
        if layout.is_panel and est.get_tag("capability:pretrain", False, False)
    }
    first_cutoff = min(last for _, last, _, _ in folds)
    trained = {}
    for name, est in clones():
        if name in pretrained:
            progress.step(f"pretrain: {name}")
            y_train = layout.select(y, 0, first_cutoff)
            X_train = layout.select(X, 0, first_cutoff)
            h = ForecastingHorizon(folds[0][3], is_relative=True)
            where = "holdout pretrain"
            call_member(name, where, est.pretrain, y_train, X_train, h, log=log)
            trained[name] = est
    values = layout.values(y)
    preds, truth, steps, times = [], [], [], []
    for k, (first, last, test, fold_steps) in enumerate(folds):
        fold = []
        for name, est in clones():
            est = trained.get(name, est)
            progress.step(f"fold {k}: {name}")
            where = f"holdout fold {k}"
            fold.append(
                _forecast(name, est, where, layout, y, X, first, last, fold_steps, log)
            )
        preds.append(np.stack(fold))  # (M, S, H, C)
        truth.append(values[:, test])
        steps.append(fold_steps)
        times.append(test)
    return (
        np.concatenate(preds, axis=2),
        np.concatenate(truth, axis=1),
        np.concatenate(steps),
        np.concatenate(times),
        trained,
    )


def fit_members(clones, trained, layout, y, X, fh, log, progress):
    """Fit members on all of ``y``; pretrained ones (``trained``) reuse their net."""
    fitted = []
    for name, est in clones:
        est = trained.get(name, est)
        progress.step(f"final fit: {name}")
        fitted.append((name, fit_named(name, "final fit", est, layout, y, X, fh, log)))
    return fitted


def stack_outputs(hybrid, method, fh, X, columns, **kwargs):
    """Stack ``method``'s output of every fitted member of ``hybrid``, (M, S, H, K).

    ``columns`` are those to read (of ``y``, or sktime's quantile columns).
    Raises if a member's output is not finite or lacks a column or a series.
    """
    layout, stacked = hybrid._layout, []
    times = fh.to_absolute_index(hybrid.cutoff)
    for name, est in hybrid.forecasters_:
        out = call_member(
            name, method, getattr(est, method), fh, X, log=hybrid._log, **kwargs
        )
        missing = [c for c in columns if c not in out.columns]
        if missing:
            raise ValueError(
                f"member {name!r} of HybridForecaster forecast no column "
                f"{missing} in {method}, got {list(out.columns)}"
            )
        values = layout.gather(out, times, columns)
        stacked.append(check_forecasts(name, method, values, layout.series_names()))
    return np.stack(stacked)
