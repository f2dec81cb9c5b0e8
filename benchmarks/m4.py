"""M4 benchmark: HybridForecaster end to end, its members and baselines, M4 scores.

Data: the M4 competition CSVs (``{Freq}-train.csv``, ``{Freq}-test.csv``; one row
per series, id in ``V1``, values after, empty cells after a series ends). Scores:
sMAPE (percent), MASE (scaled by the in-sample seasonal-naive MAE at lag ``sp``),
and OWA against Naive2 computed on the same series.

    python benchmarks/m4.py ../shared/data/m4 --freq Hourly            # all 414
    python benchmarks/m4.py ../shared/data/m4 --freq Hourly --series 40
    python benchmarks/m4.py ../shared/data/m4 --series 40 --models hybrid
    python benchmarks/m4.py ../shared/data/m4 --models naive2 attention --validate

``hybrid`` is ``HybridForecaster([attention, arima, hmm, theta, snaive], ...)
.fit(panel, fh)``: one global attention network, per-series members fitted by
sktime's vectorisation, weights learned on the hybrid's own holdout (folds of
the training data only); each member's own forecast (``get_member``) is scored
too. ``attention`` is the global network alone. Its decoder reads the seasonal
naive values at ``--seasonal-lags`` (default per frequency: the day and the week
for Hourly); ``--lag-covariate L`` passes the value L steps back as a known
covariate in ``X`` instead (the earlier recipe); with ``--seasonal-residual``
(the default) it forecasts the residual of the seasonal naive forecast.
``lightgbm`` is a global LightGBM on lag features through mlforecast (the recipe
of mlforecast's own M4 Hourly test), run when mlforecast is installed and
skipped otherwise.

Every series is indexed so that it ends at time -1; forecasts cover 0..H-1.
Inside the hybrid the global attention model is pretrained once on every series
less its holdout (``--folds`` x H points, default the last 48) to forecast the
holdout the weights are learned on; ``refit_global`` then trains it afresh on all
the data for the test forecast (``--no-refit-global``: the pretrained network
only reads each series' latest context). Its ``n_networks`` train at once under
``--backend``.
Naive2 is seasonal naive on the multiplicatively deseasonalised series (sktime's
ConditionalDeseasonalizer, which applies the M4 90% autocorrelation test).
Peak memory is the process's peak resident set size after each model (it only
grows, so the first model that raises it is the one responsible).
"""

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path

# Read when the interpreter starts, so the script re-runs itself once with them
ENVIRONMENT = {
    # glibc hands large blocks out as fresh mmaps (its threshold rises to 32 MB
    # at most) and gives them back when freed, so every training batch
    # page-faults its large activations in again: a quarter of the time went
    # to the kernel (README, "The allocator"). Keeping blocks up to 256 MB on
    # the heap, and up to 256 MB free at its top, trains about 15% faster with
    # the same forecasts; a larger trim threshold is faster still but kept too
    # much memory for the 4 GB bound.
    "MALLOC_MMAP_THRESHOLD_": str(256 << 20),
    "MALLOC_TRIM_THRESHOLD_": str(256 << 20),
}
MISSING = {k: v for k, v in ENVIRONMENT.items() if k not in os.environ}
# only when run as a script (defaults.py imports it); values set are the caller's
if __name__ == "__main__" and sys.platform == "linux" and MISSING:
    os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, **MISSING})

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from sktime.forecasting.compose import TransformedTargetForecaster  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.forecasting.theta import ThetaForecaster  # noqa: E402
from sktime.transformations.series.detrend import ConditionalDeseasonalizer  # noqa: E402

from sktime_attention import AttentionLSTMForecaster  # noqa: E402

# sktime 1.2 warns about remember_data whenever its own forecasters are built
warnings.filterwarnings(
    "ignore", message="The default of config", category=FutureWarning
)

SETTINGS = {  # horizon, seasonal period, the attention model's seasonal lags
    "Hourly": (48, 24, [24, 168]),  # the day and the week
    "Daily": (14, 7, [7]),
    "Weekly": (13, 52, [52]),
    "Monthly": (18, 12, [12]),
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
    direct decoder's query of step h then holds the value one seasonal multiple
    earlier. The first ``lag`` points of each series, which have no lagged
    value, are dropped from y and X.
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
        attention_size=args.attention_size or args.hidden,
        horizon=horizon,
        scaling="window",
        loss=args.loss,
        max_epochs=args.epochs,
        batch_size=args.batch,
        learning_rate=args.lr,
        windows_per_epoch=args.windows_per_epoch,
        validation_fraction=0.1,
        patience=args.patience,
        lr_reduce_patience=args.lr_reduce_patience or None,
        teacher_forcing_ratio=args.teacher_forcing,
        decoder=args.decoder,
        seasonal_lags=args.seasonal_lags or None,
        seasonal_residual=args.seasonal_residual,
        n_networks=args.n_networks,
        random_state=args.seed,
        verbose=args.verbose,
        interval_calibration="insample",  # point forecasts only: no second network
    )


