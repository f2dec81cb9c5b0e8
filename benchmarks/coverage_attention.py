"""Coverage of the attention forecasters' split-conformal intervals.

On synthetic series (a Gaussian random walk; a seasonal AR(1): sine season of
period 12 plus AR(1) noise with coefficient 0.7, as in ``coverage_hybrid.py``)
each of ``--series`` series is fitted once on its first ``--train`` points
(plus ``s % 12``, so that every phase of the season starts a test) with
``fh=1..--horizon``, then rolled over ``--origins`` origins ``--horizon`` + 1
steps apart (``update(update_params=False)``: the network and its calibration
stay those of ``fit``); at each origin the nominal 80% and 95% intervals are
scored on the next ``--horizon`` points. Series ``s`` has seed
``1000 * --seed + s``: tune on ``--seed 1``, report ``--seed 0``. Reported per
kind of series and ``interval_calibration``:

- coverage at each nominal level over all origins and steps, with its standard
  error over series (the origins of one series share a network);
- coverage and mean width per step, and the share of origins whose widths never
  shrink with the step;
- mean fit time per series (both calibrations train the same final network;
  "holdout" trains a second one on the series less its last 20%).

Settings: AttentionLSTMForecaster with its defaults (hidden size 32, 100 epochs,
scaling "window") but ``window_length=24`` and one torch thread; 200-211
training points per series, so one fit takes a few seconds:

    python benchmarks/coverage_attention.py --seed 0 --jobs 2
"""

import argparse
import time
import warnings
from multiprocessing import Pool

import numpy as np
import pandas as pd

LEVELS = (0.8, 0.95)


def make_series(kind, n, seed):
    """A random walk or a seasonal AR(1), monthly PeriodIndex, ``n`` points."""
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    if kind == "random_walk":
        values = np.cumsum(e)
    else:  # seasonal AR(1)
        u = np.zeros(n)
        for t in range(1, n):
            u[t] = 0.7 * u[t - 1] + e[t]
        values = 10.0 + 3.0 * np.sin(2 * np.pi * np.arange(n) / 12) + u
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(values, index=index, name="y")


def run_series(task):
    """Hits (O, L, H), widths (O, L, H) and the fit time of one series."""
    kind, calibration, model, seed, args = task
    import torch

    from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster
    from sktime_attention.forecasting import _seq2seq_intervals

    _seq2seq_intervals._HOLDOUT_SHARE = args.holdout_share  # a tuning aid
    torch.set_num_threads(1)
    warnings.showwarning = lambda *a, **k: None
    cls = {"lstm": AttentionLSTMForecaster, "dual": DualStageAttentionForecaster}
    horizon, gap = args.horizon, args.horizon + 1
    train = args.train + seed % 12
    y = make_series(kind, train + args.origins * gap, seed)
    fh = list(range(1, horizon + 1))
    forecaster = cls[model](
        window_length=args.window,
        hidden_size=args.hidden,
        max_epochs=args.epochs,
        interval_calibration=calibration,
        num_threads=1,
        random_state=seed,
    )
    start = time.perf_counter()
    forecaster.fit(y.iloc[:train], fh=fh)
    seconds = time.perf_counter() - start
    hits = np.zeros((args.origins, len(LEVELS), horizon), dtype=bool)
    widths = np.zeros((args.origins, len(LEVELS), horizon))
    for o in range(args.origins):
        end = train + o * gap
        if o:
            forecaster.update(y.iloc[end - gap : end], update_params=False)
        test = y.iloc[end : end + horizon].to_numpy()
        bounds = forecaster.predict_interval(coverage=list(LEVELS)).to_numpy()
        for i in range(len(LEVELS)):
            lower, upper = bounds[:, 2 * i], bounds[:, 2 * i + 1]
            hits[o, i] = (lower <= test) & (test <= upper)
            widths[o, i] = upper - lower
    return kind, calibration, hits, widths, seconds


def report(results, n_series, n_origins):
    print(f"\n{n_series} series x {n_origins} origins = {n_series * n_origins} rows\n")
    print(
        "| series | calibration | nominal | coverage +- se | coverage by step | "
        "mean width by step | widths non-decreasing | fit s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (kind, calibration), parts in sorted(results.items()):
        hits = np.stack([h for h, _, _ in parts])  # (S, O, L, H)
        widths = np.stack([w for _, w, _ in parts])
        seconds = np.mean([s for _, _, s in parts])
        per_series = hits.mean(axis=(1, 3))  # (S, L)
        monotone = (np.diff(widths, axis=-1) >= -1e-9).all(axis=-1)  # (S, O, L)
        for i, level in enumerate(LEVELS):
            cover = hits[:, :, i].mean()
            se = per_series[:, i].std(ddof=1) / np.sqrt(len(per_series))
            by_step = " ".join(f"{c:.2f}" for c in hits[:, :, i].mean(axis=(0, 1)))
            width = " ".join(f"{w:.2f}" for w in widths[:, :, i].mean(axis=(0, 1)))
            print(
                f"| {kind} | {calibration} | {level:.0%} | {cover:.3f} +- {se:.3f} "
                f"| {by_step} | {width} | {monotone[:, :, i].mean():.2f} "
                f"| {seconds:.1f} |"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20)
    parser.add_argument("--origins", type=int, default=10)
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--train", type=int, default=200)
    parser.add_argument("--window", type=int, default=24)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument(
        "--holdout-share",
        type=float,
        default=0.2,
        help="share of each series held out by 'holdout' (package value 0.2)",
    )
    parser.add_argument("--model", choices=["lstm", "dual"], default="lstm")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument(
        "--seed", type=int, default=0, help="series s has seed 1000 * seed + s"
    )
    parser.add_argument("--kinds", nargs="+", default=["random_walk", "seasonal_ar"])
    parser.add_argument("--calibrations", nargs="+", default=["holdout", "insample"])
    args = parser.parse_args()
    tasks = [
        (kind, calibration, args.model, s, args)
        for kind in args.kinds
        for calibration in args.calibrations
        for s in range(1000 * args.seed, 1000 * args.seed + args.series)
    ]
    start = time.perf_counter()
    results = {}
    with Pool(args.jobs) as pool:
        for kind, cal, hits, widths, sec in pool.imap_unordered(run_series, tasks):
            results.setdefault((kind, cal), []).append((hits, widths, sec))
    report(results, args.series, args.origins)
    print(f"\n{time.perf_counter() - start:.0f} s with {args.jobs} processes")


if __name__ == "__main__":
    main()
