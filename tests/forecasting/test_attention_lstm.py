"""Behaviour of AttentionLSTMForecaster: values, round trips, errors, look-ahead."""

import pickle

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sktime.base import load
from sktime.datasets import load_longley

from sktime_attention import AttentionLSTMForecaster
from sktime_attention.synthetic import PLANTED_TRAINING, lag_hit_rate, make_planted_lag

FAST = dict(window_length=6, hidden_size=8, max_epochs=3, batch_size=16)


def make(**kwargs):
    return AttentionLSTMForecaster(**{**FAST, "random_state": 0, **kwargs})


@pytest.fixture(scope="module")
def fitted(airline):
    return make().fit(airline, fh=[1, 2, 3])


def test_forecast_index_and_attention_table(fitted):
    y_pred = fitted.predict()
    assert isinstance(y_pred, pd.Series)
    assert y_pred.index.equals(pd.period_range("1961-01", periods=3, freq="M"))
    assert np.isfinite(y_pred).all()
    att = fitted.attention_weights_
    assert list(att.index) == [1, 2, 3]
    assert list(att.columns) == list(range(-5, 1))
    np.testing.assert_allclose(att.sum(axis=1), 1.0, rtol=1e-5)
    assert "attention_weights" in fitted.get_fitted_params()
    assert list(fitted.training_history_.columns) == ["train_loss"]


def test_predict_attention_is_pure_and_matches_the_fitted_table(fitted):
    before = pickle.dumps(fitted.__dict__)
    table = fitted.predict_attention([1, 2, 3])
    pd.testing.assert_frame_equal(table, fitted.attention_weights_)
    assert fitted.predict_attention([2]).index.tolist() == [2]
    assert pickle.dumps(fitted.__dict__) == before


def test_any_horizon_and_absolute_fh(fitted):
    relative = fitted.predict(fh=range(1, 30))
    assert len(relative) == 29  # beyond the training horizon of 3
    absolute = fitted.predict(fh=pd.PeriodIndex(["1961-02", "1961-05"], freq="M"))
    np.testing.assert_allclose(absolute.to_numpy(), relative.iloc[[1, 4]].to_numpy())


def test_direct_forecast_rolls_past_the_trained_horizon(fitted):
    """Steps 4-6 of a 3-step direct network: the window rolled over steps 1-3."""
    six = fitted.predict(fh=range(1, 7))
    rolled = fitted.get_history().iloc[:, 0]
    rolled = pd.concat([rolled, six.iloc[:3]])
    clone = make().fit(rolled.iloc[:-3], fh=[1, 2, 3])  # same seed, same network
    clone.update(rolled.iloc[-3:], update_params=False)
    np.testing.assert_allclose(six.iloc[3:].to_numpy(), clone.predict().to_numpy())


def test_n_networks_averages_forecasts_and_attention(airline):
    """The average of 2 networks: their mean forecast, their mean attention."""
    pair = make(n_networks=2).fit(airline, fh=[1, 2, 3])
    assert pair.training_history_.index.names == ["network", "epoch"]
    members = []
    for network in pair.network_.networks:
        single = make().fit(airline, fh=[1, 2, 3])
        single.network_ = network
        single._set_cutoff_attention()
        members.append(single)
    mean = sum(m.predict() for m in members) / 2
    pd.testing.assert_series_equal(pair.predict(), mean, rtol=1e-5)
    tables = [m.attention_weights_ for m in members]
    pd.testing.assert_frame_equal(pair.attention_weights_, (tables[0] + tables[1]) / 2)
    # the first network is the one a single fit with the same seed trains
    first = make().fit(airline, fh=[1, 2, 3])
    torch.testing.assert_close(
        first.network_.decoder.out.weight, pair.network_.networks[0].decoder.out.weight
    )


@pytest.mark.parametrize("backend", ["loky", "threading"])
def test_n_networks_train_at_once_under_backend_parallel(airline, backend):
    """Networks train in workers under ``backend:parallel``; the result is the
    serial one, network by network."""
    serial = make(n_networks=2).fit(airline, fh=[1, 2, 3])
    parallel = make(n_networks=2).set_config(
        **{"backend:parallel": backend, "backend:parallel:params": {"n_jobs": 2}}
    )
    parallel.fit(airline, fh=[1, 2, 3])
    pd.testing.assert_series_equal(parallel.predict(), serial.predict())
    for a, b in zip(serial.network_.networks, parallel.network_.networks):
        for x, y in zip(a.state_dict().values(), b.state_dict().values()):
            assert torch.equal(x, y)
    pd.testing.assert_frame_equal(parallel.training_history_, serial.training_history_)