def hybrid_members(args, horizon, sp):
    """The benchmark's members: global attention and per-series classical models."""
    from sktime.forecasting.arima import StatsModelsARIMA
    from sktime.transformations.series.detrend import Deseasonalizer

    from sktime_attention import HMMForecaster

    return [
        ("attention", attention_model(args, horizon)),
        # low_memory: statsmodels keeps the filter's last state only, 134 KB a
        # series instead of 1.6 MB, same point forecasts (no intervals, which
        # learned weights do not read; README "Memory of the members")
        (
            "arima",
            Deseasonalizer(sp=sp)
            * StatsModelsARIMA(order=(1, 1, 1), low_memory=True, cov_type="none"),
        ),
        ("hmm", Deseasonalizer(sp=sp) * HMMForecaster()),
        ("theta", ThetaForecaster(sp=sp)),
        ("snaive", NaiveForecaster(strategy="last", sp=sp)),
    ]


def run_lightgbm(panel, horizon, sp):
    """Global LightGBM by mlforecast's own M4 Hourly test recipe; None if absent.

    The recipe of mlforecast's ``tests/test_m4.py`` for Hourly, with its 24 read
    as ``sp``: the target differenced at lag ``sp``; lags ``sp, 2 sp, .., 14 sp``;
    at lags ``sp`` and ``2 sp`` an exponentially weighted mean (alpha 0.3) and
    rolling means over 7 and 14 seasons; 200 trees of 2500 leaves, learning
    rate 0.05, bagging 0.9, feature fraction 0.8, L1 0.03, L2 0.5.
    """
    try:
        import lightgbm
        from mlforecast import MLForecast
        from mlforecast.lag_transforms import ExponentiallyWeightedMean, RollingMean
        from mlforecast.target_transforms import Differences
    except ImportError:
        return None
    df = panel.reset_index().rename(columns={"series": "unique_id", "time": "ds"})
    booster = lightgbm.LGBMRegressor(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=2500,
        bagging_freq=1,
        bagging_fraction=0.9,
        feature_fraction=0.8,
        lambda_l1=0.03,
        lambda_l2=0.5,
        force_col_wise=True,
        verbosity=-1,
    )
    means = [
        ExponentiallyWeightedMean(alpha=0.3),
        RollingMean(7 * sp),
        RollingMean(14 * sp),
    ]
    model = MLForecast(
        models=[booster],
        freq=1,
        lags=[sp * i for i in range(1, 15)],
        lag_transforms={sp: means, 2 * sp: means},
        target_transforms=[Differences([sp])],
        num_threads=1,
    )
    out = model.fit(df).predict(horizon)
    keys = panel.index.get_level_values(0).unique()
    return np.stack([out[out.unique_id == k].iloc[:, -1].to_numpy() for k in keys])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--freq", default="Hourly", choices=sorted(SETTINGS))
    parser.add_argument("--series", type=int, default=None, help="first N series")
    parser.add_argument("--window", type=int, default=168)
    parser.add_argument("--attention", default="luong_general")
    parser.add_argument("--hidden", type=int, default=64)
    # 45: the direct decoder's epochs chosen on the validation split (README)
    parser.add_argument("--epochs", type=int, default=45)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--loss", default="mae")
    parser.add_argument("--windows-per-epoch", type=int, default=8192)
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument(
        "--lr-reduce-patience",
        type=int,
        default=3,
        help="halve the learning rate after this many epochs without a better"
        " validation loss (0: constant; 3 chosen on validation, README)",
    )
    parser.add_argument("--teacher-forcing", type=float, default=0.0)
    parser.add_argument("--decoder", default="direct", choices=["direct", "recursive"])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--weighting",
        default="per_step",
        choices=["global", "per_step", "per_series"],
        help="the hybrid's (per_step: chosen on validation, README)",
    )
    parser.add_argument("--folds", type=int, default=1, help="holdout folds")
    parser.add_argument(
        "--metric", default="mae", choices=["mse", "mae"], help="the hybrid's"
    )
    parser.add_argument("--backend", default=None, help="sktime backend:parallel")
    parser.add_argument(
        "--models", nargs="*", default=["snaive", "naive2", "hybrid", "lightgbm"]
    )
    parser.add_argument(
        "--validate",
        action="store_true",
        help="score on each series' last H training points (training data only)",
    )
    parser.add_argument(
        "--members", nargs="*", default=None, help="subset of the hybrid's members"
    )
    parser.add_argument(
        "--lag-covariate",
        type=int,
        default=0,
        help="model `attention` only: X_t = y_{t-lag} (0: none; 48 for Hourly)",
    )
    parser.add_argument(
        "--attention-size",
        type=int,
        default=None,
        help="the direct decoder's attention size d (default: --hidden, full width,"
        " chosen on validation; README)",
    )
    parser.add_argument(
        "--seasonal-lags",
        type=int,
        nargs="*",
        default=None,
        help="the attention model's seasonal_lags (default: the frequency's, 24"
        " 168 for Hourly; none when given without values)",
    )
    parser.add_argument(
        "--seasonal-residual",
        action=argparse.BooleanOptionalAction,
        default=True,  # chosen on validation, README
        help="the network forecasts the residual of the first seasonal lag's naive",
    )
    parser.add_argument("--n-networks", type=int, default=2)  # chosen on validation
    parser.add_argument(
        "--refit-global",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="the hybrid's refit_global: retrain the attention member on all data"
        " for the final fit (else it keeps the network pretrained for the holdout;"
        " the network trained on all data won on validation, README)",
    )
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    horizon, sp, lags = SETTINGS[args.freq]
    if args.seasonal_lags is None:
        args.seasonal_lags = lags
    panel, test = load_m4(args.folder, args.freq, args.series)
    if args.validate:  # the last H training points become the test
        groups = panel.groupby(level=0, sort=False)["y"]
        test = np.stack([g.to_numpy()[-horizon:] for _, g in groups])
        panel = panel.groupby(level=0, sort=False, group_keys=False).apply(
            lambda g: g.iloc[:-horizon].set_axis(
                pd.MultiIndex.from_arrays(
                    [
                        g.index.get_level_values(0)[:-horizon],
                        range(-len(g) + horizon, 0),
                    ],
                    names=g.index.names,
                )
            )
        )
    keys = panel.index.get_level_values(0).unique()
    fh = np.arange(1, horizon + 1)
    print(f"M4 {args.freq}: {len(keys)} series, horizon {horizon}, sp {sp}", vars(args))

    baselines = {
        "snaive": NaiveForecaster(strategy="last", sp=sp),
        "naive2": TransformedTargetForecaster(
            [
                ConditionalDeseasonalizer(sp=sp, model="multiplicative"),
                NaiveForecaster(strategy="last"),
            ]
        ),
    }
    preds, times, memory = {}, {}, {}
    for name in args.models:
        start = time.perf_counter()
        if name in baselines:
            preds[name] = to_array(
                baselines[name].fit(panel, fh=fh).predict(), keys, horizon
            )
        elif name == "attention":  # the global network alone
            forecaster = attention_model(args, horizon)
            if args.backend:  # its networks train at once
                forecaster.set_config(**{"backend:parallel": args.backend})
            if args.lag_covariate:
                y, X, X_future = with_lag_covariate(panel, args.lag_covariate, horizon)
                forecaster.fit(y, X=X, fh=fh)
                out = forecaster.predict(X=X_future)
            else:
                out = forecaster.fit(panel, fh=fh).predict()
            preds[name] = to_array(out, keys, horizon)
        elif name == "lightgbm":
            out = run_lightgbm(panel, horizon, sp)
            if out is None:
                print("  lightgbm: skipped (mlforecast / lightgbm not installed)")
                continue
            preds[name] = out
        elif name == "hybrid":
            from sktime.split import ExpandingWindowSplitter

            from sktime_attention import HybridForecaster

            n_axis = panel.index.get_level_values(-1).nunique()
            cv = ExpandingWindowSplitter(  # folds end `horizon` before the end
                fh=fh,
                initial_window=n_axis - horizon * args.folds,
                step_length=horizon,
            )
            members = hybrid_members(args, horizon, sp)
            if args.members:
                members = [(n, e) for n, e in members if n in args.members]
            hybrid = HybridForecaster(
                members,
                cv=cv,
                weighting=args.weighting,
                metric=args.metric,
                sp=sp,
                refit_global=args.refit_global,
                random_state=args.seed,
                verbose=args.verbose,
            )
            if args.backend:
                hybrid.set_config(**{"backend:parallel": args.backend})
            hybrid.fit(panel, fh=fh)
            preds[name] = to_array(hybrid.predict(), keys, horizon)
            times[name] = time.perf_counter() - start
            for member, _ in hybrid.forecasters_:
                out = hybrid.get_member(member).predict()
                preds[f"  {member}"] = to_array(out, keys, horizon)
            weights = hybrid.weights_
            if isinstance(weights, pd.DataFrame):  # per step: their mean and range
                print(weights.describe().loc[["mean", "min", "max"]].round(3))
            else:
                print("weights:", weights.round(3).to_dict())
            print("holdout errors (MASE units):")
            print(hybrid.cv_errors_.round(3).to_string())
            if hybrid.weight_features_ is not None:
                print(hybrid.weight_features_.round(3).to_string())
            if len(hybrid.member_warnings_):
                print(hybrid.member_warnings_.groupby("member")["count"].sum())
        times.setdefault(name, time.perf_counter() - start)
        memory[name] = peak_mb()
        print(f"  {name}: {times[name]:.0f} s", flush=True)

    naive2 = scores(preds["naive2"], test, panel, sp) if "naive2" in preds else None
    print("| model | sMAPE | MASE | OWA | fit+predict s | peak RSS MB |")
    print("|---|---|---|---|---|---|")
    for name, pred in preds.items():
        s, m = scores(pred, test, panel, sp)
        owa = 0.5 * (s / naive2[0] + m / naive2[1]) if naive2 else float("nan")
        t = f"{times[name]:.0f}" if name in times else "(in hybrid)"
        rss = f"{memory[name]:.0f}" if name in memory else ""
        print(f"| {name} | {s:.3f} | {m:.3f} | {owa:.3f} | {t} | {rss} |")


if __name__ == "__main__":
    main()
