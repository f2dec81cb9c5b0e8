"""Check that thread backends give the serial results, and time them.

Backtests the two torch forecasters on the airline data (``ExpandingWindowSplitter``,
6 folds) with ``backend=None`` and with ``backend="threading"`` (2 threads), twice
each, and prints whether the forecasts are identical and the wall times. Torch
work holds one process-wide lock (``sktime_attention/training/_runtime.py``), so
fits in threads take turns: identical results, little speed-up. Run from the
repository root::

    OMP_NUM_THREADS=1 python docs/scaling_threads.py --epochs 20
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def backtest(forecaster, backend):
    """Run ``evaluate`` once; return (seconds, forecasts of every fold)."""
    import pandas as pd
    from sktime.datasets import load_airline
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    y = load_airline()
    cv = ExpandingWindowSplitter(initial_window=72, step_length=12, fh=range(1, 13))
    params = {"n_jobs": 2} if backend else None
    start = time.perf_counter()
    results = evaluate(
        forecaster,
        cv=cv,
        y=y,
        backend=backend,
        backend_params=params,
        return_data=True,
        error_score="raise",
    )
    seconds = time.perf_counter() - start
    return seconds, pd.concat(list(results["y_pred"])).to_numpy()


def main():
    """Compare serial and threaded backtests of both torch forecasters."""
    import numpy as np

    from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    settings = dict(window_length=24, hidden_size=16, max_epochs=args.epochs)
    for cls in (AttentionLSTMForecaster, DualStageAttentionForecaster):
        forecaster = cls(**settings, num_threads=1, random_state=0)
        runs = {
            f"{backend} #{i}": backtest(forecaster, backend)
            for backend in (None, "threading")
            for i in (1, 2)
        }
        reference = runs["None #1"][1]
        for name, (seconds, pred) in runs.items():
            same = np.array_equal(pred, reference)
            print(f"{cls.__name__:30s} {name:12s} {seconds:6.1f} s  identical: {same}")


if __name__ == "__main__":
    main()
