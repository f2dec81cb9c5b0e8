"""Feature attention: which input drove the forecast (dual-stage attention).

A daily target is driven by one of four exogenous inputs, ``price``, one day
late (``sales[t] = price[t - 1] + 0.1 e[t]``); the other inputs are noise. The
script fits a ``DualStageAttentionForecaster`` and writes three figures:

- ``feature_attention_bars.png``: mean feature attention over all training
  windows, one bar per encoder feature (the target's own column first);
- ``feature_attention_heatmap.png``: feature by encoder day for the window
  ending at the cutoff (``feature_attention_``);
- ``feature_attention_overlay.png``: the series, the forecast (with future
  ``X``), and the temporal attention of the first forecast step.

    python examples/plot_feature_attention.py --out out
"""

import argparse
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import torch  # noqa: E402

from sktime_attention import DualStageAttentionForecaster  # noqa: E402
from sktime_attention.plotting import (  # noqa: E402
    plot_attention_overlay,
    plot_feature_attention,
)
from sktime_attention.synthetic import make_planted_driver  # noqa: E402

INPUTS = ["temperature", "price", "holiday_index", "footfall"]
DRIVER = "price"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--epochs", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)

    # daily inputs (iid noise); sales[t] = price[t - 1] + 0.1 e[t]
    y, X = make_planted_driver(
        n=400, inputs=INPUTS, seed=0, driver=DRIVER, lag=1, name="sales"
    )
    y.index = X.index = pd.date_range("2022-01-01", periods=len(y), freq="D")
    y_train, X_train, X_future = y.iloc[:-3], X.iloc[:-3], X.iloc[-3:]
    forecaster = DualStageAttentionForecaster(
        window_length=8,
        horizon=1,  # one step: the encoder is the only route to price[t - 1]
        hidden_size=16,
        max_epochs=args.epochs,
        batch_size=32,
        learning_rate=5e-3,
        validation_fraction=0.0,
        scaling="standard",
        random_state=0,
    ).fit(y_train, X=X_train)

    mean = forecaster.get_attention(aggregate="mean")["feature"]
    logging.info("mean feature attention:\n%s", mean.mean().round(3).to_string())

    figures = {
        "feature_attention_bars.png": plot_feature_attention(
            mean, title="Mean feature attention, all windows"
        )[0],
        "feature_attention_heatmap.png": plot_feature_attention(
            forecaster, kind="heatmap", title="Feature attention at the cutoff"
        )[0],
        "feature_attention_overlay.png": plot_attention_overlay(
            forecaster, X=X_future, fh=[1, 2, 3], step=1
        )[0],
    }
    for name, fig in figures.items():
        fig.savefig(args.out / name, dpi=80)
        logging.info("wrote %s", args.out / name)


if __name__ == "__main__":
    main()
