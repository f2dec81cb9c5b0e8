"""DualStageAttentionForecaster: conformance, attention tables, update, round trips."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from sktime.datasets import load_airline

from sktime_attention import DualStageAttentionForecaster
from sktime_attention.networks import InputAttentionEncoder
from sktime_attention.synthetic import (
    PLANTED_TRAINING,
    lag_hit_rate,
    make_planted_driver,
    make_planted_lag,
)

FAST = dict(window_length=6, hidden_size=8, max_epochs=2, batch_size=16)


def make(**kwargs):
    return DualStageAttentionForecaster(**{**FAST, "random_state": 0, **kwargs})


@pytest.fixture(scope="module")
def with_x(longley):
    y, X = longley
    return make(window_length=4, horizon=2).fit(y.iloc[:-2], X=X.iloc[:-2])


def _check_feature_table(table, window, columns):
    assert list(table.index) == list(range(-window + 1, 1))
    assert table.index.name == "lag"
    assert list(table.columns) == columns
    assert table.columns.name == "feature"
    np.testing.assert_allclose(table.sum(axis=1), 1.0, rtol=1e-5)
    assert (table.to_numpy() >= 0).all()


def test_univariate_tables():
    y = load_airline()
    forecaster = make().fit(y, fh=[1, 2, 3])
    # one feature: its weight is 1 at every step, by construction
    _check_feature_table(forecaster.feature_attention_, 6, [y.name])
    np.testing.assert_allclose(forecaster.feature_attention_, 1.0, rtol=1e-6)
    assert forecaster.attention_weights_.shape == (3, 6)
    np.testing.assert_allclose(forecaster.attention_weights_.sum(axis=1), 1, 1e-5)
    params = forecaster.get_fitted_params()
    assert {"feature_attention", "feature_importance", "attention_weights"} <= set(
        params
    )


def test_multivariate_y_tables(multivariate_frame):
    forecaster = make().fit(multivariate_frame, fh=[1, 2])
    _check_feature_table(forecaster.feature_attention_, 6, ["a", "b"])
    importance = forecaster.feature_importance_
    assert list(importance.index) == ["a", "b"]
    assert importance.sum() == pytest.approx(1.0, rel=1e-6)
    assert list(forecaster.attention_weights_.index) == [1, 2]
    assert list(forecaster.predict().columns) == ["a", "b"]


def test_y_with_x_has_feature_attention_without_future_x(with_x, longley):
    y, X = longley
    # encoder features: the target column first, then the columns of X
    _check_feature_table(with_x.feature_attention_, 4, ["GNP", "ARMED", "POP"])
    assert with_x.feature_importance_.sum() == pytest.approx(1.0, rel=1e-6)
    assert with_x.attention_weights_ is None  # the decoder needs future X
    table = with_x.predict_attention([1, 2], X=X.iloc[-2:])
    np.testing.assert_allclose(table.sum(axis=1), 1.0, rtol=1e-5)
    y_pred = with_x.predict(fh=[1, 2], X=X.iloc[-2:])
    assert y_pred.index.equals(y.index[-2:])


def test_feature_attention_is_the_encoders_for_the_cutoff_window(with_x, longley):
    """The stored table equals a direct encoder pass on the last scaled window."""
    y, X = longley
    data = pd.concat([y.iloc[:-2], X.iloc[:-2]], axis=1).to_numpy(dtype=float)
    scaled = (data[-4:] - data.mean(axis=0)) / data.std(axis=0)  # fit's statistics
    scaled[:, 0] -= scaled[-1, 0]  # scaling="window": target relative to its last
    past = torch.tensor(scaled, dtype=torch.float32)[None]
    with torch.no_grad():
        _, _, weights = with_x.network_.encoder(past)
    np.testing.assert_allclose(
        with_x.feature_attention_.to_numpy(), weights[0].numpy(), rtol=1e-5
    )


def test_update_recomputes_feature_attention():
    y = load_airline()
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((len(y), 2))
    X = pd.DataFrame(noise, index=y.index, columns=["u", "v"])
    forecaster = make().fit(y.iloc[:-12], X=X.iloc[:-12], fh=[1, 2])
    before = forecaster.feature_attention_.copy()
    forecaster.update(y.iloc[-12:], X=X.iloc[-12:])
    assert forecaster.cutoff[0] == y.index[-1]
    assert not before.equals(forecaster.feature_attention_)
    _check_feature_table(forecaster.feature_attention_, 6, [y.name, "u", "v"])
    pd.testing.assert_series_equal(
        forecaster.feature_importance_, forecaster.feature_attention_.mean()
    )


def test_reproducible_and_round_trips(with_x, longley):
    y, X = longley
    again = make(window_length=4, horizon=2).fit(y.iloc[:-2], X=X.iloc[:-2])
    pd.testing.assert_frame_equal(again.feature_attention_, with_x.feature_attention_)
    expected = with_x.predict(fh=[1, 2], X=X.iloc[-2:])
    loaded = pickle.loads(pickle.dumps(with_x))
    pd.testing.assert_series_equal(loaded.predict(fh=[1, 2], X=X.iloc[-2:]), expected)
    pd.testing.assert_frame_equal(loaded.feature_attention_, with_x.feature_attention_)


def test_panel_tables_carry_series_keys(multivariate_frame):
    frames = {k: multivariate_frame[["a"]].rename(columns={"a": "y"}) for k in "pq"}
    frames["q"] = frames["q"] * 2 + 1
    panel = pd.concat(frames, names=["series", "time"])
    forecaster = make().fit(panel, fh=[1, 2])
    table = forecaster.feature_attention_
    assert table.index.names == ["series", "lag"]
    assert list(table.index.get_level_values("series").unique()) == ["p", "q"]
    np.testing.assert_allclose(table.sum(axis=1), 1.0, rtol=1e-5)
    assert list(forecaster.feature_importance_.index) == ["p", "q"]


# -- the network's input attention (DA-RNN stage one) -----------------------------
def test_input_attention_weights_sum_to_one_over_features():
    torch.manual_seed(0)
    encoder = InputAttentionEncoder(n_features=3, window_length=5, hidden_size=4)
    outputs, (h, c), weights = encoder(torch.randn(2, 5, 3))
    assert outputs.shape == (2, 5, 4) and h.shape == (1, 2, 4)
    assert weights.shape == (2, 5, 3)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 5))


def test_a_large_feature_key_offset_wins_the_attention():
    """Known answer: a feature whose key scores far higher takes all the weight."""
    torch.manual_seed(0)
    encoder = InputAttentionEncoder(n_features=3, window_length=5, hidden_size=4)
    with torch.no_grad():
        encoder.v.weight.fill_(1.0)
        encoder.feature_key[1] = 50.0  # tanh saturates: score of feature 1 = +5
        encoder.feature_key[[0, 2]] = -50.0  # the others score -5
    _, _, weights = encoder(torch.randn(2, 5, 3))
    assert (weights[..., 1] > 0.99).all()


def test_without_key_offsets_the_score_is_permutation_equivariant():
    """The paper's score sees content only: permuting features permutes weights."""
    torch.manual_seed(0)
    encoder = InputAttentionEncoder(n_features=3, window_length=5, hidden_size=4)
    with torch.no_grad():
        encoder.cell.weight_ih.fill_(0.1)  # the cell treats features alike too
    past = torch.randn(2, 5, 3)
    order = [2, 0, 1]
    _, _, weights = encoder(past)
    _, _, permuted = encoder(past[..., order])
    torch.testing.assert_close(permuted, weights[..., order])


