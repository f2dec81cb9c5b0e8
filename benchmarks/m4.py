"""M4 benchmark: global attention model, hybrid and baselines, official M4 scores.

Data: the M4 competition CSVs (``{Freq}-train.csv``, ``{Freq}-test.csv``; one row
per series, id in ``V1``, values after, empty cells after a series ends). Scores:
sMAPE (percent), MASE (scaled by the in-sample seasonal-naive MAE at lag ``sp``),
and OWA against Naive2 computed on the same series.

    python benchmarks/m4.py ../shared/data/m4 --freq Hourly            # all 414
    python benchmarks/m4.py ../shared/data/m4 --freq Hourly --n-series 40
    python benchmarks/m4.py ../shared/data/m4 --lag-covariate 0   # y history only

Every series is indexed so that it ends at time -1; forecasts cover 0..H-1.
The global attention model is pretrained once on every series less its last H
training points; ``fit`` then only sets each series' context, so the same network
forecasts the validation fold (used to learn the hybrid's weights) and the test.
Naive2 is seasonal naive on the multiplicatively deseasonalised series (sktime's
ConditionalDeseasonalizer, which applies the M4 90% autocorrelation test).
Peak memory is the process's peak resident set size after each model (it only
grows, so the first model that raises it is the one responsible).
"""

import argparse
import resource
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from sktime.forecasting.compose import TransformedTargetForecaster
from sktime.forecasting.naive import NaiveForecaster
from sktime.forecasting.theta import ThetaForecaster
from sktime.transformations.series.detrend import ConditionalDeseasonalizer

from sktime_attention import AttentionLSTMForecaster

# sktime 1.2 warns about remember_data whenever its own forecasters are built
warnings.filterwarnings(
    "ignore", message="The default of config", category=FutureWarning
)

SETTINGS = {
    "Hourly": (48, 24),
    "Daily": (14, 7),
    "Weekly": (13, 52),
    "Monthly": (18, 12),
}


def load_m4(folder, freq, n_series=None):
    """Return (train panel, test array (S, H)) with each series ending at -1."""
    train = pd.read_csv(Path(folder) / f"{freq}-train.csv", index_col=0)
    test = pd.read_csv(Path(folder) / f"{freq}-test.csv", index_col=0)
    if n_series:
        train, test = train.iloc[:n_series], test.iloc[:n_series]
    frames = {}
    for key, row in train.iterrows():
        values = row.dropna().to_numpy(float)
        frames[key] = pd.DataFrame({"y": values}, index=pd.RangeIndex(-len(values), 0))
    panel = pd.concat(frames, names=["series", "time"])
    return panel, test.loc[train.index].to_numpy(float)


def with_lag_covariate(panel, lag, horizon):
    """Return (y, X, X over the horizon) with X_t = y_{t - lag} per series.

    ``lag >= horizon`` makes the covariate known over the whole horizon: the
    decoder then sees the value one seasonal multiple earlier at every step.
    The first ``lag`` points of each series, which have no lagged value, are
    dropped from y and X.
    """
    X = panel.groupby(level=0, sort=False)["y"].shift(lag).to_frame(f"lag{lag}")
    known = X.iloc[:, 0].notna().to_numpy()
    future = {}
    for key, group in panel.groupby(level=0, sort=False):
        end = group.index.get_level_values(-1)[-1]
        values = group["y"].to_numpy()[-lag:][:horizon]
        future[key] = pd.DataFrame(
            {X.columns[0]: values}, index=pd.RangeIndex(end + 1, end + 1 + horizon)
        )
    return panel[known], X[known], pd.concat(future, names=panel.index.names)


def smape(y, f):
    return 200 * np.mean(np.abs(y - f) / (np.abs(y) + np.abs(f)))


def mase(y, f, history, sp):
    scale = np.mean(np.abs(history[sp:] - history[:-sp]))
    return np.mean(np.abs(y - f)) / scale


def scores(pred, test, panel, sp):
    """Mean sMAPE and MASE over series; ``pred`` and ``test`` are (S, H)."""
    histories = [g["y"].to_numpy() for _, g in panel.groupby(level=0, sort=False)]
    s = [smape(t, p) for t, p in zip(test, pred)]
    m = [mase(t, p, h, sp) for t, p, h in zip(test, pred, histories)]
    return float(np.mean(s)), float(np.mean(m))


