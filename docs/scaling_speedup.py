"""Measure the speed-up of sktime's ``evaluate`` on 2 workers versus 1.

Backtests :class:`~sktime_attention.AttentionLSTMForecaster` on the airline data
with an ``ExpandingWindowSplitter`` of 6 folds, one torch thread per fit, on:

- ``backend=None`` (serial, the baseline),
- ``backend="loky"`` with ``n_jobs=2`` (2 local processes),
- ``backend="dask"`` on a ``dask.distributed.LocalCluster`` with 2 single-threaded
  worker processes (when ``distributed`` is installed),

checks that every run gives the same errors, and prints the wall times and
speed-ups. Each backend runs ``--repeats`` times; the best time counts (machines
shared with others are noisy). Run from the repository root::

    OMP_NUM_THREADS=1 python docs/scaling_speedup.py --repeats 2
"""

import argparse
import os
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")


def make_forecaster(epochs):
    """Return the forecaster being backtested (one torch thread per fit)."""
    from sktime_attention import AttentionLSTMForecaster

    return AttentionLSTMForecaster(
        window_length=24,
        hidden_size=16,
        max_epochs=epochs,
        validation_fraction=0.0,
        num_threads=1,
        random_state=0,
    )


def backtest(backend, backend_params, epochs):
    """Run ``evaluate`` once; return (seconds, test errors)."""
    from sktime.datasets import load_airline
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.split import ExpandingWindowSplitter

    y = load_airline()
    cv = ExpandingWindowSplitter(initial_window=72, step_length=12, fh=range(1, 13))
    start = time.perf_counter()
    results = evaluate(
        make_forecaster(epochs),
        cv=cv,
        y=y,
        backend=backend,
        backend_params=backend_params,
        error_score="raise",
    )
    return time.perf_counter() - start, results.iloc[:, 0].to_numpy()


def main(argv=None):
    """Time the backends and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore", category=FutureWarning)

    runs = {
        "serial (backend=None)": (None, None),
        "loky, n_jobs=2": ("loky", {"n_jobs": 2}),
    }
    cluster = client = None
    try:
        from dask.distributed import Client, LocalCluster

        cluster = LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env={"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"},
        )
        client = Client(cluster)
        runs["dask LocalCluster, 2 workers"] = ("dask", {})
    except ImportError:
        print("dask.distributed not installed: dask run skipped")

    reference, times = None, {}
    for name, (backend, params) in runs.items():
        best = float("inf")
        for _ in range(args.repeats):
            seconds, errors = backtest(backend, params, args.epochs)
            best = min(best, seconds)
            if reference is None:
                reference = errors
            elif not (errors == reference).all():
                raise AssertionError(f"{name} gave different errors: {errors}")
        times[name] = best
        load = os.getloadavg()[0]
        print(f"{name:32s} {best:7.2f} s   (1-min load before: {load:.1f})", flush=True)
    if client is not None:
        client.close()
        cluster.close()
    base = times["serial (backend=None)"]
    print(f"\n{len(reference)} folds, identical errors on every backend")
    for name, seconds in times.items():
        print(f"speed-up {name:32s} {base / seconds:5.2f}x")


if __name__ == "__main__":
    main()
