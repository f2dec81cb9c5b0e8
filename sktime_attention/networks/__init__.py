"""Torch modules: attention score functions and the encoder-decoder networks."""

from ._attention import ATTENTION_TYPES, attention_class, make_attention
from ._seq2seq import AttentionSeq2Seq, AttentionWeights, InputAttentionEncoder

__all__ = [
    "ATTENTION_TYPES",
    "AttentionSeq2Seq",
    "AttentionWeights",
    "InputAttentionEncoder",
    "attention_class",
    "make_attention",
]