def test_same_random_state_gives_identical_forecasts(airline):
    a = make().fit(airline, fh=[1, 2, 3])
    b = make().fit(airline, fh=[1, 2, 3])
    pd.testing.assert_series_equal(a.predict(), b.predict())
    pd.testing.assert_frame_equal(a.attention_weights_, b.attention_weights_)
    c = make(random_state=1).fit(airline, fh=[1, 2, 3])
    assert not np.allclose(a.predict(), c.predict())


def test_round_trips_keep_the_forecast(fitted, tmp_path):
    expected = fitted.predict()
    pd.testing.assert_series_equal(
        pickle.loads(pickle.dumps(fitted)).predict(), expected
    )
    pd.testing.assert_series_equal(load(fitted.save()).predict(), expected)
    fitted.save(tmp_path / "model")
    pd.testing.assert_series_equal(load(tmp_path / "model.zip").predict(), expected)


def test_update_moves_the_cutoff_and_the_attention(airline):
    forecaster = make().fit(airline[:-12], fh=[1, 2, 3])
    weights = forecaster.network_.state_dict()["decoder.out.weight"].clone()
    before = forecaster.attention_weights_
    forecaster.update(airline[-12:])
    assert forecaster.cutoff[0] == airline.index[-1]
    assert forecaster.predict().index[0] == pd.Period("1961-01", freq="M")
    assert not before.equals(forecaster.attention_weights_)
    # no refit unless asked
    torch.testing.assert_close(
        forecaster.network_.state_dict()["decoder.out.weight"], weights
    )
    refit = make(refit_on_update=True).fit(airline[:-12], fh=[1, 2, 3])
    refit.update(airline[-12:])
    assert not torch.equal(refit.network_.state_dict()["decoder.out.weight"], weights)


def test_update_forecasts_from_the_new_window(airline):
    """After update, the forecast is the network's on the last window of all data,
    scaled with the statistics of the data seen in fit (known answer by hand)."""
    train = airline[:-12].to_numpy(dtype=float)
    updated = make().fit(airline[:-12], fh=[1, 2, 3])
    updated.update(airline[-12:], update_params=False)
    shift, spread = train.mean(), train.std()
    window = (airline.to_numpy(dtype=float)[-6:] - shift) / spread
    level = window[-1]  # scaling="window": targets relative to the last value
    past = torch.tensor(window - level, dtype=torch.float32)[None, :, None]
    with torch.no_grad():
        pred, _ = updated.network_(past, None, 3)
    expected = (pred[0, :, 0].double().numpy() + level) * spread + shift
    np.testing.assert_allclose(updated.predict(), expected, rtol=1e-5)


def test_multivariate_y_and_exogenous_x():
    data = load_longley()
    y, X = data[1][["GNP", "UNEMP"]], data[1][["ARMED", "POP"]]
    forecaster = make(window_length=3, horizon=2)
    forecaster.fit(y.iloc[:-2], X=X.iloc[:-2])
    y_pred = forecaster.predict(fh=[1, 2], X=X.iloc[-2:])
    assert list(y_pred.columns) == ["GNP", "UNEMP"]
    assert y_pred.index.equals(y.index[-2:])
    assert forecaster.attention_weights_ is None  # needs future X
    table = forecaster.predict_attention([1, 2], X=X.iloc[-2:])
    np.testing.assert_allclose(table.sum(axis=1), 1.0, rtol=1e-5)


def test_seasonal_lags_give_the_decoder_the_season():
    """A repeated random pattern: the lag-12 input makes it easy to forecast.

    Measured (20 epochs, seeds 0 and 1): MAE 0.08-0.10 with ``seasonal_lags=[12]``
    against 0.53-0.56 without, on a pattern of standard deviation about 1.
    """
    rng = np.random.default_rng(0)
    y = pd.Series(np.tile(rng.normal(size=12), 20) + 0.05 * rng.normal(size=240))
    errors = {}
    for lags in (None, [12]):
        forecaster = AttentionLSTMForecaster(
            window_length=12, seasonal_lags=lags, max_epochs=20, random_state=0
        )
        y_pred = forecaster.fit(y.iloc[:228], fh=np.arange(1, 13)).predict()
        errors[lags is None] = np.abs(y_pred.to_numpy() - y.iloc[228:].to_numpy())
    assert errors[False].mean() < 0.25 < errors[True].mean()
    np.testing.assert_allclose(forecaster.attention_weights_.sum(axis=1), 1.0, 1e-5)


