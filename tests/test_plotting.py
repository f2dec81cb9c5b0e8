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
    with pytest.raises(ValueError, match=r"holds no fitted forecaster with feature"):
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


def test_plot_attention_overlay_needs_a_series_key_on_panels(multivariate_frame):
    frames = {k: multivariate_frame[["a"]] for k in "pq"}
    panel = pd.concat(frames, names=["series", "time"])
    forecaster = AttentionLSTMForecaster(window_length=4, **FAST).fit(panel, fh=[1])
    with pytest.raises(ValueError, match=r"panel of 2 series: choose one with series="):
        plot_attention_overlay(forecaster)
    with pytest.raises(ValueError, match=r"`series` must be one of \['p', 'q'\]"):
        plot_attention_overlay(forecaster, series="r")


# -- composites and panels --------------------------------------------------------
# Each plot on a log pipeline, a hybrid and a panel: the plot must draw the
# attention member's own numbers, and the overlay the user's data and forecast.


def _image(ax):
    return np.asarray(ax.images[0].get_array())


def _bar_heights(ax):
    return np.array([patch.get_height() for patch in ax.patches])


@pytest.fixture(scope="module")
def log_pipeline(airline):
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.transformations.series.boxcox import LogTransformer

    model = AttentionLSTMForecaster(window_length=12, **FAST)
    pipeline = TransformedTargetForecaster([LogTransformer(), model])
    return pipeline.fit(airline, fh=[1, 2, 3])


@pytest.fixture(scope="module")
def hybrid(airline):
    from sktime.forecasting.naive import NaiveForecaster

    from sktime_attention import HybridForecaster

    members = [
        ("attention", AttentionLSTMForecaster(window_length=12, **FAST)),
        ("naive", NaiveForecaster(sp=12)),
    ]
    return HybridForecaster(members, weights="equal").fit(airline, fh=[1, 2, 3])


@pytest.fixture(scope="module")
def panel():
    from sktime_attention.synthetic import make_panel

    return make_panel(n_series=3, n=40)


@pytest.fixture(scope="module")
def panel_lstm(panel):
    return AttentionLSTMForecaster(window_length=6, **FAST).fit(panel, fh=[1, 2])


@pytest.fixture(scope="module")
def panel_dual(panel):
    X = panel.groupby(level=0).shift(1).bfill().rename(columns={"y": "lagged"})
    model = DualStageAttentionForecaster(window_length=6, **FAST)
    return model.fit(panel, X=X, fh=[1])


def test_plot_attention_finds_the_member_of_a_log_pipeline(log_pipeline):
    member = log_pipeline.steps_[-1][1]
    _, ax = plot_attention(log_pipeline)
    np.testing.assert_allclose(_image(ax), member.attention_weights_.to_numpy())
    assert ax.get_title() == "Temporal attention (member AttentionLSTMForecaster)"
    assert _texts(ax.get_xticklabels())[-1] == "1960-12"


def test_plot_attention_finds_the_member_of_a_hybrid(hybrid):
    _, ax = plot_attention(hybrid)
    expected = hybrid.get_member("attention").attention_weights_.to_numpy()
    np.testing.assert_allclose(_image(ax), expected)
    assert "member attention" in ax.get_title()


def test_plot_attention_asks_which_member_when_there_are_several(airline):
    from sktime_attention import HybridForecaster

    members = [
        ("short", AttentionLSTMForecaster(window_length=6, **FAST)),
        ("long", AttentionLSTMForecaster(window_length=12, **FAST)),
    ]
    hybrid = HybridForecaster(members, weights="equal").fit(airline, fh=[1, 2])
    with pytest.raises(ValueError, match=r"several attention forecasters: \['short'"):
        plot_attention(hybrid)
    _, ax = plot_attention(hybrid, member="long")
    expected = hybrid.get_member("long").attention_weights_.to_numpy()
    np.testing.assert_allclose(_image(ax), expected)
    assert _image(ax).shape == (2, 12)
    with pytest.raises(ValueError, match=r"`member` must name one of \['short', 'lo"):
        plot_attention(hybrid, member="medium")


def test_plot_attention_finds_the_best_forecaster_of_a_grid_search(airline):
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter

    cv = ExpandingWindowSplitter(initial_window=120, step_length=12, fh=[1])
    search = ForecastingGridSearchCV(
        AttentionLSTMForecaster(window_length=6, **FAST),
        cv=cv,
        param_grid={"window_length": [6, 12]},
        backend=None,  # serial: no worker processes to start
    ).fit(airline, fh=[1])
    _, ax = plot_attention(search)
    best = search.best_forecaster_.attention_weights_.to_numpy()
    np.testing.assert_allclose(_image(ax), best)
    assert "member best_forecaster" in ax.get_title()


def test_plot_attention_of_a_panel_takes_a_series_key(panel_lstm, panel):
    _, ax = plot_attention(panel_lstm, series="s1")
    expected = panel_lstm.attention_weights_.xs("s1", level=0).to_numpy()
    np.testing.assert_allclose(_image(ax), expected)
    last = panel.xs("s1", level=0).index[-1]
    assert _texts(ax.get_xticklabels())[-1] == str(last)
    assert ax.get_title() == "Temporal attention (series s1)"
    # the table itself, too
    _, ax = plot_attention(panel_lstm.attention_weights_, series="s2")
    np.testing.assert_allclose(
        _image(ax), panel_lstm.attention_weights_.xs("s2", level=0).to_numpy()
    )
    with pytest.raises(ValueError, match=r"choose one with series=, one of \['s0'"):
        plot_attention(panel_lstm)
    with pytest.raises(ValueError, match=r"`series` must be one of"):
        plot_attention(panel_lstm, series="s9")