def to_array(y_pred, keys, horizon):
    return np.stack([y_pred.loc[k]["y"].to_numpy()[:horizon] for k in keys])


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def attention_model(args, horizon):
    return AttentionLSTMForecaster(
        window_length=args.window,
        attention=args.attention,
        hidden_size=args.hidden,
        horizon=horizon,
        scaling="window",
        loss=args.loss,
        max_epochs=args.epochs,
        batch_size=args.batch,
        learning_rate=args.lr,
        windows_per_epoch=args.windows_per_epoch,
        validation_fraction=0.1,
        patience=args.patience,
        teacher_forcing_ratio=args.teacher_forcing,
        random_state=args.seed,
        verbose=args.verbose,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--freq", default="Hourly", choices=sorted(SETTINGS))
    parser.add_argument("--n-series", type=int, default=None)
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--attention", default="luong_general")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--loss", default="mae")
    parser.add_argument("--windows-per-epoch", type=int, default=8192)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--teacher-forcing", type=float, default=0.0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--models",
        nargs="*",
        default=["snaive", "naive2", "theta", "attention", "hybrid"],
    )
    parser.add_argument(
        "--lag-covariate",
        type=int,
        default=48,
        help="feed y_{t-LAG} as a known covariate (LAG >= horizon; 0: none)",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    horizon, sp = SETTINGS[args.freq]
    panel, test = load_m4(args.folder, args.freq, args.n_series)
    keys = panel.index.get_level_values(0).unique()
    fh = np.arange(1, horizon + 1)
    print(f"M4 {args.freq}: {len(keys)} series, horizon {horizon}, sp {sp}")

    inner = panel.groupby(level=0, sort=False).apply(
        lambda g: g.droplevel(0).iloc[:-horizon]
    )  # each series less its last `horizon` points: the hybrid's validation fold
    baselines = {
        "snaive": NaiveForecaster(strategy="last", sp=sp),
        "naive2": TransformedTargetForecaster(
            [
                ConditionalDeseasonalizer(sp=sp, model="multiplicative"),
                NaiveForecaster(strategy="last"),
            ]
        ),
        "theta": ThetaForecaster(sp=sp),
    }
    preds, valid, times, memory = {}, {}, {}, {}
    for name in args.models:
        start = time.perf_counter()
        if name in baselines:
            model = baselines[name]
            preds[name] = to_array(model.fit(panel, fh=fh).predict(), keys, horizon)
            if "hybrid" in args.models:
                valid[name] = to_array(model.fit(inner, fh=fh).predict(), keys, horizon)
        elif name == "attention":
            # Global workflow: pretrain one network on the validation-fold data,
            # then fit(...) only sets each series' context. The same network gives
            # the validation forecasts (context ending 48 steps early) and the
            # test forecasts (context = all training data).
            data = {"valid": (inner, None, None), "test": (panel, None, None)}
            if args.lag_covariate:
                lag = args.lag_covariate
                data = {
                    k: with_lag_covariate(v[0], lag, horizon) for k, v in data.items()
                }
            y_in, X_in, _ = data["valid"]
            model = attention_model(args, horizon).pretrain(y_in, X=X_in, fh=fh)
            print(
                f"attention: {model.n_epochs_} epochs, last losses "
                f"{model.training_history_.iloc[-1].round(4).to_dict()}"
            )
            for part, (y_part, X_part, X_future) in data.items():
                model.fit(y_part, X=X_part, fh=fh)
                out = to_array(model.predict(X=X_future), keys, horizon)
                (valid if part == "valid" else preds)[name] = out
        elif name == "hybrid":
            preds[name] = hybrid(panel, valid, preds, horizon, sp)
        times[name] = time.perf_counter() - start
        memory[name] = peak_mb()
        print(f"  {name}: {times[name]:.0f} s", flush=True)

    naive2 = scores(preds["naive2"], test, panel, sp) if "naive2" in preds else None
    print("| model | sMAPE | MASE | OWA | fit+predict s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for name, pred in preds.items():
        s, m = scores(pred, test, panel, sp)
        owa = 0.5 * (s / naive2[0] + m / naive2[1]) if naive2 else float("nan")
        print(
            f"| {name} | {s:.3f} | {m:.3f} | {owa:.3f} | {times[name]:.0f} "
            f"| {memory[name]:.0f} |"
        )


def hybrid(panel, valid, preds, horizon, sp):
    """Blend the global attention model with per-series Theta and seasonal naive.

    One weight vector for all series, from the hybrid's constrained least squares
    on the validation fold (each series' last ``horizon`` training points), with
    every series' errors divided by its in-sample seasonal-naive MAE (the MASE
    scale) so that series of large magnitude do not decide the weights alone.
    """
    from sktime_attention.forecasting import simplex_weights

    names = [n for n in ("attention", "theta", "snaive") if n in valid]
    histories = [g["y"].to_numpy() for _, g in panel.groupby(level=0, sort=False)]
    truth = np.stack([h[-horizon:] for h in histories])  # (S, H)
    scale = np.array(
        [np.mean(np.abs(h[sp:-horizon] - h[: -horizon - sp])) for h in histories]
    )[:, None]  # (S, 1)
    errors = np.stack([(valid[n] - truth) / scale for n in names])  # (M, S, H)
    weights = simplex_weights(errors.reshape(len(names), -1), "optimal", "mse")
    print("hybrid weights:", dict(zip(names, np.round(weights, 3).tolist())))
    return np.tensordot(weights, np.stack([preds[n] for n in names]), axes=1)


if __name__ == "__main__":
    main()
