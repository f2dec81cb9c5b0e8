"""Zhang's (2003) residual hybrid: ARIMA for the linear part, attention for the rest.

sktime's ``ResidualBoostingForecaster`` already composes it: the first forecaster
fits the series, the second fits the first one's in-sample residuals, and the
forecasts add up. The script fits it on the log of the airline data (last 24
months held out), prints the MAPE of ARIMA alone and of the residual hybrid, and
writes ``residual_hybrid.png`` (forecasts) and ``residual_attention.png`` (what
the attention model on the residuals looked at).

    python examples/plot_residual_hybrid.py --out out
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.arima import StatsModelsARIMA  # noqa: E402
from sktime.forecasting.residual_booster import ResidualBoostingForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import (  # noqa: E402
    mean_absolute_percentage_error as mape,
)

from sktime_attention import AttentionLSTMForecaster, plot_attention  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    y = np.log(load_airline())
    y_train, y_test = y.iloc[:-24], y.iloc[-24:]
    fh = list(range(1, 25))

    def arima():
        return StatsModelsARIMA(order=(1, 1, 1), seasonal_order=(0, 1, 1, 12))

    linear = arima().fit(y_train, fh=fh)
    zhang = ResidualBoostingForecaster(
        arima(),
        AttentionLSTMForecaster(
            window_length=24,
            attention="luong_general",
            hidden_size=16,
            learning_rate=3e-3,
            max_epochs=100,
            random_state=0,
        ),
    ).fit(y_train, fh=fh)
    actual = np.exp(y_test)
    forecasts = {
        "ARIMA": np.exp(linear.predict()),
        "ARIMA + attention": np.exp(zhang.predict()),
    }
    for name, pred in forecasts.items():
        print(f"MAPE {name}: {mape(actual, pred):.4f}")

    fig, ax = plt.subplots(figsize=(9, 4))
    np.exp(y_train.iloc[-48:]).plot(ax=ax, color="black", label="train")
    actual.plot(ax=ax, color="grey", label="held out")
    for name, pred in forecasts.items():
        pred.plot(ax=ax, label=name)
    ax.set_ylabel("passengers")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.out / "residual_hybrid.png", dpi=110)

    fig, _ = plot_attention(
        zhang.residual_forecaster_, title="Attention of the residual model"
    )
    fig.savefig(args.out / "residual_attention.png", dpi=110)
    print(f"figures written to {args.out}")


if __name__ == "__main__":
    main()
