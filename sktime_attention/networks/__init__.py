"""Torch modules: attention score functions and the encoder-decoder networks."""

from ._attention import ATTENTION_TYPES, make_attention
from ._seq2seq import Attention, AttentionSeq2Seq

__all__ = ["ATTENTION_TYPES", "Attention", "AttentionSeq2Seq", "make_attention"]