def test_seasonal_residual_learns_a_repeated_pattern_faster():
    # a repeated random pattern: the seasonal naive forecast is exact, so the
    # residual network only has to learn to output zero
    rng = np.random.default_rng(0)
    y = pd.Series(np.tile(rng.normal(size=12), 10))
    fh = list(range(1, 19))  # past the season: the lag's values are reused
    truth = y.to_numpy()[-12:][np.arange(18) % 12]
    errors = {}
    for residual in (True, False):
        for seed in (0, 1):
            forecaster = make(
                window_length=24,
                seasonal_lags=[12],
                seasonal_residual=residual,
                max_epochs=10,
                random_state=seed,
            )
            y_pred = forecaster.fit(y, fh=fh).predict().to_numpy()
            errors[residual, seed] = np.abs(y_pred - truth).mean()
    # measured: 0.03 with the residual, 0.16-0.23 without (y's std is 0.9)
    for seed in (0, 1):
        assert (
            errors[True, seed] < 0.08 and errors[False, seed] > 2 * errors[True, seed]
        )


def test_seasonal_residual_needs_the_direct_decoder():
    y = pd.Series(np.arange(40.0))
    bad = make(seasonal_lags=[2], seasonal_residual=True, decoder="recursive")
    with pytest.raises(ValueError, match=r'seasonal_residual=True` needs.*"direct"'):
        bad.fit(y, fh=[1])
    with pytest.raises(TypeError, match=r"`seasonal_residual` must be a bool"):
        make(seasonal_lags=[2], seasonal_residual=1).fit(y, fh=[1])


def test_future_covariates_cannot_leak_backwards():
    """Forecast step h and its attention ignore X after step h (causal decoder)."""
    data = load_longley()
    y, X = data[1]["GNP"], data[1][["ARMED", "POP"]]
    forecaster = make(window_length=3, horizon=3).fit(y.iloc[:-3], X=X.iloc[:-3])
    future = X.iloc[-3:]
    changed = future.copy()
    changed.iloc[2] = changed.iloc[2] * 10
    a = forecaster.predict(fh=[1, 2, 3], X=future)
    b = forecaster.predict(fh=[1, 2, 3], X=changed)
    np.testing.assert_allclose(a.iloc[:2], b.iloc[:2])
    assert not np.isclose(a.iloc[2], b.iloc[2])
    pd.testing.assert_frame_equal(
        forecaster.predict_attention([1, 2], X=future),
        forecaster.predict_attention([1, 2], X=changed),
    )


def test_values_after_the_cutoff_cannot_change_forecast_or_attention(airline):
    changed = airline.copy()
    changed.iloc[-24:] = changed.iloc[-24:] * 3
    a = make().fit(airline[:-24], fh=[1, 2, 3])
    b = make().fit(changed[:-24], fh=[1, 2, 3])
    pd.testing.assert_series_equal(a.predict(), b.predict())
    pd.testing.assert_frame_equal(a.attention_weights_, b.attention_weights_)
    # longer horizons are recursive: the first steps do not depend on the last
    np.testing.assert_allclose(
        a.predict(fh=range(1, 13)).iloc[:3], a.predict(fh=[1, 2, 3])
    )


def test_training_history_and_early_stopping(airline):
    forecaster = make(
        max_epochs=50, patience=2, learning_rate=0.05, validation_fraction=0.1
    )
    forecaster.fit(airline, fh=[1, 2, 3])
    history = forecaster.training_history_
    assert forecaster.n_epochs_ == len(history) < 50
    best = history["val_loss"].idxmin()
    assert forecaster.n_epochs_ - best == 2  # stopped after `patience` stale epochs
    no_val = make(validation_fraction=0.0, max_epochs=2).fit(airline, fh=[1])
    assert list(no_val.training_history_.columns) == ["train_loss"]


def test_lr_reduce_patience_halves_the_learning_rate_on_a_plateau(airline):
    forecaster = make(
        max_epochs=30,
        patience=30,
        learning_rate=0.05,
        validation_fraction=0.1,
        lr_reduce_patience=1,
    )
    history = forecaster.fit(airline, fh=[1, 2, 3]).training_history_
    rates = history["learning_rate"].to_numpy()
    assert rates[0] == 0.05 and rates.min() < 0.05
    # each epoch without a new best validation loss halves the next epoch's rate
    losses = history["val_loss"].to_numpy()
    stalled = losses[1:-1] >= np.minimum.accumulate(losses)[:-2] * (1 - 1e-4)
    expected = np.r_[1.0, np.where(stalled, 0.5, 1.0)]  # the first epoch is a best
    np.testing.assert_allclose(rates[1:] / rates[:-1], expected)


