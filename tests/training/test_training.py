"""The torch-only training pieces: windows, the training loop, the inference pass."""

import numpy as np
import pytest
import torch

from sktime_attention.networks import AttentionSeq2Seq
from sktime_attention.training import (
    TrainingSettings,
    Windows,
    run_network,
    train_network,
)


def settings(**kwargs):
    base = dict(
        max_epochs=3,
        batch_size=8,
        learning_rate=1e-2,
        loss="mse",
        patience=10,
        teacher_forcing_ratio=1.0,
        windows_per_epoch=None,
        seed=0,
    )
    return TrainingSettings(**{**base, **kwargs})


def sine(n=60, phase=0.0):
    return np.sin(np.arange(n) / 3 + phase)[:, None]


# -- windows ---------------------------------------------------------------------
def test_windows_never_cross_series_and_hold_out_each_series_tail():
    arrays = [np.arange(10.0)[:, None], 100 + np.arange(8.0)[:, None]]
    windows = Windows(arrays, 3, 2, 1, validation_fraction=0.5, center=False)
    # 10 - 5 + 1 = 6 and 8 - 5 + 1 = 4 windows; half of each series' last ones held
    assert len(windows.train) == 3 + 2 and len(windows.valid) == 3 + 2
    past, future, target = windows.batch(np.r_[windows.train, windows.valid], "cpu")
    assert future is None
    values = torch.cat([past[..., 0], target[..., 0]], dim=1)  # (B, 5)
    steps = values[:, 1:] - values[:, :-1]
    assert torch.equal(steps, torch.ones_like(steps))  # contiguous, one series each
    assert set(values[:, 0].tolist()) == {0, 1, 2, 3, 4, 5, 100, 101, 102, 103}


def test_window_centering_is_relative_to_the_last_target_only():
    data = np.column_stack([np.arange(10.0), 50 + np.arange(10.0)])  # y, then X
    windows = Windows([data], 4, 2, 1, validation_fraction=0.0, center=True)
    past, future, target = windows.batch(np.array([2]), "cpu")
    assert past[0, :, 0].tolist() == [-3, -2, -1, 0]  # y: 2..5 minus 5
    assert past[0, :, 1].tolist() == [52, 53, 54, 55]  # covariates untouched
    assert target[0, :, 0].tolist() == [1, 2]
    assert future[0, :, 0].tolist() == [56, 57]


# -- train_network ---------------------------------------------------------------
def build(decoder="direct"):
    return AttentionSeq2Seq(
        1, 0, 6, hidden_size=4, attention="luong_general", decoder=decoder, horizon=2
    )


def test_training_is_reproducible_and_leaves_the_global_rng_alone():
    windows = Windows([sine()], 6, 2, 1, validation_fraction=0.0, center=False)
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    first, history = train_network(build, windows, settings())
    assert torch.rand(1) == before  # the caller's generator state is restored
    second, _ = train_network(build, windows, settings())
    for a, b in zip(first.state_dict().values(), second.state_dict().values()):
        assert torch.equal(a, b)
    assert [r["epoch"] for r in history] == [1, 2, 3]
    assert not first.training and next(first.parameters()).device.type == "cpu"


def test_early_stopping_restores_the_best_epoch():
    windows = Windows([sine(120)], 6, 2, 1, validation_fraction=0.3, center=False)
    # a large learning rate makes validation loss go up and down
    network, history = train_network(
        build, windows, settings(max_epochs=30, patience=2, learning_rate=0.3)
    )
    losses = [r["val_loss"] for r in history]
    assert len(history) < 30 and np.argmin(losses) == len(losses) - 3
    from sktime_attention.training._train import _validation_loss

    restored = _validation_loss(
        network, windows, windows.valid, torch.nn.functional.mse_loss, "cpu"
    )
    assert restored == pytest.approx(min(losses), rel=1e-5)


def test_validation_reads_at_most_windows_per_epoch_evenly_spread_windows():
    from sktime_attention.training._train import _spread, _validation_loss

    windows = Windows([sine(200)], 6, 2, 1, validation_fraction=0.5, center=False)
    assert len(windows.valid) == 97
    spread = _spread(windows.valid, 10)
    assert len(spread) == 10 and spread[0] == windows.valid[0]
    assert spread[-1] == windows.valid[-1]
    assert np.ptp(np.diff(spread)) <= 1  # evenly spaced
    assert _spread(windows.valid, None) is windows.valid
    assert _spread(windows.valid, 500) is windows.valid
    # the recorded loss is the loss on the spread windows
    network, history = train_network(
        build, windows, settings(max_epochs=1, windows_per_epoch=10)
    )
    loss = torch.nn.functional.mse_loss
    on_spread = _validation_loss(network, windows, spread, loss, "cpu")
    assert history[0]["val_loss"] == pytest.approx(on_spread, rel=1e-6)
    on_all = _validation_loss(network, windows, windows.valid, loss, "cpu")
    assert on_all != pytest.approx(on_spread, rel=1e-6)


