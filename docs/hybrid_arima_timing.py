"""Fit time of the hybrid's ARIMA member on M4 Hourly series, with and without season.

``default_forecasters`` fits, for a seasonal period above 12, an ARIMA(1, 1, 1) to
the series less its additive seasonal means (``Deseasonalizer(sp) *
StatsModelsARIMA``) instead of statsmodels' seasonal state space (the airline
model ``(0, 1, 1)(0, 1, 1, sp)`` it uses up to ``sp = 12``). This script times both
(CPU seconds, one thread) on the first M4 Hourly series (sp 24); the seconds in
``docs/user_guide/hybrid.md`` come from here. Run from the repository root, with
the folder holding ``Hourly-train.csv``::

    OMP_NUM_THREADS=1 python docs/hybrid_arima_timing.py ../shared/data/m4 --series 10
"""

import argparse
import os
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")


def main():
    """Time both ARIMA variants per series and print the range."""
    import pandas as pd
    from sktime.forecasting.arima import StatsModelsARIMA
    from sktime.transformations.series.detrend import Deseasonalizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--series", type=int, default=5)
    args = parser.parse_args()
    train = pd.read_csv(args.folder / "Hourly-train.csv", index_col=0)
    models = {
        "seasonal (0,1,1)(0,1,1,24)": lambda: StatsModelsARIMA(
            order=(0, 1, 1), seasonal_order=(0, 1, 1, 24)
        ),
        "Deseasonalizer(24) * (1,1,1)": lambda: (
            Deseasonalizer(sp=24) * StatsModelsARIMA(order=(1, 1, 1))
        ),
    }
    seconds = {name: [] for name in models}
    for key, row in train.iloc[: args.series].iterrows():
        y = pd.Series(row.dropna().to_numpy(dtype=float))
        for name, make in models.items():
            start = time.process_time()  # CPU time: load on other cores drops out
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                make().fit(y, fh=range(1, 49))
            seconds[name].append(time.process_time() - start)
        print(key, len(y), *(f"{s[-1]:.2f} s" for s in seconds.values()))
    for name, values in seconds.items():
        print(f"{name}: {min(values):.2f} to {max(values):.2f} CPU s per series")


if __name__ == "__main__":
    main()
