"""Attention score functions behind one interface.

Shape legend: B batch, Q queries (forecast steps attended at once), T encoder steps
(keys), Dq query size, Dk key size, Dv value size.

Every module maps ``(query, keys, values) -> (context, weights)``:

- ``query``: (B, Dq) for one decoder step, or (B, Q, Dq) for several at once;
- ``keys``: (B, T, Dk) and ``values``: (B, T, Dv);
- ``context``: (B, Dv) or (B, Q, Dv), the weights' average of ``values``;
- ``weights``: (B, T) or (B, Q, T), non-negative, summing to 1 over T.

Decoders that attend to the same keys at every step call :meth:`prepare_keys` once
and :meth:`attend` per step, so key projections are not recomputed.

Each score also says when a decoder queries it: ``reads_previous_state`` True
(Bahdanau) means the query is the decoder state *before* the step and the context
feeds the step's LSTM input; False (Luong, scaled dot) means the query is the state
*after* the step. The decoder reads this attribute; nothing else decides it.
"""

__all__ = [
    "ATTENTION_TYPES",
    "attention_size",
    "AdditiveAttention",
    "DotAttention",
    "GeneralAttention",
    "ConcatAttention",
    "ScaledDotAttention",
    "attention_class",
    "make_attention",
]

import math

import torch
from torch import nn

_CHUNK = 2**24  # additive scores: numbers per chunk of (B, q, T, A), 64 MB float32
_ADDITIVE_SIZE = 8  # A, the additive score's size at most
_SUBSPACE_MIN = 16  # the direct decoder's attention size d at least (or D)


class _Attention(nn.Module):
    """Base: subclasses define ``score(query (B, Q, Dq), keys) -> (B, Q, T)``.

    Every subclass is built as ``cls(query_size, key_size)``.
    """

    reads_previous_state = False  # query timing, see the module docstring

    def prepare_keys(self, keys):
        """Precompute whatever of ``keys`` (B, T, Dk) does not depend on the query."""
        return keys

    def score(self, query, prepared_keys):
        raise NotImplementedError

    def attend(self, query, prepared_keys, values):
        """Attend with keys already passed through :meth:`prepare_keys`."""
        single = query.dim() == 2
        if single:
            query = query.unsqueeze(1)  # (B, 1, Dq)
        weights = torch.softmax(self.score(query, prepared_keys), dim=-1)  # (B, Q, T)
        context = torch.bmm(weights, values)  # (B, Q, Dv)
        if single:
            return context.squeeze(1), weights.squeeze(1)
        return context, weights

    def forward(self, query, keys, values):
        """Return ``(context, weights)`` for ``query`` over ``keys``/``values``."""
        return self.attend(query, self.prepare_keys(keys), values)


