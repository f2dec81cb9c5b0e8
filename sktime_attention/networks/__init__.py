"""Torch modules: attention score functions and the encoder-decoder networks."""

from ._attention import (
    ATTENTION_TYPES,
    attention_class,
    attention_size,
    make_attention,
)
from ._average import AveragedNetworks
from ._seq2seq import (
    DECODERS,
    AttentionSeq2Seq,
    AttentionWeights,
    InputAttentionEncoder,
)

__all__ = [
    "ATTENTION_TYPES",
    "DECODERS",
    "AttentionSeq2Seq",
    "AttentionWeights",
    "AveragedNetworks",
    "InputAttentionEncoder",
    "attention_class",
    "attention_size",
    "make_attention",
]
