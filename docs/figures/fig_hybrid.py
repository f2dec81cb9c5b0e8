"""Figures and numbers of the HybridForecaster page.

The log airline passengers, the last 12 months held out: a blend of the seasonal
naive forecast, the airline ARIMA, the HMM and the attention LSTM with weights
learned on holdout folds of the training data; the members' and the blend's
forecasts, the learned weights against the members' holdout errors, and the
blend's 90% interval. Run through ``docs/figures/make_figures.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
from fig_common import fmt, save
from sktime.datasets import load_airline
from sktime.forecasting.arima import StatsModelsARIMA
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

from sktime_attention import AttentionLSTMForecaster, HMMForecaster, HybridForecaster

FULL = {"max_epochs": 100}
QUICK = {"max_epochs": 1}
FIGURES = ("hybrid_forecasts.png", "hybrid_weights.png")
MEMBERS = ("naive", "arima", "hmm", "attention")


def fit_blend(y_train, max_epochs=100):
    """Blend four members with weights learned on holdout folds."""
    members = [
        ("naive", NaiveForecaster(strategy="last", sp=12)),
        ("arima", StatsModelsARIMA(order=(0, 1, 1), seasonal_order=(0, 1, 1, 12))),
        ("hmm", HMMForecaster(transform="diff")),
        ("attention", AttentionLSTMForecaster(window_length=24, max_epochs=max_epochs)),
    ]
    hybrid = HybridForecaster(members, weights="optimal", random_state=0)
    return hybrid.fit(y_train, fh=range(1, 13))


def run(out, max_epochs):
    """Fit, draw the two figures into ``out``, return the page's numbers.

    Parameters
    ----------
    out : pathlib.Path
        Folder of the figures.
    max_epochs : int
        Training epochs of the attention member.

    Returns
    -------
    numbers : dict of str -> str
        The numbers quoted on the page, by substitution key.
    """
    y = load_airline()
    log_train, y_test = np.log(y.iloc[:-12]), y.iloc[-12:]
    hybrid = fit_blend(log_train, max_epochs)
    fh = range(1, 13)
    forecasts = {name: np.exp(hybrid.get_member(name).predict(fh)) for name in MEMBERS}
    forecasts["blend"] = np.exp(hybrid.predict(fh))
    interval = np.exp(hybrid.predict_interval(fh, coverage=0.9))
    lower, upper = interval.iloc[:, 0], interval.iloc[:, 1]
    mape = {
        name: mean_absolute_percentage_error(y_test, f) for name, f in forecasts.items()
    }

    fig, ax = plt.subplots(figsize=(8, 3.8))
    times = y_test.index.to_timestamp()
    before = y.iloc[-36:-12]
    ax.plot(before.index.to_timestamp(), before.to_numpy(), "k", label="training data")
    ax.fill_between(
        times, lower, upper, color="tab:blue", alpha=0.15, label="blend, 90% interval"
    )
    ax.plot(times, y_test.to_numpy(), "k--", label="held out")
    for name in MEMBERS:
        ax.plot(times, forecasts[name].to_numpy(), linewidth=1, label=name)
    ax.plot(times, forecasts["blend"].to_numpy(), linewidth=2.5, label="blend")
    ax.set(title="Members and blend, last 12 months", ylabel="passengers")
    ax.legend(fontsize=8, ncol=2, loc="upper left")
    fig.tight_layout()
    save(fig, out, FIGURES[0])

    errors = hybrid.cv_errors_
    fig, (ax_w, ax_e) = plt.subplots(1, 2, figsize=(9, 3))
    ax_w.bar(hybrid.weights_.index, hybrid.weights_.to_numpy())
    ax_w.set(title="weights_", ylim=(0, 1))
    ax_e.bar(errors.index, errors["mse"].to_numpy(), color="tab:gray")
    ax_e.set(title="cv_errors_['mse'] (holdout, MASE units)")
    fig.tight_layout()
    save(fig, out, FIGURES[1])

    inside = ((y_test >= lower) & (y_test <= upper)).sum()
    numbers = {
        "hybrid_interval_method": str(hybrid.interval_method_),
        "hybrid_inside": str(int(inside)),
        "hybrid_best_member": min(MEMBERS, key=mape.get),
    }
    for name in (*MEMBERS, "blend"):
        numbers[f"hybrid_mape_{name}"] = fmt(mape[name])
    for name in MEMBERS:
        numbers[f"hybrid_weight_{name}"] = fmt(hybrid.weights_[name], 2)
        numbers[f"hybrid_cv_mse_{name}"] = fmt(errors.loc[name, "mse"])
    return numbers
