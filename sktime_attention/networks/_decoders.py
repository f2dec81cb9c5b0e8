"""Attention decoders: direct (all steps in one pass) and recursive.

Shape legend: B batch, T encoder steps, H forecast steps, C known future
covariates, N targets, D hidden size, L LSTM layers. Covariates known only up to
the cutoff (past-only) never reach a decoder: C counts the known ones alone.

Both map the encoder's memory (B, T, D) to ``(prediction (B, H, N), weights
(B, H, T))``; each forecast step's attention is a distribution over the T memory
slots (rows sum to 1).

- :class:`DirectDecoder` builds the query of step h from a learned step embedding
  and the known covariates of step h. No forecast is fed back, so training and
  prediction run the same single pass (no exposure bias), and the decoder does not
  receive the encoder's final state: the past reaches the forecast only through the
  attention context, which is what makes the weights say where the forecast came
  from (:class:`~sktime_attention.networks.AttentionSeq2Seq` may add window
  values at seasonal lags to the known covariates; those reach it through the
  query).
- :class:`AttentionDecoder` is the recursive seq2seq decoder: an LSTM started from
  the encoder's final state, fed its own previous forecast (or the truth, with
  probability ``teacher_forcing_ratio`` in training), attending at each step.
"""

__all__ = ["AttentionDecoder", "DirectDecoder"]

import torch
from torch import nn

from ._attention import attention_class, attention_size


def _lstm(input_size, hidden_size, num_layers, dropout):
    return nn.LSTM(
        input_size,
        hidden_size,
        num_layers,
        batch_first=True,
        dropout=dropout if num_layers > 1 else 0.0,
    )


class DirectDecoder(nn.Module):
    """Decode all H steps at once from step embeddings and known covariates.

    The query of step h is ``e_h + W_x x_h``: a learned embedding of the step and a
    projection of the step's known future covariates. Every step attends over the
    memory in one batched call and emits ``W_o tanh(W_c [context_h; q_h])``. The
    output depends on the window only through ``context_h``, a weights' average
    of the memory slots, and through ``x_h`` when it holds window values (the
    network's seasonal lags). Queries, slots and contexts have size
    d = :func:`~sktime_attention.networks.attention_size` (D); the attentional
    state has size D.

    Parameters
    ----------
    n_targets, n_covariates : int
        N and C.
    hidden_size : int
        D, size of the attentional state; queries and memory slots have size
        d (``size``).
    max_horizon : int
        The most steps one pass decodes (the size of the step embedding);
        :func:`~sktime_attention.training.run_network` rolls longer horizons.
    dropout : float
        Dropout on the attentional state.
    attention : str
        Score name, see :func:`~sktime_attention.networks.attention_class`.
    size : int or None, default=None
        d; None: ``attention_size(D)``.
    """

    def __init__(
        self,
        n_targets,
        n_covariates,
        hidden_size,
        max_horizon,
        dropout,
        attention,
        size=None,
    ):
        super().__init__()
        self.max_horizon = max_horizon
        size = attention_size(hidden_size, size)  # d
        self.step = nn.Parameter(torch.randn(max_horizon, size) / 4)  # (H, d)
        self.covariates = (
            nn.Linear(n_covariates, size, bias=False) if n_covariates else None
        )
        self.score = attention_class(attention)(size, size)
        self.combine = nn.Linear(2 * size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, n_targets)

    def forward(self, memory, future, horizon):
        """Return (prediction (B, H, N), weights (B, H, T)) for ``horizon`` steps.

        ``memory`` is (B, T, d), ``future`` (B, H, C) or None.
        """
        if horizon > self.max_horizon:
            raise ValueError(
                f"the direct decoder decodes at most {self.max_horizon} steps in one "
                f"pass, got horizon {horizon}; run_network rolls longer horizons"
            )
        step = self.step[:horizon]  # (H, d)
        query = step.expand(memory.shape[0], -1, -1)  # (B, H, d)
        if self.covariates is not None:
            query = query + self.covariates(future[:, :horizon])  # (B, H, d)
        keys = self.score.prepare_keys(memory)  # (B, T, d) or projected
        context, weights = self.score.attend(query, keys, memory)  # (B, H, d)
        # W_c [context; q] without the concatenation; without covariates the
        # query's half is computed once per step, (H, d), not per window
        size = context.shape[-1]
        weight = self.combine.weight  # (D, 2 d)
        own = query if self.covariates is not None else step  # (B, H, d) or (H, d)
        attentional = torch.tanh(
            nn.functional.linear(context, weight[:, :size])
            + nn.functional.linear(own, weight[:, size:], self.combine.bias)
        )  # (B, H, D)
        return self.out(self.dropout(attentional)), weights  # (B, H, N), (B, H, T)


