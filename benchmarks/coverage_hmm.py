"""Interval coverage of HMMForecaster over rolling origins on synthetic series.

For each kind of series, ``--series`` independent series are simulated; the
forecaster is fitted on the first ``--train`` points and then rolled forward
over ``--origins`` origins (``update(update_params=False)``, one point at a
time), forecasting steps 1..``--horizon`` with nominal 80% and 95% intervals
at every origin. Reports, per step, the share of realised values inside each
interval (target: within 3 points of nominal) and the mean interval width.

Kinds: ``random_walk`` (``100 + cumsum(N(0, 1))``, transform "diff"),
``seasonal_ar`` (``x_t = 0.7 x_{t-1} + 3 sin(2 pi t / 12) + N(0, 1)``, plus 50;
transforms "diff" and "level") and ``geometric_rw`` (``100 exp(cumsum(N(0,
0.02)))``, transform "log_diff").

    python benchmarks/coverage_hmm.py               # ~1-2 min on one core
    python benchmarks/coverage_hmm.py --series 20 --origins 20
"""

import argparse
import time
import warnings

import numpy as np
import pandas as pd

from sktime_attention import HMMForecaster
from sktime_attention.forecasting import HMMConvergenceWarning


def random_walk(n, rng):
    return 100 + np.cumsum(rng.standard_normal(n))


def seasonal_ar(n, rng):
    x, out = 0.0, np.empty(n)
    for t in range(n):
        x = 0.7 * x + 3 * np.sin(2 * np.pi * t / 12) + rng.standard_normal()
        out[t] = x
    return 50 + out


def geometric_rw(n, rng):
    return 100 * np.exp(np.cumsum(0.02 * rng.standard_normal(n)))


KINDS = {
    "random_walk/diff": (random_walk, "diff"),
    "seasonal_ar/diff": (seasonal_ar, "diff"),
    "seasonal_ar/level": (seasonal_ar, "level"),
    "geometric_rw/log_diff": (geometric_rw, "log_diff"),
}
COVERAGES = (0.8, 0.95)


def run_kind(make, transform, args):
    """Return hits (coverage, step) summed, widths summed and the origin count."""
    hits = np.zeros((len(COVERAGES), args.horizon))
    monotone = np.zeros(len(COVERAGES))  # origins whose widths never shrink
    widths = np.zeros((len(COVERAGES), args.horizon))
    n_origins = 0
    fh = list(range(1, args.horizon + 1))
    for s in range(args.series):
        rng = np.random.default_rng([args.seed, s])  # tune on another --seed
        n = args.train + args.origins + args.horizon
        y = pd.Series(make(n, rng), index=pd.RangeIndex(n), name="y")
        f = HMMForecaster(transform=transform, n_states=args.states, random_state=s)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HMMConvergenceWarning)
            f.fit(y.iloc[: args.train])
        for origin in range(args.train, args.train + args.origins):
            interval = f.predict_interval(fh=fh, coverage=list(COVERAGES))
            actual = y.iloc[origin : origin + args.horizon].to_numpy()
            for i, c in enumerate(COVERAGES):
                lo = interval[(y.name, c, "lower")].to_numpy()
                hi = interval[(y.name, c, "upper")].to_numpy()
                hits[i] += (lo <= actual) & (actual <= hi)
                widths[i] += hi - lo
                monotone[i] += (np.diff(hi - lo) >= 0).all()
            n_origins += 1
            f.update(y.iloc[origin : origin + 1], update_params=False)
    return hits, widths, monotone, n_origins


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=10)
    parser.add_argument("--origins", type=int, default=25)
    parser.add_argument("--train", type=int, default=150)
    parser.add_argument("--horizon", type=int, default=6)
    parser.add_argument("--states", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--kinds", nargs="*", default=list(KINDS))
    args = parser.parse_args()
    print(
        f"{args.series} series x {args.origins} origins = "
        f"{args.series * args.origins} origins per kind, train {args.train}, "
        f"steps 1..{args.horizon}, {args.states} states\n"
    )
    for kind in args.kinds:
        make, transform = KINDS[kind]
        start = time.perf_counter()
        hits, widths, monotone, n = run_kind(make, transform, args)
        cov, width = hits / n, widths / n
        print(f"## {kind} ({n} origins, {time.perf_counter() - start:.0f} s)")
        print("| step | " + " | ".join(f"cov {c:.0%}" for c in COVERAGES), end="")
        print(" | " + " | ".join(f"width {c:.0%}" for c in COVERAGES) + " |")
        print("|---" * (1 + 2 * len(COVERAGES)) + "|")
        for h in range(args.horizon):
            cells = [f"{cov[i, h]:.3f}" for i in range(len(COVERAGES))]
            cells += [f"{width[i, h]:.3f}" for i in range(len(COVERAGES))]
            print(f"| {h + 1} | " + " | ".join(cells) + " |")
        pooled = [f"{cov[i].mean():.3f}" for i in range(len(COVERAGES))]
        print(f"| all | {' | '.join(pooled)} |")
        share = " / ".join(f"{m / n:.2f}" for m in monotone)
        print(f"origins whose widths never shrink with the step (80% / 95%): {share}\n")


if __name__ == "__main__":
    main()
