"""Global mode: one network over a panel, pretrain -> fit(series) -> predict."""

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.model_selection import KFold
from sktime.forecasting.model_evaluation import evaluate
from sktime.split import ExpandingWindowSplitter

from sktime_attention import AttentionLSTMForecaster, synthetic

FAST = dict(window_length=8, hidden_size=8, max_epochs=3, batch_size=32)


def make_panel(n_series=4, n=60, seed=0):
    """Seasonal series of different levels and phases, pd-multiindex (series, time)."""
    return synthetic.make_panel(n_series, n, seed, phase_step=1.0)


def make(**kwargs):
    return AttentionLSTMForecaster(**{**FAST, "random_state": 0, **kwargs})


def test_panel_forecasts_come_back_per_series():
    panel = make_panel()
    forecaster = make().fit(panel, fh=[1, 2, 3])
    y_pred = forecaster.predict()
    assert y_pred.index.names == ["series", "time"]
    assert y_pred.index.get_level_values(0).unique().tolist() == [
        "s0",
        "s1",
        "s2",
        "s3",
    ]
    expected = pd.period_range("2005-01", periods=3, freq="M")
    for key in ["s0", "s3"]:
        assert y_pred.loc[key].index.equals(expected)
    # per-series scaling: each forecast sits near its own series' level
    levels = panel.groupby(level=0).mean()["y"]
    means = y_pred.groupby(level=0).mean()["y"]
    assert means.sort_values().index.tolist() == levels.sort_values().index.tolist()
    att = forecaster.attention_weights_
    assert att.shape == (4 * 3, 8)
    assert att.index.names == ["series", "step"]  # the panel's own level name
    assert forecaster.predict_attention().index.names == ["series", "step"]
    np.testing.assert_allclose(att.sum(axis=1), 1.0, rtol=1e-5)


def test_one_network_is_shared_by_all_series():
    panel = make_panel()
    forecaster = make().fit(panel, fh=[1])
    assert isinstance(forecaster.network_, torch.nn.Module)
    assert not forecaster._is_vectorized  # sktime did not loop over the series


def test_unequal_length_panel_forecasts_from_the_common_cutoff():
    panel = make_panel()
    shorter = panel.drop(panel.loc["s1"].index[-2:].map(lambda t: ("s1", t)))
    forecaster = make().fit(shorter, fh=[1, 2])
    y_pred = forecaster.predict()
    expected = pd.period_range("2005-01", periods=2, freq="M")
    assert y_pred.loc["s1"].index.equals(expected)
    assert np.isfinite(y_pred.to_numpy()).all()


def test_pretrained_model_forecasts_an_unseen_series():
    panel = make_panel(n_series=5)
    seen = panel.drop("s4", level=0)
    unseen = panel.loc["s4"]
    forecaster = make().pretrain(seen, fh=[1, 2, 3])
    assert forecaster.state == "pretrained"
    weights = forecaster.network_.state_dict()["decoder.out.weight"].clone()
    forecaster.fit(unseen["y"], fh=[1, 2, 3])
    y_pred = forecaster.predict()
    assert y_pred.index.equals(pd.period_range("2005-01", periods=3, freq="M"))
    # the unseen series' level is far from the pretraining mean: per-series
    # scaling puts the forecast at its own level
    assert abs(y_pred.mean() - unseen["y"].mean()) < 5
    # fit only set the context: the network is the pretrained one
    torch.testing.assert_close(
        forecaster.network_.state_dict()["decoder.out.weight"], weights
    )
    assert set(forecaster.get_pretrained_params()) >= {"network_", "pretrain_config_"}


def test_fine_tuning_after_pretrain_changes_the_network():
    panel = make_panel()
    forecaster = make(fine_tune_epochs=2).pretrain(panel.drop("s3", level=0), fh=[1])
    weights = forecaster.network_.state_dict()["decoder.out.weight"].clone()
    forecaster.fit(panel.loc["s3"]["y"], fh=[1])
    assert not torch.equal(
        forecaster.network_.state_dict()["decoder.out.weight"], weights
    )


def test_pretrained_layout_must_match():
    panel = make_panel()
    forecaster = make().pretrain(panel, fh=[1])
    two_columns = pd.DataFrame(
        {"a": np.arange(40.0), "b": np.arange(40.0)},
        index=pd.period_range("2000-01", periods=40, freq="M"),
    )
    with pytest.raises(
        ValueError, match="pretrained network expects 1 `y` columns, got 2"
    ):
        forecaster.fit(two_columns, fh=[1])


def test_global_results_are_reproducible():
    panel = make_panel()
    a = (
        make()
        .pretrain(panel.drop("s0", level=0), fh=[1, 2])
        .fit(panel.loc["s0"], fh=[1, 2])
    )
    b = (
        make()
        .pretrain(panel.drop("s0", level=0), fh=[1, 2])
        .fit(panel.loc["s0"], fh=[1, 2])
    )
    pd.testing.assert_frame_equal(a.predict(), b.predict())
    c = make().fit(panel, fh=[1, 2])
    d = make().fit(panel, fh=[1, 2])
    pd.testing.assert_frame_equal(c.predict(), d.predict())


def test_evaluate_with_cv_global_backtests_the_pretrained_model():
    panel = make_panel(n_series=4)
    cv = ExpandingWindowSplitter(initial_window=40, step_length=10, fh=[1, 2, 3])
    results = evaluate(
        make(max_epochs=2),
        cv=cv,
        y=panel,
        cv_global=KFold(n_splits=2),
        error_score="raise",
    )
    assert len(results) >= 2
    assert np.isfinite(results.iloc[:, 0]).all()