# -- faithfulness on planted truth --------------------------------------------------
# trained as in benchmarks/faithfulness.py (PLANTED_TRAINING), where rates were measured


def _feature_trial(seed, epochs, n=400):
    """Fit on a planted driver ``x{seed % 4}`` (4 inputs, window 8, horizon 1).

    Return whether the driver has the highest mean feature attention among the
    inputs (over every training window), and its mean weight.
    """
    driver = f"x{seed % 4}"
    y, X = make_planted_driver(n, inputs=4, seed=seed, driver=driver)
    forecaster = DualStageAttentionForecaster(
        window_length=8,
        horizon=1,
        max_epochs=epochs,
        random_state=seed,
        **PLANTED_TRAINING,
    ).fit(y, X=X)
    mean = forecaster.get_attention(aggregate="mean")["feature"].mean()
    return mean[X.columns].idxmax() == driver, float(mean[driver])


def _temporal_step_hit_rate(seed, epochs, lag=6):
    """Share of forecast steps whose mean attention peaks at lag h - ``lag``."""
    forecaster = DualStageAttentionForecaster(
        window_length=12,
        horizon=3,
        max_epochs=epochs,
        random_state=seed,
        **PLANTED_TRAINING,
    ).fit(make_planted_lag(500, lag=lag, seed=seed))
    return lag_hit_rate(forecaster.get_attention(aggregate="mean")["temporal"], lag)


def test_feature_attention_finds_the_driving_input():
    """Target driven by one of 4 iid inputs (y[t] = x_d[t-1] + 0.1 e, d = seed % 4).

    Over seeds 0..2 (15 epochs, 300 points, horizon 1) the driver must get the
    highest mean feature attention among the inputs (the target's own column
    excluded, see benchmarks/faithfulness.py) in at least 2 of 3 seeds. Measured:
    3 of 3 here, 20 of 20 seeds in the benchmark (30 epochs, 400 points); chance
    is 1 in 4. The threshold leaves room for one unlucky seed on other hardware.
    """
    hits = [_feature_trial(seed, epochs=15, n=300)[0] for seed in range(3)]
    assert sum(hits) >= 2, hits


@pytest.mark.slow
def test_feature_attention_finds_the_driving_input_over_ten_seeds():
    """Rate over seeds 0..9 (30 epochs): at least 8 of 10 hits among the inputs,
    and the driver's mean weight above the uniform 1 / 5 on average. Measured:
    20 of 20 seeds, mean weight 0.43, in the benchmark."""
    trials = [_feature_trial(seed, epochs=30) for seed in range(10)]
    assert sum(hit for hit, _ in trials) >= 8
    assert np.mean([weight for _, weight in trials]) > 0.2


@pytest.mark.slow
def test_temporal_attention_peaks_at_the_planted_lag():
    """make_planted_lag with lag 6 (500 points), window 12, horizon 3 (60 epochs),
    seeds 0..4: the attention averaged over all windows peaks at lag h - 6 for at
    least 60% of the (seed, step) pairs. Measured: 0.87 on seeds 0..4 (1, 1, 1, 1,
    0.33), 0.95 over 20 seeds in the benchmark (chance 1 in 12); the cutoff window
    alone reached 0.82."""
    rates = [_temporal_step_hit_rate(seed, epochs=60) for seed in range(5)]
    assert np.mean(rates) >= 0.6, rates
