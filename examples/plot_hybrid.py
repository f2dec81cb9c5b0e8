"""Blend attention LSTM, ARIMA and HMM forecasts of the airline series.

Fits ``HybridForecaster`` with its default members on the log of the airline
series (the last 24 months held out), prints the learned weights, the holdout
errors and the test MAPE, and writes three figures into ``--out``:

* ``hybrid_forecasts.png``: the series, each member's forecast and the blend
* ``hybrid_weights.png``: the learned weights (a heatmap with ``--per-horizon``)
* ``hybrid_regimes.png``: the HMM member's filtered regimes over the training data

Run: ``python examples/plot_hybrid.py --out ./out`` (about half a minute on a CPU).
"""

import argparse
import logging
import os
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402
from sktime.performance_metrics.forecasting import (  # noqa: E402
    mean_absolute_percentage_error,
)
from sktime.split import temporal_train_test_split  # noqa: E402

from sktime_attention import HybridForecaster  # noqa: E402

torch.set_num_threads(1)  # small networks: one thread is fastest on few cores


def main(out, per_horizon=False, random_state=0):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    y = load_airline()
    y_train, y_test = temporal_train_test_split(y, test_size=24)
    fh = np.arange(1, 25)

    # multiplicative seasonality: model log(y), forecasts are exp(log forecast)
    weighting = "per_step" if per_horizon else "global"
    hybrid = HybridForecaster(weighting=weighting, random_state=random_state)
    hybrid.fit(np.log(y_train), fh=fh)
    blend = np.exp(hybrid.predict())
    members = {name: np.exp(est.predict()) for name, est in hybrid.forecasters_}

    pd.set_option("display.precision", 4)
    print("weights:")
    print(hybrid.weights_.round(3).to_string())
    print("\nholdout errors (MASE units, 3 folds before the test period):")
    print(hybrid.cv_errors_.to_string())
    print("\ntest MAPE (last 24 months):")
    for name, pred in {**members, "hybrid": blend}.items():
        print(f"  {name:<10} {mean_absolute_percentage_error(y_test, pred):.4f}")
    intervals = np.exp(hybrid.predict_interval(coverage=0.9))
    lower, upper = intervals.iloc[:, 0], intervals.iloc[:, 1]
    inside = ((y_test >= lower) & (y_test <= upper)).mean()
    print(f"\n90% interval coverage on the test period: {inside:.2f}")

    # (1) series, member forecasts, blend
    fig, ax = plt.subplots(figsize=(10, 4.5))
    ts = y.index.to_timestamp()
    ax.plot(ts, y.to_numpy(), color="black", lw=1.2, label="airline passengers")
    test_ts = y_test.index.to_timestamp()
    for name, pred in members.items():
        ax.plot(test_ts, pred.to_numpy(), lw=1, ls="--", label=name)
    ax.plot(test_ts, blend.to_numpy(), lw=2, color="crimson", label="hybrid blend")
    ax.fill_between(test_ts, lower, upper, color="crimson", alpha=0.15, label="90%")
    ax.axvline(test_ts[0], color="grey", lw=0.8)
    ax.set(title="Hybrid forecast of the last 24 months", ylabel="passengers")
    ax.legend(loc="upper left", ncol=3, fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "hybrid_forecasts.png", dpi=120)
    plt.close(fig)

    # (2) weights
    fig, ax = plt.subplots(figsize=(6 if not per_horizon else 9, 3.5))
    if per_horizon:
        image = ax.imshow(hybrid.weights_.T.to_numpy(), aspect="auto", vmin=0, vmax=1)
        ax.set(xlabel="forecast step", yticks=range(len(hybrid.weights_.columns)))
        ax.set_xticks(range(len(fh)), hybrid.weights_.index)
        ax.set_yticklabels(hybrid.weights_.columns)
        fig.colorbar(image, ax=ax, label="weight")
    else:
        ax.bar(hybrid.weights_.index, hybrid.weights_.to_numpy(), color="steelblue")
        ax.set(ylim=(0, 1), ylabel="weight")
    ax.set_title("Learned member weights (holdout, 'optimal')")
    fig.tight_layout()
    fig.savefig(out / "hybrid_weights.png", dpi=120)
    plt.close(fig)

    # (3) HMM regimes over the training series
    hmm = hybrid.get_member("hmm")  # with sp > 1 a deseasonalising pipeline
    hmm = getattr(hmm, "forecaster_", hmm)  # the fitted HMM inside it
    probs = hmm.filter_states()  # filtered p(state | y_1..t), deseasonalised y
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
    top.plot(y_train.index.to_timestamp(), y_train.to_numpy(), color="black", lw=1)
    top.set(ylabel="passengers", title="HMM member: filtered regimes of log-growth")
    prob_ts = probs.index.to_timestamp()
    bottom.stackplot(prob_ts, probs.to_numpy().T, labels=probs.columns, alpha=0.8)
    bottom.set(ylabel="probability", ylim=(0, 1))
    bottom.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(out / "hybrid_regimes.png", dpi=120)
    plt.close(fig)
    print(f"\nfigures written to {out.resolve()}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="./out", help="folder for the PNG files")
    parser.add_argument(
        "--per-horizon", action="store_true", help="learn one weight vector per step"
    )
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    main(args.out, per_horizon=args.per_horizon, random_state=args.random_state)