def test_plot_feature_attention_on_a_pipeline_and_a_hybrid(longley):
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.transformations.series.boxcox import LogTransformer

    from sktime_attention import HybridForecaster

    y, X = longley
    model = DualStageAttentionForecaster(window_length=4, **FAST)
    pipeline = TransformedTargetForecaster([LogTransformer(), model])
    pipeline.fit(y, X=X, fh=[1])
    _, ax = plot_feature_attention(pipeline)
    member = pipeline.steps_[-1][1]
    np.testing.assert_allclose(_bar_heights(ax), member.feature_importance_, rtol=1e-6)
    assert "member DualStageAttentionForecaster" in ax.get_title()

    members = [("dual", model.clone()), ("naive", NaiveForecaster())]
    hybrid = HybridForecaster(members, weights="equal").fit(y, X=X, fh=[1])
    _, ax = plot_feature_attention(hybrid, kind="heatmap")
    member = hybrid.get_member("dual")
    np.testing.assert_allclose(_image(ax), member.feature_attention_.to_numpy().T)


def test_plot_feature_attention_of_a_panel_takes_a_series_key(panel_dual):
    _, ax = plot_feature_attention(panel_dual, series="s2")
    table = panel_dual.feature_attention_.xs("s2", level=0)
    np.testing.assert_allclose(_bar_heights(ax), table.mean(), rtol=1e-6)
    assert _texts(ax.get_xticklabels()) == ["y", "lagged"]
    with pytest.raises(ValueError, match=r"panel of 3 series"):
        plot_feature_attention(panel_dual)


def test_plot_attention_overlay_of_a_log_pipeline_draws_the_users_scale(
    log_pipeline, airline
):
    _, ax = plot_attention_overlay(log_pipeline, step=2, context=24)
    series, forecast = ax.get_lines()[:2]
    np.testing.assert_allclose(series.get_ydata(), airline.iloc[-24:].to_numpy())
    expected = log_pipeline.predict(fh=[1, 2, 3]).to_numpy()
    np.testing.assert_allclose(forecast.get_ydata(), expected)
    assert forecast.get_ydata().min() > 100  # passengers, not their logs
    member = log_pipeline.steps_[-1][1]
    heights = _bar_heights(ax.figure.axes[-1])
    np.testing.assert_allclose(heights, member.attention_weights_.loc[2], rtol=1e-6)


def test_plot_attention_overlay_of_a_hybrid_draws_the_blend(hybrid, airline):
    _, ax = plot_attention_overlay(hybrid, step=3)
    series, forecast = ax.get_lines()[:2]
    np.testing.assert_allclose(series.get_ydata(), airline.iloc[-24:].to_numpy())
    np.testing.assert_allclose(forecast.get_ydata(), hybrid.predict().to_numpy())
    member = hybrid.get_member("attention")
    heights = _bar_heights(ax.figure.axes[-1])
    np.testing.assert_allclose(heights, member.attention_weights_.loc[3], rtol=1e-6)


def test_plot_attention_overlay_of_a_panel_draws_one_series(panel_lstm, panel):
    _, ax = plot_attention_overlay(panel_lstm, series="s1", step=2)
    series, forecast = ax.get_lines()[:2]
    np.testing.assert_allclose(
        series.get_ydata(), panel.xs("s1", level=0)["y"].iloc[-12:].to_numpy()
    )
    expected = panel_lstm.predict(fh=[1, 2]).xs("s1", level=0)["y"].to_numpy()
    np.testing.assert_allclose(forecast.get_ydata(), expected)
    weights = panel_lstm.predict_attention(fh=[2]).xs("s1", level=0).iloc[0]
    heights = _bar_heights(ax.figure.axes[-1])
    np.testing.assert_allclose(heights, weights, rtol=1e-6)
    assert "series s1" in ax.get_title()


def test_plots_of_a_hybrid_on_a_panel_take_the_series_key(panel):
    from sktime.forecasting.naive import NaiveForecaster

    from sktime_attention import HybridForecaster

    members = [
        ("attention", AttentionLSTMForecaster(window_length=6, **FAST)),
        ("naive", NaiveForecaster()),
    ]
    hybrid = HybridForecaster(members, weights="equal").fit(panel, fh=[1, 2])
    _, ax = plot_attention(hybrid, series="s0")
    fitted = hybrid.forecasters_
    if isinstance(fitted, pd.DataFrame):  # sktime fitted one hybrid per series
        member = fitted.loc["s0"].iloc[0].get_member("attention")
        expected = member.attention_weights_
    else:  # a hybrid that fits the panel itself: one global attention member
        expected = hybrid.get_member("attention").attention_weights_.xs("s0", level=0)
    np.testing.assert_allclose(_image(ax), expected.to_numpy())
    _, ax = plot_attention_overlay(hybrid, series="s0")
    series, forecast = ax.get_lines()[:2]
    np.testing.assert_allclose(
        series.get_ydata(), panel.xs("s0", level=0)["y"].iloc[-12:].to_numpy()
    )
    blend = hybrid.predict().xs("s0", level=0)["y"].to_numpy()
    np.testing.assert_allclose(forecast.get_ydata(), blend)
    with pytest.raises(ValueError, match=r"series="):  # which series?
        plot_attention(hybrid)
