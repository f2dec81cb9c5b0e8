"""Do the package defaults finish? Fit time and accuracy of default forecasters.

Two jobs, each with ``AttentionLSTMForecaster()`` as it comes (only
``random_state`` set):

- a 10-year monthly series (``make_seasonal(120)``), 12 steps ahead;
- the first ``--n-series`` M4 Hourly series as one panel (one global network),
  48 steps ahead. Each series' last 48 training points are held out as a
  validation fold (the M4 test set is not read); the model and seasonal naive
  (lag 24) forecast them, scored by MASE (in-sample seasonal-naive MAE at lag 24)
  and sMAPE, averaged over series.

    python benchmarks/defaults.py ../shared/data/m4 --n-series 40 --seeds 3
"""

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from m4 import load_m4, mase, smape
from sktime.forecasting.naive import NaiveForecaster

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.synthetic import make_seasonal

warnings.filterwarnings(
    "ignore", message="The default of config", category=FutureWarning
)
HORIZON, SP = 48, 24


def timed_fit(forecaster, y, fh):
    start = time.perf_counter()
    forecaster.fit(y, fh=fh)
    return time.perf_counter() - start


def scores(y_pred, inner, truth):
    """Mean MASE and sMAPE over series of forecasts (S, H) against truth (S, H)."""
    histories = [g["y"].to_numpy() for _, g in inner.groupby(level=0, sort=False)]
    m = [mase(t, p, h, SP) for t, p, h in zip(truth, y_pred, histories)]
    s = [smape(t, p) for t, p in zip(truth, y_pred)]
    return float(np.mean(m)), float(np.mean(s))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--n-series", type=int, default=40)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    monthly = make_seasonal(120)
    seconds = [
        timed_fit(AttentionLSTMForecaster(random_state=s), monthly, range(1, 13))
        for s in range(args.seeds)
    ]
    print(f"10-year monthly series, fh 1..12: fit {np.mean(seconds):.1f} s (mean)")

    panel, _ = load_m4(args.folder, "Hourly", args.n_series)
    groups = panel.groupby(level=0, sort=False)
    inner = groups.apply(lambda g: g.droplevel(0).iloc[:-HORIZON])
    truth = np.stack([g["y"].to_numpy()[-HORIZON:] for _, g in groups])
    keys = inner.index.get_level_values(0).unique()
    fh = np.arange(1, HORIZON + 1)

    def to_array(y_pred):
        return np.stack([y_pred.loc[k]["y"].to_numpy() for k in keys])

    naive = NaiveForecaster(strategy="last", sp=SP).fit(inner, fh=fh).predict()
    base_mase, base_smape = scores(to_array(naive), inner, truth)
    print(
        f"M4 Hourly, {len(keys)} series as one panel, validation = last {HORIZON} "
        f"training points, {args.threads} thread(s)"
    )
    print("| model | seed | fit s | MASE | sMAPE | MASE / seasonal naive |")
    print("|---|---|---|---|---|---|")
    print(f"| seasonal naive | - | - | {base_mase:.3f} | {base_smape:.2f} | 1.000 |")
    for seed in range(args.seeds):
        forecaster = AttentionLSTMForecaster(random_state=seed)
        fit_s = timed_fit(forecaster, inner, fh)
        m, s = scores(to_array(forecaster.predict()), inner, truth)
        print(
            f"| defaults | {seed} | {fit_s:.0f} | {m:.3f} | {s:.2f} | "
            f"{m / base_mase:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