@pytest.mark.parametrize("loss", ["mse", "mae", "huber"])
@pytest.mark.parametrize("scaling", ["standard", "window", "none"])
def test_losses_and_scalings_train(airline, loss, scaling):
    y_pred = (
        make(loss=loss, scaling=scaling, max_epochs=1).fit(airline, fh=[1]).predict()
    )
    assert np.isfinite(y_pred).all()


def test_constant_series_is_safe():
    y = pd.Series(np.full(40, 5.0))
    for scaling in ["standard", "window"]:
        y_pred = make(scaling=scaling).fit(y, fh=[1, 2]).predict()
        assert np.isfinite(y_pred).all()


def test_verbose_prints_a_progress_bar(airline, capsys):
    make(verbose=True, max_epochs=2).fit(airline, fh=[1])
    err = capsys.readouterr().err
    assert "2/2" in err and "epoch" in err and "train_loss" in err  # tqdm, losses


# -- bad input -------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, error, match",
    [
        (
            {"window_length": 0},
            ValueError,
            r"`window_length` must be an int >= 1, got 0",
        ),
        ({"window_length": 2.5}, TypeError, r"`window_length` must be an int"),
        ({"attention": "cosine"}, ValueError, r"`attention` must be one of .*'cosine'"),
        ({"loss": "l3"}, ValueError, r"`loss` must be one of"),
        ({"dropout": 1.0}, ValueError, r"`dropout` must be a float in \[0.0, 1.0\)"),
        ({"teacher_forcing_ratio": 2}, ValueError, r"`teacher_forcing_ratio`"),
        ({"scaling": "minmax"}, ValueError, r"`scaling` must be one of"),
        ({"device": "tpu"}, ValueError, r"`device` must be one of"),
        ({"validation_fraction": 1.0}, ValueError, r"`validation_fraction`"),
        ({"decoder": "loop"}, ValueError, r"`decoder` must be one of .*'loop'"),
        ({"n_networks": 0}, ValueError, r"`n_networks` must be an int >= 1, got 0"),
    ],
)
def test_bad_parameters_raise_clear_errors(airline, params, error, match):
    with pytest.raises(error, match=match):
        make(**params).fit(airline, fh=[1])


def test_nan_in_y_is_reported_with_the_count(airline):
    y = airline.copy()
    y.iloc[[3, 7]] = np.nan
    # sktime's own input check answers first, naming `y`
    with pytest.raises(ValueError, match=r"cannot handle missing data.*\by\b"):
        make().fit(y, fh=[1])


def test_short_series_names_the_numbers():
    y = pd.Series(np.arange(8.0))
    with pytest.raises(
        ValueError, match=r"`y` has 8 time points .*\(6\) \+ horizon \(3\) = 9"
    ):
        make().fit(y, fh=[1, 2, 3])


def test_non_numeric_data_is_rejected():
    y = pd.DataFrame({"a": np.arange(30.0), "b": ["x"] * 30})
    with pytest.raises(TypeError, match=r"categorical features in endogeneous y"):
        make().fit(y, fh=[1])


def test_missing_x_over_fh_names_the_steps():
    data = load_longley()
    y, X = data[1]["GNP"], data[1][["ARMED"]]
    forecaster = make(window_length=3, horizon=2).fit(y.iloc[:-3], X=X.iloc[:-3])
    with pytest.raises(ValueError, match=r"`X` must cover the forecasting horizon"):
        forecaster.predict(fh=[1, 2, 3], X=X.iloc[-3:-1])
    with pytest.raises(ValueError, match=r"`X` is required in predict"):
        forecaster.predict(fh=[1])


