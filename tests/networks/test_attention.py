"""Known answers for the attention score functions."""

import pytest
import torch

from sktime_attention.networks import ATTENTION_TYPES, make_attention

B, T, D = 3, 7, 5


@pytest.mark.parametrize("name", sorted(ATTENTION_TYPES))
@pytest.mark.parametrize("n_queries", [None, 4])
def test_shapes_and_weights_sum_to_one(name, n_queries):
    torch.manual_seed(0)
    attention = make_attention(name, D, D)
    shape = (B, D) if n_queries is None else (B, n_queries, D)
    query, keys, values = torch.randn(shape), torch.randn(B, T, D), torch.randn(B, T, 2)
    context, weights = attention(query, keys, values)
    assert context.shape == (*shape[:-1], 2)
    assert weights.shape == (*shape[:-1], T)
    assert (weights >= 0).all()
    torch.testing.assert_close(weights.sum(-1), torch.ones(shape[:-1]))
    # the context is the weights' average of the values
    pattern = "bt,btv->bv" if n_queries is None else "bqt,btv->bqv"
    torch.testing.assert_close(context, torch.einsum(pattern, weights, values))


@pytest.mark.parametrize("name", ["luong_dot", "scaled_dot"])
def test_key_equal_to_query_wins_under_dot_attention(name):
    torch.manual_seed(1)
    keys = torch.nn.functional.normalize(torch.randn(B, T, D), dim=-1) * 3
    for position in range(T):
        query = keys[:, position]
        _, weights = make_attention(name, D, D)(query, keys, keys)
        assert (weights.argmax(-1) == position).all()


def test_scaled_dot_divides_by_sqrt_hidden_size():
    torch.manual_seed(2)
    query, keys = torch.randn(B, D), torch.randn(B, T, D)
    _, dot = make_attention("luong_dot", D, D)(query, keys, keys)
    _, scaled = make_attention("scaled_dot", D, D)(query, keys, keys)
    scores = torch.einsum("bd,btd->bt", query, keys) / D**0.5
    torch.testing.assert_close(scaled, torch.softmax(scores, -1))
    assert not torch.allclose(dot, scaled)


def test_dot_attention_rejects_unequal_sizes():
    with pytest.raises(ValueError, match="equal query and key sizes"):
        make_attention("luong_dot", 4, 5)


def test_unknown_attention_name_is_named_in_the_error():
    with pytest.raises(ValueError, match="`attention` must be one of"):
        make_attention("cosine", 4, 4)


def test_additive_scores_in_chunks_equal_one_pass(monkeypatch):
    """Chunking the queries of the additive score changes nothing but memory."""
    from sktime_attention.networks import _attention

    torch.manual_seed(0)
    attention = _attention.AdditiveAttention(5, 5)
    query, keys = torch.randn(2, 7, 5), torch.randn(2, 4, 5)
    whole = attention(query, keys, keys)
    monkeypatch.setattr(_attention, "_CHUNK", 2 * 4 * 5 * 3)  # 3 queries a chunk
    chunked = attention(query, keys, keys)
    for a, b in zip(whole, chunked):
        torch.testing.assert_close(a, b)
