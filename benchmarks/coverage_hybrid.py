"""Coverage of HybridForecaster's split-conformal intervals (learned weights).

Cheap members: ``--members plain`` is NaiveForecaster "last" and "drift" plus
PolynomialTrendForecaster (no intervals of its own); ``--members intervals``
swaps the trend for NaiveForecaster "mean" (window 24), so that every member
has intervals, and also scores the weighted average of the members' quantiles
(``"members"``, the hybrid's rule for learned weights before) next to its
split-conformal intervals (``"residuals"``) on the same fits; ``--members
default`` fits the hybrid's own default members (attention, ARIMA, HMM: slow).
Synthetic series (``--kinds``): a Gaussian random walk; a seasonal AR(1)
(sine season of period 12 plus AR(1) noise, coefficient 0.7); the AR(1) alone;
a linear trend plus white noise. The hybrid is refitted at rolling origins (``--series``
independent series x ``--origins`` origins each, ``--horizon`` + 1 steps apart
from a first origin that moves with the series, so that every phase of the
season is an origin) and its nominal 80% and 95% intervals are scored on the
next ``--horizon`` points. Series ``s`` has seed ``1000 * --seed + s``: tune on
``--seed 1``, report ``--seed 0``. Reported per kind of series, ``cv`` and
interval method:

- coverage at each nominal level, over all origins and steps, with its
  standard error over series (origins of one series are correlated);
- mean width per step and the share of origins whose widths never shrink with
  the step.

``cv``: "conformal" is an expanding window with ``--folds`` folds one step
apart (``--folds`` residuals per step, enough for split-conformal at 95% from
19 on); "default" is the hybrid's default ``cv`` (at most 3 folds), where the
residuals are pooled over the steps (see ``residual_widths``).

    python benchmarks/coverage_hybrid.py --series 20 --origins 10 --jobs 2
"""

import argparse
import time
import warnings
from multiprocessing import Pool

import numpy as np
import pandas as pd

LEVELS = (0.8, 0.95)
KINDS = ("random_walk", "seasonal_ar", "ar1", "trend_noise")