def test_callers_data_is_not_modified():
    data = load_longley()
    y, X = data[1]["GNP"], data[1][["ARMED", "POP"]]
    y_copy, X_copy = y.copy(), X.copy()
    forecaster = make(window_length=3).fit(y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2])
    forecaster.predict(X=X.iloc[-2:])
    forecaster.update(y.iloc[-2:], X=X.iloc[-2:])
    pd.testing.assert_series_equal(y, y_copy)
    pd.testing.assert_frame_equal(X, X_copy)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(20, 60),
    level=st.floats(-1e3, 1e3),
    spread=st.floats(1e-3, 1e3),
    window=st.integers(1, 8),
    horizon=st.integers(1, 5),
    seed=st.integers(0, 2**16),
)
def test_property_predictions_finite_and_indexed(
    n, level, spread, window, horizon, seed
):
    rng = np.random.default_rng(seed)
    y = pd.Series(level + spread * rng.standard_normal(n))
    copy = y.copy()
    forecaster = AttentionLSTMForecaster(
        window_length=window, hidden_size=4, max_epochs=1, random_state=seed
    )
    y_pred = forecaster.fit(y, fh=range(1, horizon + 1)).predict()
    assert np.isfinite(y_pred).all()
    assert list(y_pred.index) == list(range(n, n + horizon))
    pd.testing.assert_series_equal(y, copy)


# -- planted dependency ------------------------------------------------------------
# y[t] = 0.95 y[t-lag] + 0.2 e[t] (make_planted_lag, 800 points): the evidence for
# forecast step h sits at lag h - lag. benchmarks/planted_attention.py measures hit
# rates and the deletion test over 10 seeds and two set-ups (benchmarks/README.md);
# chance is 1 / window.
PLANTED_SETUPS = {"lag24-w48": (24, 48, 12), "lag7-w28": (7, 28, 7)}


def _planted_fit(attention, seed, setup="lag24-w48", epochs=30, **kwargs):
    lag, window, horizon = PLANTED_SETUPS[setup]
    forecaster = AttentionLSTMForecaster(
        window_length=window,
        horizon=horizon,
        attention=attention,
        max_epochs=epochs,
        random_state=seed,
        **{**PLANTED_TRAINING, **kwargs},
    )
    return forecaster.fit(make_planted_lag(800, lag=lag, seed=seed))


def _deletion_wins(forecaster, seed, n_random=3):
    """Per (step, random lag): does shifting the top lag move the step more?"""
    table = forecaster.attention_weights_
    y = forecaster.get_history().iloc[:, 0]
    base = forecaster.predict(fh=table.index.to_numpy()).to_numpy()
    rng, shift = np.random.default_rng(seed), y.std()
    wins = []

    def change(step, lag):
        edited = y.iloc[[len(y) - 1 + lag]] + shift  # revise one past value
        clone = pickle.loads(pickle.dumps(forecaster))
        clone.update(edited, update_params=False)
        moved = clone.predict(fh=table.index.to_numpy()).to_numpy()
        return abs(moved[step] - base[step])

    for step, row in enumerate(table.to_numpy()):
        lags = table.columns.to_numpy()
        top = int(row.argmax())
        top_change = change(step, lags[top])
        others = rng.choice(np.delete(np.arange(len(lags)), top), n_random, False)
        wins += [top_change > change(step, lags[t]) for t in others]
    return wins


def test_planted_lag_is_found_by_the_default_attention():
    """The default attention and decoder, 30 epochs, seeds 0 and 1: both measured
    1.00 hit rate (every step peaks exactly at lag h - 24) and 1.00 deletion
    wins; assert 0.9 and 0.8."""
    forecasters = [_planted_fit(AttentionLSTMForecaster().attention, s) for s in (0, 1)]
    rates = [lag_hit_rate(f.attention_weights_, 24) for f in forecasters]
    assert np.mean(rates) >= 0.9, rates
    assert np.mean(_deletion_wins(forecasters[0], 0)) >= 0.8


@pytest.mark.slow
@pytest.mark.parametrize("setup", sorted(PLANTED_SETUPS))
@pytest.mark.parametrize(
    "attention, threshold",
    [
        ("luong_dot", 0.8),  # measured 0.95 (one seed 0.67) and 1.00, 10 seeds
        ("scaled_dot", 0.9),  # 1.00 and 1.00
        ("luong_general", 0.8),  # 0.98 and 1.00
        ("bahdanau", 0.5),  # 0.76 (one seed 0.25) and 1.00
        ("luong_concat", 0.5),  # the same model as bahdanau when direct
    ],
)
def test_planted_lag_hit_rate_per_attention_type(setup, attention, threshold):
    lag = PLANTED_SETUPS[setup][0]
    rates = [
        lag_hit_rate(_planted_fit(attention, s, setup, 60).attention_weights_, lag)
        for s in range(3)
    ]
    assert np.mean(rates) >= threshold