class AdditiveAttention(_Attention):
    """Bahdanau et al. (2015): ``v' tanh(W_q q + W_k k)``, queried before the step.

    The score's own size A (rows of ``W_q`` and ``W_k``) is ``min(Dk, 8)``: every
    (query, key) pair costs a tanh over A numbers, (B, Q, T, A) in all, which at
    A = Dk = 64 made training 10 times slower than a plain LSTM, 3.5 times at
    A = 16 (``benchmarks/speed.py``). At A = 8 the planted lag is still found
    (``benchmarks/planted_attention.py``: 0.95 of steps at lag 24, where A = 16
    found 0.76).
    """

    reads_previous_state = True

    def __init__(self, query_size, key_size):
        super().__init__()
        size = min(key_size, _ADDITIVE_SIZE)  # A
        self.query_proj = nn.Linear(query_size, size, bias=False)
        self.key_proj = nn.Linear(key_size, size)
        self.v = nn.Linear(size, 1, bias=False)

    def prepare_keys(self, keys):
        return self.key_proj(keys)  # (B, T, A)

    def score(self, query, prepared_keys):
        """Score all Q queries at once, broadcasting over (B, Q, T, A).

        The keys are projected once (:meth:`prepare_keys`); per query only its own
        projection is added. Queries go in chunks so that one chunk's (B, q, T, A)
        stays under ``_CHUNK`` numbers (the whole tensor is kept for backward
        in training; in prediction only a chunk at a time).
        """
        q = self.query_proj(query).unsqueeze(2)  # (B, Q, 1, A)
        k = prepared_keys.unsqueeze(1)  # (B, 1, T, A)
        size = max(1, _CHUNK // max(k.numel(), 1))  # queries per chunk
        scores = [
            self.v(torch.tanh(q[:, i : i + size] + k)).squeeze(-1)  # (B, q, T)
            for i in range(0, q.shape[1], size)
        ]
        return scores[0] if len(scores) == 1 else torch.cat(scores, dim=1)


class DotAttention(_Attention):
    """Luong et al. (2015) dot score: ``q' k`` (needs Dq == Dk)."""

    def __init__(self, query_size, key_size):
        super().__init__()
        if query_size != key_size:
            raise ValueError(
                f"dot attention needs equal query and key sizes, got {query_size} "
                f"and {key_size}"
            )

    def score(self, query, prepared_keys):
        return torch.bmm(query, prepared_keys.transpose(1, 2))  # (B, Q, T)


class ScaledDotAttention(DotAttention):
    """Vaswani et al. (2017): ``q' k / sqrt(D)``, D the hidden (key) size."""

    def score(self, query, prepared_keys):
        return super().score(query, prepared_keys) / math.sqrt(query.shape[-1])


class GeneralAttention(_Attention):
    """Luong et al. (2015) general score: ``q' W k``."""

    def __init__(self, query_size, key_size):
        super().__init__()
        self.key_proj = nn.Linear(key_size, query_size, bias=False)

    def prepare_keys(self, keys):
        return self.key_proj(keys)  # (B, T, Dq)

    def score(self, query, prepared_keys):
        return torch.bmm(query, prepared_keys.transpose(1, 2))  # (B, Q, T)


class ConcatAttention(AdditiveAttention):
    """Luong et al. (2015) concat score: ``v' tanh(W [q; k])``, queried after the step.

    ``W [q; k]`` splits into ``W_q q + W_k k``, so the score is the additive one
    with a single bias; what differs from Bahdanau is the query timing.
    """

    reads_previous_state = False


#: Attention score names accepted by ``attention=``, mapped to their classes.
ATTENTION_TYPES = {
    "bahdanau": AdditiveAttention,
    "luong_dot": DotAttention,
    "luong_general": GeneralAttention,
    "luong_concat": ConcatAttention,
    "scaled_dot": ScaledDotAttention,
}


def attention_class(name):
    """Return the score class called ``name``; the one place the name is checked.

    Parameters
    ----------
    name : str
        A key of ``ATTENTION_TYPES``: "bahdanau", "luong_dot", "luong_general",
        "luong_concat" or "scaled_dot".

    Returns
    -------
    type
        A score module class, built as ``cls(query_size, key_size)``, whose
        ``reads_previous_state`` gives its query timing.

    Examples
    --------
    >>> from sktime_attention.networks import attention_class
    >>> attention_class("bahdanau").reads_previous_state
    True
    """
    if not isinstance(name, str) or name not in ATTENTION_TYPES:
        raise ValueError(
            f"`attention` must be one of {sorted(ATTENTION_TYPES)}, got {name!r}"
        )
    return ATTENTION_TYPES[name]


def attention_size(hidden_size, requested=None):
    """Size d of the direct decoder's attention: ``max(16, D // 4)``, at most D.

    Memory slots, queries and contexts of the direct decoder live in d
    dimensions: a slot is the first d units of the encoder's LSTM output plus a
    projection of its input and a position embedding. The six (B, H, T) x d
    products of scores and contexts (forward and backward) then cost d / D of
    full width: at D = 64 (d = 16) a training step of the defaults took about
    1.13x the CPU time of a plain LSTM with a linear head, against 1.40x at full
    width (``benchmarks/README.md``, ``speed.py``). The saving costs large
    networks accuracy: on the M4 Hourly validation split the M4 recipe (D = 64)
    scored OWA 0.594 with d = 16, 0.591 with d = 32 and 0.520 at full width
    (seed 0); pass ``requested`` (the forecasters' ``attention_size``) to
    choose. Networks with D <= 16 attend at full width: at D = 16, d = 8 kept
    the planted lag (3 seeds) but lost accuracy on the airline validation split
    (``benchmarks/README.md``).

    Parameters
    ----------
    hidden_size : int
        D, the LSTM hidden size.
    requested : int or None, default=None
        d itself, between 1 and D; None: the rule above.

    Returns
    -------
    int
        d, between 1 and D.

    Examples
    --------
    >>> from sktime_attention.networks import attention_size
    >>> attention_size(128), attention_size(64), attention_size(32), attention_size(8)
    (32, 16, 16, 8)
    >>> attention_size(64, requested=64)
    64
    """
    if requested is not None:
        if not 1 <= requested <= hidden_size:
            raise ValueError(
                f"`attention_size` must be between 1 and `hidden_size` "
                f"({hidden_size}), got {requested!r}"
            )
        return int(requested)
    return min(hidden_size, max(_SUBSPACE_MIN, hidden_size // 4))


def make_attention(name, query_size, key_size):
    """Build the attention module called ``name``.

    Parameters
    ----------
    name : str
        A key of ``ATTENTION_TYPES`` (checked by :func:`attention_class`).
    query_size : int
        Dq, size of the query vectors.
    key_size : int
        Dk, size of the key vectors (dot scores need Dq == Dk).

    Returns
    -------
    torch.nn.Module
        Maps ``(query, keys, values)`` to ``(context, weights)``.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import make_attention
    >>> attention = make_attention("luong_dot", 4, 4)
    >>> keys = torch.eye(4).unsqueeze(0)  # (B=1, T=4, D=4)
    >>> context, weights = attention(keys[:, 2], keys, keys)
    >>> int(weights.argmax())  # the key equal to the query wins
    2
    """
    return attention_class(name)(query_size, key_size)