class AttentionDecoder(nn.Module):
    """LSTM decoder that attends over all encoder states at every forecast step.

    The score module ``score`` sets the query timing: a score that reads the
    previous state (Bahdanau) is queried before each LSTM step and its context
    joins the step's input; the others are queried with the state after the step.
    Every step emits ``W_o tanh(W_c [context; h_t])``, the attentional state of
    Luong et al.

    Two ways to decode: :meth:`decode_recursive` feeds each step its own forecast
    (or, in training, the truth with probability ``teacher_forcing_ratio``);
    :meth:`decode_teacher_forced` runs every step in one LSTM call when all
    inputs are the truth and the query is the state after the step.
    """

    def __init__(
        self, n_targets, n_covariates, hidden_size, num_layers, dropout, attention
    ):
        super().__init__()
        score = attention_class(attention)
        context_size = hidden_size if score.reads_previous_state else 0
        self.lstm = _lstm(
            n_targets + n_covariates + context_size, hidden_size, num_layers, dropout
        )
        self.score = score(hidden_size, hidden_size)
        self.combine = nn.Linear(2 * hidden_size, hidden_size)
        self.dropout = nn.Dropout(dropout)
        self.out = nn.Linear(hidden_size, n_targets)

    def _emit(self, context, hidden):
        """Map context and decoder output (..., D) to a forecast (..., N)."""
        attentional = torch.tanh(self.combine(torch.cat([context, hidden], dim=-1)))
        return self.out(self.dropout(attentional))

    def forward(
        self,
        memory,
        state,
        y_last,
        future,
        horizon,
        target=None,
        teacher_forcing_ratio=0.0,
    ):
        """Decode ``horizon`` steps; return (prediction (B, H, N), weights (B, H, T)).

        ``memory`` (B, T, D) are the encoder outputs, ``state`` the encoder's final
        (h, c), ``y_last`` (B, N) the last observed targets, ``future`` (B, H, C) or
        None the known covariates, ``target`` (B, H, N) the truth for teacher
        forcing. With the truth fed at every step (``teacher_forcing_ratio`` 1)
        and a query after the step, all steps run in one pass.
        """
        one_pass = (
            target is not None
            and teacher_forcing_ratio == 1.0
            and not self.score.reads_previous_state
        )
        if one_pass:
            return self.decode_teacher_forced(memory, state, y_last, future, target)
        return self.decode_recursive(
            memory, state, y_last, future, horizon, target, teacher_forcing_ratio
        )

    def decode_teacher_forced(self, memory, state, y_last, future, target):
        """Decode every step in one LSTM call, feeding the truth ``target``."""
        if self.score.reads_previous_state:
            raise ValueError(
                f"{type(self.score).__name__} queries the state before each step, "
                "so its steps cannot run in one pass: use decode_recursive"
            )
        keys = self.score.prepare_keys(memory)  # (B, T, D) or projected
        inputs = torch.cat([y_last.unsqueeze(1), target[:, :-1]], dim=1)  # (B, H, N)
        if future is not None:
            inputs = torch.cat([inputs, future], dim=-1)  # (B, H, N + C)
        hidden, _ = self.lstm(inputs, state)  # (B, H, D)
        context, weights = self.score.attend(hidden, keys, memory)  # (B, H, T)
        return self._emit(context, hidden), weights

    def decode_recursive(
        self,
        memory,
        state,
        y_last,
        future,
        horizon,
        target=None,
        teacher_forcing_ratio=0.0,
    ):
        """Decode step by step, feeding back forecasts (or, by chance, the truth)."""
        keys = self.score.prepare_keys(memory)  # (B, T, D) or projected
        before = self.score.reads_previous_state
        y_prev, predictions, weights = y_last, [], []
        for step in range(horizon):
            parts = [y_prev] if future is None else [y_prev, future[:, step]]
            if before:
                context, alpha = self.score.attend(state[0][-1], keys, memory)
                parts.append(context)
            hidden, state = self.lstm(torch.cat(parts, -1).unsqueeze(1), state)
            hidden = hidden[:, 0]  # (B, D)
            if not before:
                context, alpha = self.score.attend(hidden, keys, memory)
            y_hat = self._emit(context, hidden)  # (B, N)
            predictions.append(y_hat)
            weights.append(alpha)  # (B, T)
            y_prev = y_hat
            if target is not None and teacher_forcing_ratio > 0.0:
                use_truth = torch.rand_like(y_hat[:, :1]) < teacher_forcing_ratio
                y_prev = torch.where(use_truth, target[:, step], y_hat)  # (B, N)
        return torch.stack(predictions, dim=1), torch.stack(weights, dim=1)
