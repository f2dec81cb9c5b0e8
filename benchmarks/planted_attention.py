"""Does temporal attention find a planted lag? Hit rate per attention type.

Series: y[t] = 0.95 y[t-24] + 0.2 e[t] (800 points, ``make_planted_lag`` of
``sktime_attention.synthetic``). With a 48-step window, the best evidence for
forecast step h (h <= 24) sits at encoder lag h - 24 (0 = the cutoff). A hit is a
forecast step whose attention peaks exactly there.

    python benchmarks/planted_attention.py --seeds 3 --epochs 150
"""

import argparse
import time

import numpy as np
import torch

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.networks import ATTENTION_TYPES
from sktime_attention.synthetic import PLANTED_TRAINING, lag_hit_rate, make_planted_lag

LAG, WINDOW, HORIZON = 24, 48, 12
# training set-up of the planted-truth benchmarks and tests: PLANTED_TRAINING


def hit_rate(attention, seed, epochs):
    """Share of forecast steps whose attention peaks at lag h - LAG."""
    forecaster = AttentionLSTMForecaster(
        window_length=WINDOW,
        horizon=HORIZON,
        attention=attention,
        max_epochs=epochs,
        random_state=seed,
        **PLANTED_TRAINING,
    )
    table = forecaster.fit(make_planted_lag(800, lag=LAG, seed=seed)).attention_weights_
    return lag_hit_rate(table, LAG)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--attention", nargs="*", default=sorted(ATTENTION_TYPES))
    args = parser.parse_args()
    torch.set_num_threads(1)
    print(f"| attention | hit rate (mean over {args.seeds} seeds) | per seed | s/fit |")
    print("|---|---|---|---|")
    for name in args.attention:
        start = time.perf_counter()
        rates = [hit_rate(name, seed, args.epochs) for seed in range(args.seeds)]
        per_fit = (time.perf_counter() - start) / args.seeds
        print(f"| {name} | {np.mean(rates):.2f} | {rates} | {per_fit:.1f} |")


if __name__ == "__main__":
    main()
