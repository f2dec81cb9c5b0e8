"""Figures and numbers of the DualStageAttentionForecaster page.

Daily sales driven by one of four inputs, ``promotion``, two days late (the other
inputs are noise; ``sktime_attention.synthetic.make_planted_driver``): the feature
attention over all windows and at the cutoff, and one-step errors over the last
50 days of the dual-stage model with the inputs, the attention LSTM without them
and the mean. Run through ``docs/figures/make_figures.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
from fig_common import fmt, save
from sktime.forecasting.model_evaluation import evaluate
from sktime.performance_metrics.forecasting import MeanAbsoluteError
from sktime.split import ExpandingWindowSplitter

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster
from sktime_attention.plotting import plot_feature_attention
from sktime_attention.synthetic import PLANTED_TRAINING, make_planted_driver

FULL = {"n": 400, "max_epochs": 30, "test_days": 50}
QUICK = {"n": 80, "max_epochs": 1, "test_days": 3}
FIGURES = ("dual_stage_features.png",)
INPUTS = ["temperature", "price", "promotion", "footfall"]


def fit_sales(y, X, max_epochs=30):
    """Fit the dual-stage model to the sales and their four inputs."""
    forecaster = DualStageAttentionForecaster(
        window_length=8,  # enough to see the driver two days back
        max_epochs=max_epochs,
        random_state=0,
        **PLANTED_TRAINING,  # hidden 16, batch 32, lr 5e-3, standard scaling
    )
    return forecaster.fit(y, X=X, fh=[1])


def _one_step_mae(forecaster, y, X, test_days):
    """Mean absolute error of one-step forecasts over the last ``test_days`` days.

    Fitted once on the days before; each later forecast only moves the cutoff.
    """
    cv = ExpandingWindowSplitter(
        initial_window=len(y) - test_days, step_length=1, fh=[1]
    )
    results = evaluate(
        forecaster,
        cv=cv,
        y=y,
        X=X,
        strategy="no-update_params",
        scoring=MeanAbsoluteError(),
    )
    return results["test_MeanAbsoluteError"].mean()


def run(out, n, max_epochs, test_days):
    """Fit, draw the figure into ``out``, return the page's numbers.

    Parameters
    ----------
    out : pathlib.Path
        Folder of the figures.
    n : int
        Number of days.
    max_epochs : int
        Training epochs.
    test_days : int
        Days of one-step forecasts scored at the end.

    Returns
    -------
    numbers : dict of str -> str
        The numbers quoted on the page, by substitution key.
    """
    # sales[t] = promotion[t - 2] + 0.1 e[t]; the other inputs are noise
    y, X = make_planted_driver(
        n=n, inputs=INPUTS, driver="promotion", lag=2, name="sales", seed=0
    )
    forecaster = fit_sales(y, X, max_epochs)
    mean = forecaster.get_attention(aggregate="mean")["feature"]  # lag x feature
    overall = mean.mean()  # one weight per feature, over lags and windows

    fig, (ax, ax_map) = plt.subplots(
        1, 2, figsize=(12, 3.5), gridspec_kw={"width_ratios": [1, 1.6]}
    )
    plot_feature_attention(overall, ax=ax, title="mean over all training windows")
    plot_feature_attention(
        forecaster, kind="heatmap", ax=ax_map, title="feature_attention_ (cutoff)"
    )
    fig.tight_layout()
    save(fig, out, FIGURES[0])

    without_x = AttentionLSTMForecaster(
        window_length=8, max_epochs=max_epochs, random_state=0, **PLANTED_TRAINING
    )
    train = slice(None, n - test_days)
    dual = fit_sales(y.iloc[train], X.iloc[train], max_epochs)
    mae_dual = _one_step_mae(dual, y, X, test_days)
    mae_lstm = _one_step_mae(without_x, y, None, test_days)
    y_test = y.iloc[n - test_days :]
    mae_mean = np.abs(y_test - y.iloc[train].mean()).mean()

    ranked = overall.sort_values(ascending=False)
    cutoff = forecaster.feature_importance_
    return {
        "dual_n_features": str(len(overall)),
        "dual_uniform": fmt(1 / len(overall)),
        "dual_driver_mean": fmt(overall["promotion"]),
        "dual_driver_cutoff": fmt(cutoff["promotion"]),
        "dual_driver_rank": str(list(ranked.index).index("promotion") + 1),
        "dual_target_mean": fmt(overall["sales"]),
        "dual_other_max": fmt(overall.drop(["promotion", "sales"]).max()),
        "dual_cutoff_rank": str(
            list(cutoff.sort_values(ascending=False).index).index("promotion") + 1
        ),
        "dual_mae": fmt(mae_dual),
        "dual_mae_lstm": fmt(mae_lstm),
        "dual_mae_mean": fmt(mae_mean),
        "dual_test_days": str(test_days),
    }
