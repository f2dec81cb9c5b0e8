"""The seq2seq network: shapes, one-pass decoding, query timing."""

import pytest
import torch

from sktime_attention.networks import ATTENTION_TYPES, AttentionSeq2Seq, attention_class

B, T, D = 3, 7, 5


@pytest.mark.parametrize("decoder", ["direct", "recursive"])
@pytest.mark.parametrize("name", sorted(ATTENTION_TYPES))
@pytest.mark.parametrize("input_attention", [False, True])
def test_network_shapes(name, input_attention, decoder):
    torch.manual_seed(3)
    net = AttentionSeq2Seq(
        2,
        3,
        T,
        hidden_size=D,
        num_layers=2,
        attention=name,
        input_attention=input_attention,
        decoder=decoder,
        horizon=4,
    )
    past, future = torch.randn(B, T, 5), torch.randn(B, 4, 3)
    prediction, attention = net(past, future, 4)
    assert prediction.shape == (B, 4, 2)
    assert attention.temporal.shape == (B, 4, T)
    torch.testing.assert_close(attention.temporal.sum(-1), torch.ones(B, 4))
    if input_attention:
        assert attention.feature.shape == (B, T, 5)
        torch.testing.assert_close(attention.feature.sum(-1), torch.ones(B, T))
    else:
        assert attention.feature is None


@pytest.mark.parametrize("name", ["luong_general", "scaled_dot", "luong_concat"])
def test_one_pass_teacher_forcing_matches_the_step_loop(name):
    """Full teacher forcing in one LSTM call equals feeding the truth step by step."""
    torch.manual_seed(4)
    net = AttentionSeq2Seq(1, 0, T, hidden_size=D, attention=name, decoder="recursive")
    net = net.eval()
    past, target = torch.randn(B, T, 1), torch.randn(B, 5, 1)
    memory, state, _ = net.encode(past)
    y_last = past[:, -1, :1]
    fast, fast_weights = net.decoder.decode_teacher_forced(
        memory, state, y_last, None, target
    )
    slow, slow_weights = net.decoder.decode_recursive(
        memory, state, y_last, None, 5, target, teacher_forcing_ratio=1.0
    )
    torch.testing.assert_close(fast, slow)
    torch.testing.assert_close(fast_weights, slow_weights)
    # the network takes the one pass exactly when every input is the truth
    prediction, attention = net(past, None, 5, target, teacher_forcing_ratio=1.0)
    torch.testing.assert_close(prediction, fast)


def test_bahdanau_cannot_decode_in_one_pass():
    net = AttentionSeq2Seq(
        1, 0, T, hidden_size=D, attention="bahdanau", decoder="recursive"
    )
    memory, state, _ = net.encode(torch.randn(B, T, 1))
    with pytest.raises(ValueError, match="decode_recursive"):
        net.decoder.decode_teacher_forced(
            memory, state, torch.zeros(B, 1), None, torch.zeros(B, 3, 1)
        )


@pytest.mark.parametrize("name", sorted(ATTENTION_TYPES))
def test_each_score_owns_its_query_timing(name):
    # Bahdanau reads the state before the step and feeds its context to the LSTM
    before = name == "bahdanau"
    assert attention_class(name).reads_previous_state is before
    net = AttentionSeq2Seq(1, 0, T, hidden_size=D, attention=name, decoder="recursive")
    assert net.decoder.lstm.input_size == 1 + (D if before else 0)


# -- the direct decoder ----------------------------------------------------------
def _direct(name="luong_dot", n_covariates=0, horizon=4):
    torch.manual_seed(5)
    net = AttentionSeq2Seq(
        1, n_covariates, T, hidden_size=D, attention=name, horizon=horizon
    )
    return net.eval()


@pytest.mark.parametrize("name", sorted(ATTENTION_TYPES))
def test_direct_decoder_reads_the_past_only_through_attention(name):
    """The forecast is a function of the step's query and its context alone.

    Recomputing it from ``weights @ memory`` gives the same numbers: the encoder's
    final state never reaches the decoder.
    """
    net = _direct(name)
    with torch.no_grad():
        memory, _, _ = net.encode(torch.randn(B, T, 1))  # (B, T, D)
        prediction, weights = net.decoder(memory, None, 4)
        context = torch.bmm(weights, memory)  # (B, 4, D)
        query = net.decoder.step[:4].expand(B, -1, -1)
        attentional = torch.tanh(net.decoder.combine(torch.cat([context, query], -1)))
        expected = net.decoder.out(attentional)
    torch.testing.assert_close(prediction, expected)
    torch.testing.assert_close(weights.sum(-1), torch.ones(B, 4))


def test_direct_decoder_steps_do_not_depend_on_each_other():
    """Step h of a 4-step pass equals step h of a 2-step pass (no feedback)."""
    net = _direct(n_covariates=2)
    past, future = torch.randn(B, T, 3), torch.randn(B, 4, 2)
    with torch.no_grad():
        four, a4 = net(past, future, 4)
        two, a2 = net(past, future[:, :2], 2)
    torch.testing.assert_close(four[:, :2], two)
    torch.testing.assert_close(a4.temporal[:, :2], a2.temporal)


def test_direct_decoder_ignores_teacher_forcing():
    net = _direct()
    past, target = torch.randn(B, T, 1), torch.randn(B, 4, 1)
    with torch.no_grad():
        plain, _ = net(past, None, 4)
        forced, _ = net(past, None, 4, target, teacher_forcing_ratio=1.0)
    torch.testing.assert_close(plain, forced)


