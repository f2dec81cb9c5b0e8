"""Figures and numbers of the AttentionLSTMForecaster page.

The airline passengers, the last 12 months held out: an attention LSTM with a
two-year window against the seasonal naive forecast; the attention of the forecast
from the cutoff, the attention averaged over every training window, and the overlay
of one step's attention on the series. Run through ``docs/figures/make_figures.py``.
"""

import matplotlib.pyplot as plt
from fig_common import fmt, save
from sktime.datasets import load_airline
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.plotting import plot_attention, plot_attention_overlay

FULL = {"max_epochs": 100}
QUICK = {"max_epochs": 1}
FIGURES = ("lstm_forecast.png", "lstm_attention.png", "lstm_overlay.png")


def fit_airline(max_epochs=100):
    """Fit airline passengers, the last 12 months held out: the page's example."""
    y = load_airline()  # monthly passengers, 1949-01 .. 1960-12
    y_train, y_test = y.iloc[:-12], y.iloc[-12:]
    forecaster = AttentionLSTMForecaster(
        window_length=24,  # two seasons: "same month last year" is in view
        max_epochs=max_epochs,
        random_state=0,
    )
    forecaster.fit(y_train, fh=range(1, 13))
    return forecaster, y_train, y_test


def read_attention(forecaster):
    """Return the attention at the cutoff and averaged over all windows."""
    cutoff = forecaster.attention_weights_  # the forecast from the cutoff
    mean = forecaster.get_attention(aggregate="mean")["temporal"]  # every window
    return cutoff, mean


def _same_month(table):
    """List the steps whose most attended lag is their own month a year or two back."""
    peaks = table.idxmax(axis=1)
    return [int(h) for h, lag in peaks.items() if (h - lag) % 12 == 0]


def run(out, max_epochs):
    """Fit, draw the three figures into ``out``, return the page's numbers.

    Parameters
    ----------
    out : pathlib.Path
        Folder of the figures.
    max_epochs : int
        Training epochs.

    Returns
    -------
    numbers : dict of str -> str
        The numbers quoted on the page, by substitution key.
    """
    forecaster, y_train, y_test = fit_airline(max_epochs)
    y_pred = forecaster.predict()
    naive = NaiveForecaster(strategy="last", sp=12).fit(y_train)
    y_naive = naive.predict(fh=range(1, 13))
    cutoff, mean = read_attention(forecaster)

    fig, (ax, ax_loss) = plt.subplots(1, 2, figsize=(11, 3.5))
    y_train.iloc[-36:].plot(ax=ax, color="black", label="training data")
    y_test.plot(ax=ax, color="grey", linestyle="--", label="held out")
    y_naive.plot(ax=ax, color="tab:orange", label="seasonal naive")
    y_pred.plot(ax=ax, color="tab:blue", label="attention LSTM")
    ax.set_title("Forecast of the last 12 months")
    ax.legend(fontsize=8)
    history = forecaster.training_history_["train_loss"]
    ax_loss.plot(history.index, history.to_numpy())
    ax_loss.set(title="training_history_", xlabel="epoch", ylabel="train loss")
    ax_loss.set_yscale("log")
    fig.tight_layout()
    save(fig, out, FIGURES[0])

    fig, axes = plt.subplots(1, 2, figsize=(13, 4.5))
    plot_attention(forecaster, ax=axes[0], title="attention_weights_ (cutoff)")
    plot_attention(mean, ax=axes[1], title="get_attention(aggregate='mean')")
    save(fig, out, FIGURES[1])
    save(plot_attention_overlay(forecaster, step=12)[0], out, FIGURES[2])

    uniform = 1 / cutoff.shape[1]
    return {
        "lstm_mape": fmt(mean_absolute_percentage_error(y_test, y_pred)),
        "lstm_naive_mape": fmt(mean_absolute_percentage_error(y_test, y_naive)),
        "lstm_uniform": fmt(uniform),
        "lstm_cutoff_max": fmt(cutoff.to_numpy().max()),
        "lstm_mean_max": fmt(mean.to_numpy().max()),
        "lstm_cutoff_peaks": str(list(map(int, cutoff.idxmax(axis=1)))),
        "lstm_mean_peaks": str(list(map(int, mean.idxmax(axis=1)))),
        "lstm_cutoff_same_month": str(len(_same_month(cutoff))),
        "lstm_mean_same_month": str(len(_same_month(mean))),
        "lstm_final_loss": fmt(history.iloc[-1], 4),
        "lstm_first_loss": fmt(history.iloc[0], 4),
    }
