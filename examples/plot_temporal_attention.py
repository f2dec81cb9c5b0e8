"""Temporal attention: which past periods drove each forecast step.

A monthly series is driven by its own value 12 months back (a planted seasonal
lag), so forecast step h is best explained by encoder lag h - 12 (lag 0 = the
cutoff). The script fits an ``AttentionLSTMForecaster`` and writes three figures:

- ``temporal_attention_cutoff.png``: the attention of the forecast from the cutoff;
- ``temporal_attention_mean.png``: the attention averaged over every window of the
  training series (``get_attention(aggregate="mean")``), a steadier reading;
- ``temporal_attention_overlay.png``: the series, the forecast, and the attention
  of one forecast step over the encoder window.

    python examples/plot_temporal_attention.py --out out
"""

import argparse
import logging
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import torch  # noqa: E402

from sktime_attention import AttentionLSTMForecaster  # noqa: E402
from sktime_attention.plotting import (  # noqa: E402
    plot_attention,
    plot_attention_overlay,
)
from sktime_attention.synthetic import make_planted_lag  # noqa: E402

LAG, WINDOW, HORIZON = 12, 24, 6


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    parser.add_argument("--epochs", type=int, default=60)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    args.out.mkdir(parents=True, exist_ok=True)

    # 30 years of monthly sales with y[t] = 0.95 y[t - 12] + 0.2 e[t], around 10
    y = 10 + make_planted_lag(
        n=360, lag=LAG, seed=0, start="1990-01", freq="M", name="sales"
    )
    forecaster = AttentionLSTMForecaster(
        window_length=WINDOW,
        horizon=HORIZON,
        attention="luong_general",
        hidden_size=16,
        max_epochs=args.epochs,
        batch_size=32,
        learning_rate=5e-3,
        validation_fraction=0.0,
        scaling="standard",
        random_state=0,
    ).fit(y)

    mean = forecaster.get_attention(aggregate="mean")["temporal"]
    peaks = mean.idxmax(axis=1)
    logging.info(
        "mean attention peaks at lags %s (planted: %s)",
        list(peaks),
        [h - LAG for h in mean.index],
    )

    figures = {
        "temporal_attention_cutoff.png": plot_attention(
            forecaster, title="Attention of the forecast from the cutoff"
        )[0],
        "temporal_attention_mean.png": plot_attention(
            mean, title="Attention averaged over all training windows"
        )[0],
        "temporal_attention_overlay.png": plot_attention_overlay(forecaster, step=3)[0],
    }
    for name, fig in figures.items():
        fig.savefig(args.out / name, dpi=80)
        logging.info("wrote %s", args.out / name)


if __name__ == "__main__":
    main()