def test_learning_rate_halves_after_epochs_without_a_better_validation_loss():
    windows = Windows([sine(120)], 6, 2, 1, validation_fraction=0.3, center=False)
    # a large learning rate makes validation loss go up and down
    _, history = train_network(
        build,
        windows,
        settings(max_epochs=30, patience=30, learning_rate=0.3, lr_reduce_patience=2),
    )
    losses = np.array([r["val_loss"] for r in history])
    rates = np.array([r["learning_rate"] for r in history])
    assert rates[0] == 0.3 and (rates < 0.3).any()
    np.testing.assert_allclose(np.log2(0.3 / rates) % 1, 0, atol=1e-9)  # halvings
    best = np.minimum.accumulate(losses)
    for i in np.flatnonzero(rates[1:] < rates[:-1]) + 1:  # epoch i + 1 is slower
        # the two epochs before it beat no earlier one (torch: by 1e-4 relative)
        assert i >= 3
        assert (losses[i - 2 : i] >= best[i - 3] * (1 - 1e-4)).all()
    # without validation windows there is nothing to watch: constant rate
    no_valid = Windows([sine(120)], 6, 2, 1, validation_fraction=0.0, center=False)
    _, plain = train_network(build, no_valid, settings(lr_reduce_patience=1))
    assert all("learning_rate" not in r for r in plain)


def test_continuing_from_a_copy_leaves_the_start_unchanged():
    windows = Windows([sine()], 6, 2, 1, validation_fraction=0.0, center=False)
    start, _ = train_network(build, windows, settings())
    saved = {k: v.clone() for k, v in start.state_dict().items()}
    import copy

    tuned, _ = train_network(lambda: copy.deepcopy(start), windows, settings())
    assert all(torch.equal(saved[k], v) for k, v in start.state_dict().items())
    assert not torch.equal(tuned.decoder.out.weight, start.decoder.out.weight)


# -- run_network -----------------------------------------------------------------
def test_run_network_equals_the_module_and_adds_the_level_back():
    torch.manual_seed(0)
    network = build().eval()
    past = np.random.default_rng(0).standard_normal((5, 6, 1))
    prediction, temporal, feature = run_network(network, past, None, 2, center=True)
    level = past[:, -1:, :1]
    window = torch.tensor(past - level, dtype=torch.float32)
    with torch.no_grad():
        expected, attention = network(window, None, 2)
    np.testing.assert_allclose(prediction, expected.numpy() + level, rtol=1e-6)
    np.testing.assert_allclose(temporal, attention.temporal.numpy(), rtol=1e-6)
    assert feature is None


@pytest.mark.parametrize("center", [True, False])
def test_run_network_rolls_the_direct_decoder_past_its_horizon(center):
    """Steps 3-4 of a 2-step direct network come from the window rolled over 1-2."""
    torch.manual_seed(0)
    network = build().eval()
    past = np.random.default_rng(4).standard_normal((3, 6, 1))
    prediction, temporal, _ = run_network(network, past, None, 4, center=center)
    first, first_temporal, _ = run_network(network, past, None, 2, center=center)
    rolled = np.concatenate([past, first], axis=1)[:, -6:]
    second, second_temporal, _ = run_network(network, rolled, None, 2, center=center)
    np.testing.assert_allclose(prediction, np.concatenate([first, second], 1), 1e-5)
    np.testing.assert_allclose(temporal[:, 2:], second_temporal, rtol=1e-5)
    with pytest.raises(ValueError, match="at most 2 steps"):
        network(torch.zeros(1, 6, 1), None, 3)


def test_run_network_batches_give_the_same_answer():
    torch.manual_seed(0)
    network = build().eval()
    past = np.random.default_rng(1).standard_normal((9, 6, 1))
    whole = run_network(network, past, None, 2, center=False)
    batched = run_network(network, past, None, 2, center=False, batch_size=4)
    for a, b in zip(whole[:2], batched[:2]):
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_windows_with_unknown_future_get_feature_attention_only():
    torch.manual_seed(0)
    network = AttentionSeq2Seq(
        1, 2, 6, hidden_size=4, input_attention=True, horizon=2
    ).eval()
    past = np.random.default_rng(2).standard_normal((4, 6, 3))
    future = np.random.default_rng(3).standard_normal((4, 2, 2))
    future[1, 1, 0] = np.nan  # window 1 lacks one covariate value
    prediction, temporal, feature = run_network(network, past, future, 2, False)
    assert np.isnan(prediction[1]).all() and np.isnan(temporal[1]).all()
    assert np.isfinite(np.delete(prediction, 1, axis=0)).all()
    np.testing.assert_allclose(feature.sum(-1), 1.0, rtol=1e-5)  # all four windows
    with torch.no_grad():
        encoded = network.encode(torch.tensor(past, dtype=torch.float32))[2]
    np.testing.assert_allclose(feature, encoded.numpy(), rtol=1e-6)
