"""Figures and numbers of the HMMForecaster page.

A random walk whose drift and volatility switch between a calm rising regime and
a turbulent falling one (a two-state Markov chain, known to us, hidden from the
model): the number of states chosen by BIC, the fitted regimes against the true
ones, and the forecast distribution with the propagated regime probabilities.
Run through ``docs/figures/make_figures.py``.
"""

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from fig_common import fmt, percent, save

from sktime_attention import HMMForecaster

FULL = {"n": 300, "n_states_range": (1, 4)}
QUICK = {"n": 80, "n_states_range": (1, 2)}
FIGURES = ("hmm_regimes.png", "hmm_forecast.png")
# the planted regimes: 0 turbulent and falling, 1 calm and rising
DRIFT = (-0.6, 0.3)
SCALE = (1.5, 0.5)
STAY = (0.95, 0.97)  # probability of staying in the regime for another step


def regime_series(n=300, seed=0):
    """Simulate a random walk whose increments switch between two regimes.

    Parameters
    ----------
    n : int, default=300
        Number of months.
    seed : int, default=0
        Seed of the regimes and the noise.

    Returns
    -------
    y : pd.Series
        The series, monthly ``PeriodIndex`` from 2000-01.
    regime : pd.Series
        The true regime of each increment (0 falling, 1 rising).
    """
    rng = np.random.default_rng(seed)
    regime = np.empty(n, dtype=int)
    regime[0] = 1
    for t in range(1, n):
        stay = rng.random() < STAY[regime[t - 1]]
        regime[t] = regime[t - 1] if stay else 1 - regime[t - 1]
    steps = np.take(DRIFT, regime) + np.take(SCALE, regime) * rng.standard_normal(n)
    index = pd.period_range("2000-01", periods=n, freq="M")
    y = pd.Series(100 + np.cumsum(steps), index=index, name="y")
    return y, pd.Series(regime, index=index, name="regime")


def fit_regimes(y, n_states_range=(1, 4)):
    """Fit an HMM to the increments, the number of states chosen by BIC."""
    hmm = HMMForecaster(
        n_states="auto",  # the lowest BIC over n_states_range wins
        n_states_range=n_states_range,
        transform="diff",  # model the increments: a stochastic trend
        random_state=0,
    )
    return hmm.fit(y)


def run(out, n, n_states_range):
    """Fit, draw the two figures into ``out``, return the page's numbers.

    Parameters
    ----------
    out : pathlib.Path
        Folder of the figures.
    n : int
        Length of the series.
    n_states_range : tuple of int
        The state counts compared.

    Returns
    -------
    numbers : dict of str -> str
        The numbers quoted on the page, by substitution key.
    """
    y, regime = regime_series(n)
    hmm = fit_regimes(y, n_states_range)
    probs = hmm.filter_states()  # p(s_t | y_1..t), one row per increment
    falling = probs["state_0"]  # state_0 has the lowest mean increment
    found = (falling < 0.5).astype(int)  # 0 where the falling regime is likelier
    truth = regime.loc[probs.index]
    fh = np.arange(1, 25)
    interval = hmm.predict_interval(fh=fh, coverage=[0.8, 0.95])
    future = hmm.predict_state_probs(fh=fh)

    fig, (ax, ax_p) = plt.subplots(2, 1, figsize=(10, 5), sharex=True)
    x = y.index.to_timestamp()
    ax.plot(x, y.to_numpy(), color="black", linewidth=1)
    ax.fill_between(
        x, y.min(), y.max(), where=regime.to_numpy() == 0, color="tab:red", alpha=0.15
    )
    ax.set(title="The series; shaded: the true falling regime", ylabel="y")
    ax_p.plot(probs.index.to_timestamp(), falling.to_numpy(), color="tab:red")
    ax_p.fill_between(
        x, 0, 1, where=regime.to_numpy() == 0, color="tab:red", alpha=0.15
    )
    ax_p.set(title="filter_states(): p(state_0 | data up to t)", ylim=(0, 1))
    fig.tight_layout()
    save(fig, out, FIGURES[0])

    fig, (ax, ax_s) = plt.subplots(1, 2, figsize=(11, 3.5))
    tail = y.iloc[-48:]
    ax.plot(tail.index.to_timestamp(), tail.to_numpy(), color="black")
    times = interval.index.to_timestamp()
    for coverage, alpha in ((0.95, 0.2), (0.8, 0.35)):
        lower = interval[("y", coverage, "lower")].to_numpy()
        upper = interval[("y", coverage, "upper")].to_numpy()
        label = f"{coverage:.0%} interval"
        ax.fill_between(times, lower, upper, color="tab:blue", alpha=alpha, label=label)
    ax.plot(times, hmm.predict(fh=fh).to_numpy(), color="tab:blue", label="mean")
    ax.set(title="predict_interval(coverage=[0.8, 0.95])")
    ax.legend(fontsize=8, loc="upper left")
    for column in future.columns:
        ax_s.plot(fh, future[column].to_numpy(), marker=".", label=column)
    ax_s.set(title="predict_state_probs(fh)", xlabel="step", ylim=(0, 1))
    ax_s.legend(fontsize=8)
    fig.tight_layout()
    save(fig, out, FIGURES[1])

    sd = np.sqrt(np.asarray(hmm.covars_).reshape(hmm.n_states_, -1)[:, 0])
    means = np.asarray(hmm.means_)[:, 0]
    stay = np.diag(hmm.transmat_)
    bic = hmm.bic_
    width = interval[("y", 0.8, "upper")] - interval[("y", 0.8, "lower")]
    numbers = {
        "hmm_n": str(n),
        "hmm_n_states": str(hmm.n_states_),
        "hmm_bic": ", ".join(f"{k}: {v:.0f}" for k, v in sorted(bic.items())),
        "hmm_accuracy": percent((found == truth).mean()),
        "hmm_true_share_falling": percent((regime == 0).mean()),
        "hmm_state_probs_cutoff": fmt(hmm.state_probs_["state_0"]),
        "hmm_future_state0_24": fmt(future["state_0"].iloc[-1]),
        "hmm_width80_1": fmt(width.iloc[0], 1),
        "hmm_width80_24": fmt(width.iloc[-1], 1),
    }
    for k in range(2):  # the planted regimes
        numbers[f"hmm_true_drift_{k}"] = fmt(DRIFT[k], 1)
        numbers[f"hmm_true_sd_{k}"] = fmt(SCALE[k], 1)
        numbers[f"hmm_true_stay_{k}"] = fmt(STAY[k], 2)
        numbers[f"hmm_true_duration_{k}"] = fmt(1 / (1 - STAY[k]), 0)
    for k in range(hmm.n_states_):
        numbers[f"hmm_mean_{k}"] = fmt(means[k], 2)
        numbers[f"hmm_sd_{k}"] = fmt(sd[k], 2)
        numbers[f"hmm_stay_{k}"] = fmt(stay[k])
        numbers[f"hmm_duration_{k}"] = fmt(1 / (1 - stay[k]), 0)
    return numbers
