"""The main job (``python -m sktime_attention``): CSV input and silence.

The main job runs with warnings as errors (``python -W error``): every sktime
object it makes is the package's own doing, so a warning about sktime's defaults
is noise the user cannot act on.
"""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sktime_attention.cli import _as_periods, main

ROOT = Path(__file__).resolve().parents[1]
ENV = {
    **os.environ,
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "MPLBACKEND": "Agg",
    "PYTHONPATH": os.pathsep.join(
        [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
    ),
}


def _run_main_job(args, cwd):
    command = [sys.executable, "-W", "error", "-m", "sktime_attention", *args]
    return subprocess.run(
        command, cwd=cwd, env=ENV, capture_output=True, text=True, timeout=600
    )


def _month_start_csv(airline, path):
    y = airline.copy()
    y.index = y.index.to_timestamp(how="start")  # 1949-01-01, 1949-02-01, ...
    y.to_frame("passengers").to_csv(path, index_label="date")
    return path


def test_csv_with_month_start_dates_runs(airline, tmp_path, capsys):
    # sktime's seasonal-naive baseline crashed on pandas 3 with "MS" dates
    csv = _month_start_csv(airline, tmp_path / "monthly.csv")
    args = ["--csv", str(csv), "--model", "attention", "--epochs", "1"]
    assert main([*args, "--horizon", "6", "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "seasonal naive sp=12" in out  # the period was read from the dates
    assert "1960-12" in out and "seasonal_naive" in out
    assert (tmp_path / "out" / "attention.png").stat().st_size > 1000


@pytest.mark.parametrize(
    ("freq", "period"), [("MS", "M"), ("QS", "Q-DEC"), ("YS", "Y-DEC"), ("D", "D")]
)
def test_dates_become_periods_of_the_same_frequency(freq, period):
    y = pd.Series(1.0, index=pd.date_range("2000-01-01", periods=6, freq=freq))
    converted = _as_periods(y)
    assert isinstance(converted.index, pd.PeriodIndex)
    assert converted.index.freqstr == period
    assert list(converted.index.to_timestamp()) == list(y.index)
    assert y.index.freqstr.startswith(freq)  # the caller's series is unchanged


def test_dates_without_a_period_frequency_stay_dates():
    y = pd.Series(1.0, index=pd.date_range("2000-01-01", periods=6, freq="SMS"))
    assert _as_periods(y).index.equals(y.index)


def test_main_job_is_silent_with_warnings_as_errors(tmp_path):
    # the README's main job (hybrid of attention, ARIMA and HMM on log airline)
    # with few epochs; the slow test below runs it exactly as README.md gives it
    result = _run_main_job(["--epochs", "3", "--out", str(tmp_path)], tmp_path)
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stderr == ""
    assert "hybrid weights:" in result.stdout
    assert (tmp_path / "attention.png").exists()


@pytest.mark.slow
def test_readme_main_job_is_silent_with_warnings_as_errors(tmp_path):
    result = _run_main_job(["--out", str(tmp_path / "out")], tmp_path)
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stderr == ""
    assert (tmp_path / "out" / "attention.png").exists()