def test_network_rejects_bad_decoder_settings():
    with pytest.raises(ValueError, match="`decoder` must be one of"):
        AttentionSeq2Seq(1, 0, T, decoder="loop", horizon=2)
    with pytest.raises(ValueError, match="direct decoder needs `horizon`"):
        AttentionSeq2Seq(1, 0, T)


@pytest.mark.parametrize(("hidden", "size"), [(128, 32), (64, 16), (32, 16), (4, 4)])
def test_direct_memory_is_the_first_units_of_the_lstm_in_the_attention_size(
    hidden, size
):
    """Direct slots: first d LSTM units + input anchor + position, d = max(16, D/4)."""
    from sktime_attention.networks import attention_size

    assert attention_size(hidden) == size
    torch.manual_seed(3)
    net = AttentionSeq2Seq(1, 0, T, hidden_size=hidden, horizon=2).eval()
    past = torch.randn(B, T, 1)
    with torch.no_grad():
        memory, _, _ = net.encode(past)
        outputs, _ = net.encoder.lstm(past)  # (B, T, D)
        expected = outputs[..., :size] + past * net.anchor.weight[:, 0] + net.position
    assert memory.shape == (B, T, size)
    torch.testing.assert_close(memory, expected)
    recursive = AttentionSeq2Seq(1, 0, T, hidden_size=hidden, decoder="recursive")
    assert recursive.encode(past)[0].shape == (B, T, hidden)


def test_a_requested_attention_size_sets_the_slots_and_is_checked():
    from sktime_attention.networks import attention_size

    net = AttentionSeq2Seq(1, 0, T, hidden_size=64, horizon=2, attention_size=64)
    memory, _, _ = net.encode(torch.randn(B, T, 1))
    assert memory.shape == (B, T, 64)  # full width, where the rule gives 16
    prediction, weights = net(torch.randn(B, T, 1), horizon=2)
    assert prediction.shape == (B, 2, 1) and weights.temporal.shape == (B, 2, T)
    for bad in (0, 65):
        with pytest.raises(ValueError, match=r"`attention_size` must be between 1"):
            attention_size(64, bad)


@pytest.mark.parametrize("decoder", ["direct", "recursive"])
def test_seasonal_lags_read_the_latest_value_at_the_same_phase(decoder):
    """Step h of lag L reads the window L * ceil(h / L) steps before its time."""
    horizon, lag = 6, 4
    net = AttentionSeq2Seq(
        2, 0, T, hidden_size=D, horizon=horizon, decoder=decoder, seasonal_lags=(lag,)
    )
    past = torch.randn(B, T, 2)
    seasonal = net.seasonal_inputs(past, horizon)  # (B, H, N)
    for h in range(1, horizon + 1):
        back = lag * -(-h // lag)  # the seasonal naive lag of step h
        torch.testing.assert_close(seasonal[:, h - 1], past[:, T - 1 + h - back])
    with torch.no_grad():
        prediction, weights = net(past, horizon=horizon)
    assert prediction.shape == (B, horizon, 2)
    torch.testing.assert_close(weights.temporal.sum(-1), torch.ones(B, horizon))


def test_seasonal_lags_join_the_direct_query_after_the_covariates():
    """The lagged values enter the step's query like known covariates would."""
    torch.manual_seed(0)
    net = AttentionSeq2Seq(1, 1, T, hidden_size=D, horizon=3, seasonal_lags=(2, T))
    assert net.decoder.covariates.in_features == 1 + 2
    past, future = torch.randn(B, T, 2), torch.randn(B, 3, 1)
    changed = past.clone()
    changed[:, 0, 0] += 1.0  # the lag-T value of step 1, and nothing else it reads
    with torch.no_grad():
        net.encode = lambda x: AttentionSeq2Seq.encode(net, past)  # same memory
        before, _ = net(past, future, 3)
        after, _ = net(changed, future, 3)
    assert not torch.allclose(before[:, 0], after[:, 0])
    torch.testing.assert_close(before[:, 1:], after[:, 1:])


def test_seasonal_residual_adds_the_first_lags_naive_forecast_to_the_output():
    torch.manual_seed(0)
    kwargs = dict(hidden_size=D, horizon=5, seasonal_lags=(2, 4))
    plain = AttentionSeq2Seq(2, 1, T, **kwargs)
    residual = AttentionSeq2Seq(2, 1, T, seasonal_residual=True, **kwargs)
    residual.load_state_dict(plain.state_dict())  # the flag adds no weights
    past, future = torch.randn(B, T, 3), torch.randn(B, 5, 1)
    with torch.no_grad():
        before, weights_before = plain(past, future, 5)
        after, weights_after = residual(past, future, 5)
    naive = plain.seasonal_inputs(past, 5)[..., :2]  # lag 2, both targets
    torch.testing.assert_close(after - before, naive)
    torch.testing.assert_close(weights_after.temporal, weights_before.temporal)
    del plain.seasonal_residual  # as a network pickled before the option
    with torch.no_grad():
        torch.testing.assert_close(plain(past, future, 5)[0], before)


@pytest.mark.parametrize(
    "kwargs",
    [dict(horizon=2), dict(seasonal_lags=(2,), decoder="recursive")],
    ids=["no seasonal lags", "recursive decoder"],
)
def test_seasonal_residual_needs_seasonal_lags_and_the_direct_decoder(kwargs):
    with pytest.raises(ValueError, match=r"`seasonal_residual` needs `seasonal_lags`"):
        AttentionSeq2Seq(1, 0, T, seasonal_residual=True, **kwargs)


def test_seasonal_lags_must_fit_in_the_window():
    with pytest.raises(ValueError, match=r"`seasonal_lags` must be between 1 and"):
        AttentionSeq2Seq(1, 0, T, horizon=2, seasonal_lags=(T + 1,))
