"""The seq2seq network: shapes, one-pass decoding, query timing."""

import pytest
import torch

from sktime_attention.networks import ATTENTION_TYPES, AttentionSeq2Seq, attention_class

B, T, D = 3, 7, 5


@pytest.mark.parametrize("name", sorted(ATTENTION_TYPES))
@pytest.mark.parametrize("input_attention", [False, True])
def test_network_shapes(name, input_attention):
    torch.manual_seed(3)
    net = AttentionSeq2Seq(
        2,
        3,
        T,
        hidden_size=D,
        num_layers=2,
        attention=name,
        input_attention=input_attention,
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
    net = AttentionSeq2Seq(1, 0, T, hidden_size=D, attention=name).eval()
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
    net = AttentionSeq2Seq(1, 0, T, hidden_size=D, attention="bahdanau")
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
    net = AttentionSeq2Seq(1, 0, T, hidden_size=D, attention=name)
    assert net.decoder.lstm.input_size == 1 + (D if before else 0)
