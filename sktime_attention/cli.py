"""The main job: forecast a held-out tail, compare with seasonal naive, plot attention.

python -m sktime_attention --dataset airline --horizon 24 --out out
"""

__all__ = ["main"]

import argparse
from pathlib import Path

import pandas as pd

DATASETS = ("airline", "shampoo_sales", "lynx", "uschange")


def _load(dataset, csv):
    """Load a univariate series from an sktime dataset name or a CSV file."""
    if csv is not None:
        frame = pd.read_csv(csv, index_col=0, parse_dates=True)
        y = frame.iloc[:, 0].astype(float)
        if isinstance(y.index, pd.DatetimeIndex) and y.index.freq is None:
            y = y.asfreq(pd.infer_freq(y.index))
        return _as_periods(y)
    from sktime import datasets

    if dataset == "uschange":
        return datasets.load_uschange()[0]
    return getattr(datasets, f"load_{dataset}")().astype(float)


def _as_periods(y):
    """Return ``y`` on a PeriodIndex where its dates have a period frequency.

    sktime 1.2's seasonal-naive baseline converts dates to periods with the
    index's offset, which pandas 3 refuses for "begin" offsets (month start
    ``MS``, quarter start ``QS``): a ``MonthBegin`` has no period code. Periods
    work for every frequency and label the same months.
    """
    if not isinstance(y.index, pd.DatetimeIndex) or y.index.freq is None:
        return y
    try:
        return y.to_period()
    except (ValueError, TypeError, AttributeError):  # e.g. semi-month "SMS"
        return y


def _seasonal_period(y, sp):
    """``sp`` if given, else the season the hybrid reads from ``y``'s frequency."""
    from sktime_attention.forecasting._panel import infer_sp

    return sp if sp is not None else infer_sp(y.index)


def _parser():
    """Command-line options of the main job."""
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
        "--csv",
        type=Path,
        help="CSV file: time column first, target second (dates with a frequency "
        "become periods)",
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
        "--epochs", type=int, default=300, help="training epochs (default: 300)"
    )
    parser.add_argument(
        "--model",
        default="hybrid",
        choices=("hybrid", "attention"),
        help="hybrid blend (default) or the attention model alone",
    )
    parser.add_argument(
        "--no-log",
        action="store_true",
        help="model the raw series (default: log of a positive series)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out"),
        help="folder for the plots (default: ./out)",
    )
    return parser


def _split(args, parser):
    """Load the series; return (y, y_train, y_test, seasonal period)."""
    y = _load(args.dataset, args.csv)
    if args.horizon < 1 or args.horizon >= len(y) // 2:
        parser.error(f"--horizon must be in [1, {len(y) // 2 - 1}], got {args.horizon}")
    sp = _seasonal_period(y, args.sp)
    return y, y.iloc[: -args.horizon], y.iloc[-args.horizon :], sp


def _build(model, sp, epochs, seed):
    """Build the attention forecaster alone, or its hybrid with ARIMA and HMM."""
    from sktime.forecasting.arima import StatsModelsARIMA

    from sktime_attention import (
        AttentionLSTMForecaster,
        HMMForecaster,
        HybridForecaster,
    )

    # Short series: every window trains (no early-stopping holdout), for longer.
    attention = AttentionLSTMForecaster(
        window_length=max(2 * sp, 8),
        seasonal_lags=[sp] if sp > 1 else None,
        attention="luong_general",
        hidden_size=16,
        learning_rate=3e-3,
        max_epochs=epochs,
        validation_fraction=0.0,
        random_state=seed,
    )
    if model == "attention":
        return attention
    seasonal = (0, 1, 1, sp) if sp > 1 else (0, 0, 0, 0)
    return HybridForecaster(
        [
            ("attention", attention),
            ("arima", StatsModelsARIMA(order=(1, 1, 1), seasonal_order=seasonal)),
            ("hmm", HMMForecaster(random_state=seed)),
        ],
        weights="optimal",
        random_state=seed,
    )


def _forecast(args, y, y_train, y_test, sp):
    """Fit the model (on logs if positive) and seasonal naive; collect forecasts.

    Returns the columns of the table (actual, model, members, seasonal naive) and
    the fitted forecaster whose attention is plotted.
    """
    import numpy as np
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.transformations.series.boxcox import LogTransformer

    from sktime_attention.forecasting._members import quiet

    fh = list(range(1, args.horizon + 1))
    log = not args.no_log and bool((y > 0).all())
    # the sktime objects made here (and their clones) warn about sktime's own
    # remember_data default: noise to the user, dropped; other warnings pass
    with quiet():
        model = _build(args.model, sp, args.epochs, args.seed)
        pipeline = model
        if log:
            pipeline = TransformedTargetForecaster([LogTransformer(), model])
        y_pred = pipeline.fit(y_train, fh=fh).predict()
        if log:  # the fitted model inside the pipeline, and the way back from logs
            model = pipeline.steps_[-1][1]
        naive = NaiveForecaster(strategy="last", sp=sp).fit(y_train, fh=fh).predict()

    columns = {"actual": y_test, args.model: y_pred}
    attention = model
    if args.model == "hybrid":
        for name, member in model.forecasters_:
            pred = member.predict(fh=fh)  # members saw y as a one-column frame
            pred = pred.iloc[:, 0] if pred.ndim == 2 else pred
            columns[name] = np.exp(pred) if log else pred
        attention = model.get_member("attention")
        weights = ", ".join(f"{k} {w:.3f}" for k, w in model.weights_.items())
        print(f"hybrid weights: {weights}")
    columns["seasonal_naive"] = naive
    return columns, attention


def _report(columns, y_test, sp):
    """Print the forecasts table and each forecast's MAPE on the held-out tail."""
    from sktime.performance_metrics.forecasting import (
        mean_absolute_percentage_error as mape,
    )

    print(pd.DataFrame(columns).round(2).to_string())
    errors = ", ".join(
        f"{name} {mape(y_test, pred):.4f}"
        for name, pred in columns.items()
        if name != "actual"
    )
    print(f"\nMAPE on the held-out tail (seasonal naive sp={sp}): {errors}")


def _plot(attention, out):
    """Write the attention heatmap of the fitted attention model into ``out``."""
    from sktime_attention.plotting import plot_attention

    out.mkdir(parents=True, exist_ok=True)
    title = "Attention of the forecast from the cutoff"
    fig, _ = plot_attention(attention, title=title)
    path = out / "attention.png"
    fig.savefig(path, dpi=120)
    print(f"attention heatmap written to {path}")


def main(argv=None):
    """Run the main job; ``argv`` defaults to the command line."""
    parser = _parser()
    args = parser.parse_args(argv)
    import matplotlib

    matplotlib.use("Agg")  # files only; before anything imports pyplot
    y, y_train, y_test, sp = _split(args, parser)
    columns, attention = _forecast(args, y, y_train, y_test, sp)
    _report(columns, y_test, sp)
    _plot(attention, args.out)
    return 0
