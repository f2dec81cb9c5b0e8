"""The main job: forecast a held-out tail, compare with seasonal naive, plot attention.

python -m sktime_attention --dataset airline --horizon 24 --out out
"""

__all__ = ["main"]

import argparse
import logging
from pathlib import Path

import pandas as pd

DATASETS = ("airline", "shampoo_sales", "lynx", "uschange")
SEASONAL_PERIODS = {"M": 12, "Q": 4, "W": 52, "D": 7, "H": 24, "h": 24}


def _load(dataset, csv):
    """Load a univariate series from an sktime dataset name or a CSV file."""
    if csv is not None:
        frame = pd.read_csv(csv, index_col=0, parse_dates=True)
        y = frame.iloc[:, 0].astype(float)
        if isinstance(y.index, pd.DatetimeIndex) and y.index.freq is None:
            y = y.asfreq(pd.infer_freq(y.index))
        return y
    from sktime import datasets

    if dataset == "uschange":
        return datasets.load_uschange()[0]
    return getattr(datasets, f"load_{dataset}")().astype(float)


def _seasonal_period(y, sp):
    if sp is not None:
        return sp
    freq = getattr(y.index, "freqstr", None) or ""
    return SEASONAL_PERIODS.get(freq.lstrip("0123456789")[:1], 1)


def _build(model, sp, horizon, epochs, seed):
    from sktime_attention import AttentionLSTMForecaster

    attention = AttentionLSTMForecaster(
        window_length=max(2 * sp, 8),
        horizon=horizon,
        max_epochs=epochs,
        random_state=seed,
        num_threads=None,
    )
    return attention


def main(argv=None):
    """Run the main job; ``argv`` defaults to the command line."""
    parser = argparse.ArgumentParser(
        prog="python -m sktime_attention",
        description="Forecast the held-out tail of a series with the attention model, "
        "compare with a seasonal-naive baseline and write an attention heatmap.",
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--dataset",
        default="airline",
        choices=DATASETS,
        help="a dataset that ships with sktime (default: airline)",
    )
    source.add_argument(
        "--csv", type=Path, help="CSV file: time column first, target second"
    )
    parser.add_argument(
        "--horizon",
        type=int,
        default=24,
        help="steps held out and forecast (default: 24)",
    )
    parser.add_argument(
        "--sp",
        type=int,
        default=None,
        help="seasonal period (default: from the index frequency)",
    )
    parser.add_argument(
        "--epochs", type=int, default=100, help="max training epochs (default: 100)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out"),
        help="folder for the plots (default: ./out)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    import matplotlib

    matplotlib.use("Agg")
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.performance_metrics.forecasting import (
        mean_absolute_percentage_error as mape,
    )

    from sktime_attention.plotting import plot_attention

    y = _load(args.dataset, args.csv)
    if args.horizon < 1 or args.horizon >= len(y) // 2:
        parser.error(f"--horizon must be in [1, {len(y) // 2 - 1}], got {args.horizon}")
    sp = _seasonal_period(y, args.sp)
    y_train, y_test = y.iloc[: -args.horizon], y.iloc[-args.horizon :]
    fh = list(range(1, args.horizon + 1))

    model = _build("attention", sp, args.horizon, args.epochs, args.seed)
    y_pred = model.fit(y_train, fh=fh).predict()
    naive = NaiveForecaster(strategy="last", sp=sp).fit(y_train, fh=fh).predict()

    table = pd.DataFrame(
        {"actual": y_test, "forecast": y_pred, "seasonal_naive": naive}
    )
    print(table.round(2).to_string())
    print(
        f"\nMAPE  model {mape(y_test, y_pred):.4f}   "
        f"seasonal naive (sp={sp}) {mape(y_test, naive):.4f}"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    fig, _ = plot_attention(model, title="Attention of the forecast from the cutoff")
    path = args.out / "attention.png"
    fig.savefig(path, dpi=120)
    print(f"attention heatmap written to {path}")
    return 0
