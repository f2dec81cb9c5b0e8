"""Accuracy and wall time on sktime datasets, last part held out.

    python benchmarks/airline.py                      # airline, last 36 months
    python benchmarks/airline.py --dataset lynx --holdout 14 --sp 10
    python benchmarks/airline.py --drop-last 36 --holdout 24 --only attention
    python benchmarks/airline.py --drop-last 36 --holdout 24 --horizon 12

``--horizon H`` trains the attention models' decoders on H steps (longer
forecasts roll forward), ``--n-networks K`` averages K networks per model,
``--window-periods P`` sets their window to P seasons, ``--seasonal-lags L ...``
their ``seasonal_lags`` (default ``[sp]``, as the main job; the flag alone: none).

``--drop-last N`` removes the last N points first, so the held-out part lies
inside the usual training data: a validation split for choosing defaults that
never reads the test period. ``--only WORD`` keeps the models whose name holds it.

Every model forecasts the log of the series (a LogTransformer pipeline; --raw
turns it off) and is scored on the original scale. Prints a Markdown table:
MAPE, sMAPE, MASE and fit + predict seconds per model (models with a seed: mean
over --seeds seeds).
"""

import argparse
import time
import warnings

import numpy as np
import torch
from sktime import datasets
from sktime.forecasting.arima import StatsModelsARIMA
from sktime.forecasting.compose import TransformedTargetForecaster
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import (
    mean_absolute_percentage_error,
    mean_absolute_scaled_error,
)
from sktime.transformations.series.boxcox import LogTransformer

from sktime_attention import (
    AttentionLSTMForecaster,
    DualStageAttentionForecaster,
    HMMForecaster,
    HybridForecaster,
)
from sktime_attention.networks import ATTENTION_TYPES

# sktime 1.2 warns about remember_data whenever its own forecasters are built
warnings.filterwarnings(
    "ignore", message="The default of config", category=FutureWarning
)


def smape(y_true, y_pred):
    return float(
        np.mean(2 * np.abs(y_true - y_pred) / (np.abs(y_true) + np.abs(y_pred)))
    )


def arima(sp):
    return StatsModelsARIMA(order=(0, 1, 1), seasonal_order=(0, 1, 1, sp))


def baselines(sp):
    return {
        "seasonal naive": NaiveForecaster(strategy="last", sp=sp),
        "StatsModelsARIMA (0,1,1)(0,1,1)": arima(sp),
    }


DECODER = "direct"  # --decoder sets it
EXTRA = {}  # --n-networks, --horizon and --window-periods set it


def attention(sp, seed, name="luong_general", cls=AttentionLSTMForecaster):
    """The attention model as the main job configures it for short series."""
    extra = dict(EXTRA)
    periods = extra.pop("window_periods", 2)
    return cls(
        window_length=periods * sp,
        decoder=DECODER,
        attention=name,
        hidden_size=16,
        learning_rate=3e-3,
        max_epochs=300,
        random_state=seed,
        **extra,
    )


def seeded_models(sp, seed):
    models = {
        f"attention {name}": attention(sp, seed, name)
        for name in sorted(ATTENTION_TYPES)
    }
    models["dual-stage (luong_general)"] = attention(
        sp, seed, cls=DualStageAttentionForecaster
    )
    models["HMMForecaster (diff, 2 states)"] = HMMForecaster(random_state=seed)
    models["hybrid (attention + ARIMA + HMM, optimal)"] = HybridForecaster(
        [
            ("attention", attention(sp, seed)),
            ("arima", arima(sp)),
            ("hmm", HMMForecaster(random_state=seed)),
        ],
        random_state=seed,
    )
    return models


def score(forecaster, y_train, y_test, sp, log):
    if log:
        forecaster = TransformedTargetForecaster([LogTransformer(), forecaster])
    fh = np.arange(1, len(y_test) + 1)
    start = time.perf_counter()
    y_pred = forecaster.fit(y_train, fh=fh).predict()
    seconds = time.perf_counter() - start
    return {
        "MAPE": mean_absolute_percentage_error(y_test, y_pred),
        "sMAPE": smape(y_test.to_numpy(), y_pred.to_numpy()),
        "MASE": mean_absolute_scaled_error(y_test, y_pred, y_train=y_train, sp=sp),
        "seconds": seconds,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="airline")
    parser.add_argument("--holdout", type=int, default=36)
    parser.add_argument("--sp", type=int, default=12)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--raw", action="store_true", help="no log transform")
    parser.add_argument("--drop-last", type=int, default=0)
    parser.add_argument("--decoder", default="direct", choices=["direct", "recursive"])
    parser.add_argument("--only", nargs="*", default=None)
    parser.add_argument("--n-networks", type=int, default=1)
    parser.add_argument(
        "--horizon",
        type=int,
        default=None,
        help="decoder steps in training (default: all held-out steps at once)",
    )
    parser.add_argument("--window-periods", type=int, default=2, help="window / sp")
    parser.add_argument(
        "--seasonal-lags",
        type=int,
        nargs="*",
        default=None,
        help="the attention models' seasonal_lags (default: --sp, as the main job;"
        " none when given without values)",
    )
    args = parser.parse_args()
    global DECODER
    DECODER = args.decoder
    EXTRA.update(
        n_networks=args.n_networks,
        horizon=args.horizon,
        window_periods=args.window_periods,
        seasonal_lags=[args.sp] if args.seasonal_lags is None else args.seasonal_lags,
    )
    torch.set_num_threads(args.threads)
    y = getattr(datasets, f"load_{args.dataset}")().astype(float)
    if args.drop_last:
        y = y.iloc[: -args.drop_last]

    def wanted(name):
        return args.only is None or any(word in name for word in args.only)

    y_train, y_test = y.iloc[: -args.holdout], y.iloc[-args.holdout :]

    log = not args.raw
    rows = {
        name: score(f, y_train, y_test, args.sp, log)
        for name, f in baselines(args.sp).items()
        if wanted(name)
    }
    for seed in range(args.seeds):
        for name, f in seeded_models(args.sp, seed).items():
            if not wanted(name):
                continue
            result = score(f, y_train, y_test, args.sp, log)
            for key, value in result.items():
                rows.setdefault(name, {}).setdefault(key, []).append(value)
    print(
        f"{args.dataset}: {len(y_train)} train, {len(y_test)} held out, sp={args.sp}, "
        f"decoder {args.decoder}, window {args.window_periods} x sp, "
        f"training horizon {args.horizon or len(y_test)}, "
        f"{args.n_networks} network(s), "
        f"{'log' if log else 'raw'} scale, {args.seeds} seeds, {args.threads} thread(s)"
    )
    print("| model | MAPE | MAPE min-max over seeds | sMAPE | MASE | fit+predict s |")
    print("|---|---|---|---|---|---|")
    for name, r in rows.items():
        m = {k: float(np.mean(v)) for k, v in r.items()}
        spread = f"{np.min(r['MAPE']):.3f}-{np.max(r['MAPE']):.3f}"
        print(
            f"| {name} | {m['MAPE']:.3f} | {spread} | {m['sMAPE']:.3f} "
            f"| {m['MASE']:.2f} | {m['seconds']:.1f} |"
        )


if __name__ == "__main__":
    main()