def make_series(kind, n, seed):
    """One synthetic series of ``n`` points, monthly PeriodIndex (``KINDS``)."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    if kind not in KINDS:
        raise ValueError(f"`kind` must be one of {KINDS}, got {kind!r}")
    if kind == "random_walk":
        values = np.cumsum(e)
    elif kind == "trend_noise":  # linear trend plus white noise
        values = 5.0 + 0.1 * np.arange(n) + e
    else:  # AR(1), coefficient 0.7, with or without a sine season of period 12
        u = np.zeros(n)
        for t in range(1, n):
            u[t] = 0.7 * u[t - 1] + e[t]
        season = 3.0 * np.sin(2 * np.pi * np.arange(n) / 12)
        values = 10.0 + u + (season if kind == "seasonal_ar" else 0.0)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(values, index=index, name="y")


def _members(which):
    """Cheap members: ``"plain"`` (one without intervals) or ``"intervals"``.

    ``"default"``: None, the hybrid's default members (attention, ARIMA, HMM).
    """
    if which == "default":
        return None
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.forecasting.trend import PolynomialTrendForecaster

    third = ("trend", PolynomialTrendForecaster(degree=1))
    if which == "intervals":
        third = ("mean", NaiveForecaster(strategy="mean", window_length=24))
    return [
        ("last", NaiveForecaster()),
        ("drift", NaiveForecaster(strategy="drift")),
        third,
    ]


def _score(bounds, test):
    """Hits (L, H) and widths (L, H) of ``predict_interval`` bounds (H, 2 L)."""
    lower, upper = bounds[:, 0::2].T, bounds[:, 1::2].T
    return (lower <= test) & (test <= upper), upper - lower


def run_series(args):
    """Coverage hits (O, L, H) and widths (O, L, H) of one series' origins.

    One entry per interval method: split-conformal (``"residuals"``), and for
    members that all have intervals also their weighted quantiles (``"members"``).
    """
    kind, cv_kind, which, seed, n_origins, horizon, folds, first_train = args
    # origins horizon + 1 apart from a first one that varies with the series: every
    # phase of the period-12 season is an origin (horizon + 1 = 7 and 12 coprime)
    first_train += seed % 12
    gap = horizon + 1
    from sktime.split import ExpandingWindowSplitter

    from sktime_attention import HybridForecaster

    # sktime re-adds a "default" FutureWarning filter as it runs, so filters
    # alone do not silence its remember_data notice: drop all warnings here
    warnings.showwarning = lambda *args, **kwargs: None
    fh = list(range(1, horizon + 1))
    y = make_series(kind, first_train + n_origins * gap, seed)
    methods = ["residuals", "members"] if which == "intervals" else ["residuals"]
    hits = {m: np.zeros((n_origins, len(LEVELS), horizon), bool) for m in methods}
    widths = {m: np.zeros((n_origins, len(LEVELS), horizon)) for m in methods}
    for o in range(n_origins):
        end = first_train + o * gap
        train, test = y.iloc[:end], y.iloc[end : end + horizon].to_numpy()
        cv = None
        if cv_kind == "conformal":
            initial = end - horizon - (folds - 1)
            cv = ExpandingWindowSplitter(fh=fh, initial_window=initial, step_length=1)
        hybrid = HybridForecaster(_members(which), cv=cv).fit(train, fh=fh)
        assert hybrid.interval_method_ == "residuals"  # learned weights
        for method in methods:
            hybrid.interval_method_ = method  # "members": the rule before
            bounds = hybrid.predict_interval(coverage=list(LEVELS)).to_numpy()
            hits[method][o], widths[method][o] = _score(bounds, test)
    label = cv_kind if which == "plain" else f"{cv_kind}, {which}"
    return [((kind, label, m), hits[m], widths[m]) for m in methods]


def report(results, n_series, n_origins):
    rows = []
    for (kind, cv_kind, method), parts in results.items():
        hits = np.stack([h for h, _ in parts])  # (S, O, L, H)
        widths = np.stack([w for _, w in parts])
        per_series = hits.mean(axis=(1, 3))  # (S, L)
        monotone = (np.diff(widths, axis=-1) >= -1e-12).all(axis=-1)  # (S, O, L)
        for i, level in enumerate(LEVELS):
            cover = hits[:, :, i].mean()
            se = per_series[:, i].std(ddof=1) / np.sqrt(len(per_series))
            step_cover = " ".join(f"{c:.2f}" for c in hits[:, :, i].mean(axis=(0, 1)))
            step_width = " ".join(f"{w:.2f}" for w in widths[:, :, i].mean(axis=(0, 1)))
            rows.append(
                f"| {kind} | {cv_kind} | {method} | {level:.0%} | "
                f"{cover:.3f} +- {se:.3f} | {step_cover} | {step_width} | "
                f"{monotone[:, :, i].mean():.2f} |"
            )
    print(
        f"\n{n_series} series x {n_origins} origins = {n_series * n_origins} "
        "origins per row\n"
    )
    print(
        "| series | cv | intervals | nominal | coverage +- se | coverage by step | "
        "mean width by step | widths non-decreasing |"
    )
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--origins", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--folds", type=int, default=40)
    parser.add_argument("--first-train", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--seed", type=int, default=0, help="series s has seed 1000 * seed + s"
    )
    parser.add_argument("--kinds", nargs="+", default=["random_walk", "seasonal_ar"])
    parser.add_argument("--cvs", nargs="+", default=["conformal", "default"])
    parser.add_argument(
        "--members",
        nargs="+",
        default=["plain"],
        choices=["plain", "intervals", "default"],
        help="plain: last, drift, trend (no intervals of its own); intervals: "
        "last, drift, mean, all with intervals (also scores their quantiles)",
    )
    args = parser.parse_args()
    tasks = [
        (kind, cv_kind, which, s, args.origins, args.horizon, args.folds)
        + (args.first_train,)
        for kind in args.kinds
        for cv_kind in args.cvs
        for which in args.members
        for s in range(1000 * args.seed, 1000 * args.seed + args.series)
    ]
    start = time.perf_counter()
    results = {}
    with Pool(args.jobs) as pool:
        for entries in pool.imap_unordered(run_series, tasks):
            for key, hits, widths in entries:
                results.setdefault(key, []).append((hits, widths))
    report(results, args.series, args.origins)
    print(f"\n{time.perf_counter() - start:.0f} s with {args.jobs} processes")


if __name__ == "__main__":
    main()
