"""Does temporal attention find a planted lag, and does the forecast depend on it?

Series: ``y[t] = 0.95 y[t-lag] + 0.2 e[t]`` (800 points, ``make_planted_lag`` of
``sktime_attention.synthetic``), in several set-ups of lag, window and horizon. The
best evidence for forecast step h (h <= lag) sits at encoder lag h - lag (0 = the
cutoff). Two measures per fit, on the forecast from the cutoff:

- hit rate: share of forecast steps whose attention peaks exactly there;
- deletion: for each step, the window value at the most-attended lag is replaced
  by itself plus one standard deviation of the series (1 in scaled units), and so
  is, in turn, the value at 5 random other lags; a case is the pair (step, random
  lag), and it counts when replacing the most-attended value moves that step's
  forecast more. (A fixed shift rather than the mean: a value near the mean would
  hardly change when replaced by it, whatever its weight.)

    python benchmarks/planted_attention.py --seeds 10 --epochs 150
    python benchmarks/planted_attention.py --decoder recursive --seeds 3
    python benchmarks/planted_attention.py --hidden 64 --seeds 3 --setups lag24-w48
"""

import argparse
import time

import numpy as np
import torch

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.networks import ATTENTION_TYPES
from sktime_attention.synthetic import PLANTED_TRAINING, lag_hit_rate, make_planted_lag
from sktime_attention.training import run_network

# (lag, window, horizon): the evidence for step h sits at lag h - lag
SETUPS = {"lag24-w48": (24, 48, 12), "lag7-w28": (7, 28, 7)}
RANDOM_LAGS = 5


def fit(attention, decoder, seed, epochs, setup, **kwargs):
    lag, window, horizon = SETUPS[setup]
    forecaster = AttentionLSTMForecaster(
        window_length=window,
        horizon=horizon,
        attention=attention,
        decoder=decoder,
        max_epochs=epochs,
        random_state=seed,
        num_threads=1,
        **{**PLANTED_TRAINING, **kwargs},
    )
    return forecaster.fit(make_planted_lag(800, lag=lag, seed=seed))


def deletion_wins(forecaster, seed):
    """Cases (step, random lag) where deleting the top lag moves the step more."""
    store, network = forecaster._store, forecaster.network_
    window = store.context(forecaster.window_length)  # (1, T, 1), scaled
    table = forecaster.attention_weights_.to_numpy()  # (H, T)
    horizon, steps = table.shape
    center = forecaster.scaling == "window"
    base = run_network(network, window, None, horizon, center)[0][0, :, 0]  # (H,)
    rng = np.random.default_rng(seed)

    def change(h, t):
        edited = window.copy()
        edited[0, t, 0] += 1.0
        return abs(
            run_network(network, edited, None, horizon, center)[0][0, h, 0] - base[h]
        )

    wins = []
    for h in range(horizon):
        top = int(table[h].argmax())
        others = rng.choice(np.delete(np.arange(steps), top), RANDOM_LAGS, False)
        top_change = change(h, top)
        wins += [top_change > change(h, t) for t in others]
    return wins


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--decoder", default="direct")
    parser.add_argument("--setups", nargs="*", default=list(SETUPS))
    parser.add_argument("--attention", nargs="*", default=sorted(ATTENTION_TYPES))
    parser.add_argument(
        "--hidden", type=int, default=None, help="hidden size (default: 16)"
    )
    parser.add_argument(
        "--attention-size", type=int, default=None, help="d (default: the rule)"
    )
    args = parser.parse_args()
    extra = {} if args.hidden is None else {"hidden_size": args.hidden}
    if args.attention_size is not None:
        extra["attention_size"] = args.attention_size
    torch.set_num_threads(1)
    print(
        f"decoder {args.decoder}, {args.epochs} epochs, seeds 0..{args.seeds - 1}, "
        f"hidden {extra.get('hidden_size', PLANTED_TRAINING['hidden_size'])}"
    )
    print("| set-up | attention | hit rate mean | min-max | deletion | s/fit |")
    print("|---|---|---|---|---|---|")
    for setup in args.setups:
        lag = SETUPS[setup][0]
        for name in args.attention:
            start = time.perf_counter()
            rates, wins = [], []
            for seed in range(args.seeds):
                forecaster = fit(name, args.decoder, seed, args.epochs, setup, **extra)
                rates.append(lag_hit_rate(forecaster.attention_weights_, lag))
                wins += deletion_wins(forecaster, seed)
            per_fit = (time.perf_counter() - start) / args.seeds
            print(
                f"| {setup} | {name} | {np.mean(rates):.2f} | {min(rates):.2f}-"
                f"{max(rates):.2f} | {np.mean(wins):.2f} | {per_fit:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
