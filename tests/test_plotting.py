"""Plot helpers run headless (Agg), label their axes with times and names, save."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from sktime.datasets import load_airline

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster
from sktime_attention.plotting import (
    plot_attention,
    plot_attention_overlay,
    plot_feature_attention,
)

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

FAST = dict(hidden_size=4, max_epochs=1, batch_size=16, random_state=0)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def lstm():
    return AttentionLSTMForecaster(window_length=12, **FAST).fit(
        load_airline(), fh=[1, 2, 3]
    )


@pytest.fixture(scope="module")
def dual(longley):
    y, X = longley
    return DualStageAttentionForecaster(window_length=4, **FAST).fit(
        y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2]
    )


def _texts(labels):
    return [label.get_text() for label in labels]


def _saves(fig, tmp_path):
    path = tmp_path / "figure.png"
    fig.savefig(path, dpi=50)
    assert path.stat().st_size > 1000


def test_plot_attention_labels_encoder_times(lstm, tmp_path):
    fig, ax = plot_attention(lstm)
    assert ax.get_ylabel() == "forecast step"
    assert ax.get_xlabel() == "encoder time"
    labels = _texts(ax.get_xticklabels())
    assert labels[-1] == "1960-12" and labels[0] == "1960-01"  # lag 0 = cutoff
    _saves(fig, tmp_path)


def test_plot_attention_of_an_aggregated_table_labels_lags(lstm):
    table = lstm.get_attention(aggregate="mean")["temporal"]
    fig, ax = plot_attention(table, title="mean over windows")
    assert ax.get_xlabel() == "encoder lag (0 = cutoff)"
    assert _texts(ax.get_xticklabels())[-1] == "0"
    assert ax.get_title() == "mean over windows"


def test_plot_feature_attention_bars_name_the_features(dual, tmp_path):
    fig, ax = plot_feature_attention(dual)
    assert _texts(ax.get_xticklabels()) == ["GNP", "ARMED", "POP"]
    assert ax.get_xlabel() == "feature"
    assert ax.get_ylabel() == "mean attention weight"
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, dual.feature_importance_, rtol=1e-6)
    _saves(fig, tmp_path)
    # a Series (feature_importance_) draws the same bars
    _, ax = plot_feature_attention(dual.feature_importance_)
    np.testing.assert_allclose([p.get_height() for p in ax.patches], heights, rtol=1e-6)


def test_plot_feature_attention_heatmap_has_times_and_features(dual, tmp_path):
    fig, ax = plot_feature_attention(dual, kind="heatmap")
    assert ax.get_ylabel() == "feature"
    assert ax.get_xlabel() == "encoder time"
    assert _texts(ax.get_yticklabels()) == ["GNP", "ARMED", "POP"]
    assert _texts(ax.get_xticklabels()) == ["1957", "1958", "1959", "1960"]
    _saves(fig, tmp_path)


def test_plot_feature_attention_rejects_what_it_cannot_draw(dual, lstm):
    with pytest.raises(ValueError, match=r"`kind` must be one of"):
        plot_feature_attention(dual, kind="pie")
    with pytest.raises(ValueError, match=r"has no feature attention"):
        plot_feature_attention(lstm)
    with pytest.raises(ValueError, match=r"one window of one series"):
        plot_feature_attention(dual.get_attention()["feature"])
    with pytest.raises(ValueError, match=r"needs a table"):
        plot_feature_attention(dual.feature_importance_, kind="heatmap")


def test_plot_attention_overlay_draws_series_forecast_and_attention(lstm, tmp_path):
    fig, ax = plot_attention_overlay(lstm, step=2)
    twin = fig.axes[-1]
    assert ax.get_xlabel() == "time"
    assert ax.get_ylabel() == "Number of airline passengers"
    assert twin.get_ylabel() == "attention weight (step 2)"
    heights = [patch.get_height() for patch in twin.patches]
    np.testing.assert_allclose(heights, lstm.attention_weights_.loc[2], rtol=1e-6)
    labels = " ".join(_texts(ax.get_xticklabels()))
    assert "1960" in labels  # date ticks, not positions
    _saves(fig, tmp_path)


def test_plot_attention_overlay_with_x_and_a_given_series(dual, longley, tmp_path):
    y, X = longley
    fig, ax = plot_attention_overlay(dual, y=y.iloc[:-2], X=X.iloc[-2:], step=1)
    assert ax.get_ylabel() == "GNP"
    assert "1958" in " ".join(_texts(ax.get_xticklabels()))
    _saves(fig, tmp_path)


def test_plot_attention_overlay_refuses_panels(multivariate_frame):
    frames = {k: multivariate_frame[["a"]] for k in "pq"}
    panel = pd.concat(frames, names=["series", "time"])
    forecaster = AttentionLSTMForecaster(window_length=4, **FAST).fit(panel, fh=[1])
    with pytest.raises(NotImplementedError, match=r"draws one series"):
        plot_attention_overlay(forecaster)
