"""LSTM encoder-decoder with temporal attention, and the dual-stage encoder.

Shape legend: B batch, T encoder steps (``window_length``), H forecast steps,
F encoder input features (targets then past covariates), C known future covariates,
N targets, D hidden size, L LSTM layers.

Modules see tensors only. :class:`AttentionSeq2Seq.forward` returns
``(prediction, attention)`` with ``prediction`` (B, H, N) and ``attention`` an
:class:`AttentionWeights` of ``temporal`` (B, H, T) and ``feature`` (B, T, F) or None.
"""

__all__ = [
    "AttentionWeights",
    "AttentionDecoder",
    "AttentionSeq2Seq",
    "InputAttentionEncoder",
    "LSTMEncoder",
]

from typing import NamedTuple

import torch
from torch import nn

from ._attention import attention_class


class AttentionWeights(NamedTuple):
    """Attention weights of one forward pass of :class:`AttentionSeq2Seq`.

    Parameters
    ----------
    temporal : torch.Tensor
        (B, H, T): for each forecast step, weights over encoder steps; sum to 1.
    feature : torch.Tensor or None
        (B, T, F): for each encoder step, weights over input features (sum to 1);
        None without input attention.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import AttentionWeights
    >>> a = AttentionWeights(torch.full((1, 2, 4), 0.25), None)
    >>> a.temporal.sum(-1)
    tensor([[1., 1.]])
    """

    temporal: torch.Tensor  # (B, H, T): decoder step over encoder steps
    feature: torch.Tensor | None  # (B, T, F): encoder step over input features


def _lstm(input_size, hidden_size, num_layers, dropout):
    return nn.LSTM(
        input_size,
        hidden_size,
        num_layers,
        batch_first=True,
        dropout=dropout if num_layers > 1 else 0.0,
    )


class LSTMEncoder(nn.Module):
    """Plain stacked LSTM over the window; no feature attention."""

    def __init__(self, n_features, hidden_size, num_layers=1, dropout=0.0):
        super().__init__()
        self.lstm = _lstm(n_features, hidden_size, num_layers, dropout)

    def forward(self, past):
        """Encode ``past`` (B, T, F) into (outputs (B, T, D), state, None)."""
        outputs, state = self.lstm(past)  # (B, T, D), 2 x (L, B, D)
        return outputs, state, None


class InputAttentionEncoder(nn.Module):
    """Stage one of DA-RNN (Qin et al., 2017): attention over input features.

    At step t the query is the state before the step, ``[h_{t-1}; s_{t-1}]``; the key
    of feature k is that feature's whole series over the window; a softmax over
    features weights ``x_t`` before it enters the LSTM cell. Extra layers
    (``num_layers > 1``) are plain LSTM layers stacked on the attended one.

    One addition to the paper's score: a learned key offset per feature
    (``feature_key``, zero at init), ``v' tanh(W [h; s] + U x^k + b_k)``. The
    paper's score is permutation-equivariant over features, so features with the
    same distribution can only be told apart by content; with iid inputs the
    attention then stayed near uniform and did not single out the input that
    drove the target (see ``benchmarks/faithfulness.py``).

    Parameters
    ----------
    n_features : int
        F, encoder input features.
    window_length : int
        T, encoder steps (the key of a feature is its series over the window).
    hidden_size : int
        D, LSTM hidden size.
    num_layers : int, default=1
        Attended first layer plus ``num_layers - 1`` plain LSTM layers.
    dropout : float, default=0.0
        Dropout between the stacked layers.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import InputAttentionEncoder
    >>> encoder = InputAttentionEncoder(n_features=3, window_length=5, hidden_size=4)
    >>> outputs, (h, c), weights = encoder(torch.randn(2, 5, 3))
    >>> outputs.shape, weights.shape  # (B, T, D), (B, T, F)
    (torch.Size([2, 5, 4]), torch.Size([2, 5, 3]))
    >>> bool(torch.allclose(weights.sum(-1), torch.ones(2, 5)))
    True
    """

    def __init__(
        self, n_features, window_length, hidden_size, num_layers=1, dropout=0.0
    ):
        super().__init__()
        self.cell = nn.LSTMCell(n_features, hidden_size)
        self.query_proj = nn.Linear(2 * hidden_size, window_length, bias=False)  # W_e
        self.key_proj = nn.Linear(window_length, window_length)  # U_e
        self.feature_key = nn.Parameter(torch.zeros(n_features, window_length))  # b_k
        self.v = nn.Linear(window_length, 1, bias=False)  # v_e
        self.upper = (
            _lstm(hidden_size, hidden_size, num_layers - 1, dropout)
            if num_layers > 1
            else None
        )
        self.dropout = nn.Dropout(dropout)

    def forward(self, past):
        """Encode ``past`` (B, T, F) into (outputs, state, weights (B, T, F))."""
        batch, steps, _ = past.shape
        keys = self.key_proj(past.transpose(1, 2)) + self.feature_key  # (B, F, T)
        h = past.new_zeros(batch, self.cell.hidden_size)  # (B, D)
        c = torch.zeros_like(h)  # (B, D)
        outputs, weights = [], []
        for t in range(steps):
            query = self.query_proj(torch.cat([h, c], dim=-1)).unsqueeze(1)  # (B, 1, T)
            alpha = torch.softmax(self.v(torch.tanh(query + keys)).squeeze(-1), -1)
            h, c = self.cell(alpha * past[:, t], (h, c))  # alpha: (B, F)
            outputs.append(h)
            weights.append(alpha)
        outputs = torch.stack(outputs, dim=1)  # (B, T, D)
        h_n, c_n = h.unsqueeze(0), c.unsqueeze(0)  # (1, B, D)
        if self.upper is not None:
            outputs, (h_up, c_up) = self.upper(self.dropout(outputs))
            h_n, c_n = torch.cat([h_n, h_up]), torch.cat([c_n, c_up])  # (L, B, D)
        return outputs, (h_n, c_n), torch.stack(weights, dim=1)


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


class AttentionSeq2Seq(nn.Module):
    """Encoder-decoder forecaster with temporal (and optionally feature) attention.

    Parameters
    ----------
    n_targets : int
        N, number of target series; they are the first N encoder features.
    n_covariates : int
        C, number of covariates; past values join the encoder input (F = N + C),
        future values feed the decoder.
    window_length : int
        T, encoder steps (needed by the input attention's key projection).
    hidden_size, num_layers, dropout : int, int, float
        LSTM sizes, shared by encoder and decoder.
    attention : str
        Temporal score: "bahdanau", "luong_dot", "luong_general", "luong_concat"
        or "scaled_dot".
    input_attention : bool
        Use the DA-RNN input-attention encoder instead of a plain LSTM.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import AttentionSeq2Seq
    >>> net = AttentionSeq2Seq(n_targets=1, n_covariates=0, window_length=12)
    >>> prediction, attention = net(torch.randn(8, 12, 1), horizon=3)
    >>> prediction.shape, attention.temporal.shape
    (torch.Size([8, 3, 1]), torch.Size([8, 3, 12]))
    """

    def __init__(
        self,
        n_targets,
        n_covariates,
        window_length,
        hidden_size=32,
        num_layers=1,
        dropout=0.0,
        attention="bahdanau",
        input_attention=False,
    ):
        super().__init__()
        self.n_targets = n_targets
        n_features = n_targets + n_covariates
        if input_attention:
            self.encoder = InputAttentionEncoder(
                n_features, window_length, hidden_size, num_layers, dropout
            )
        else:
            self.encoder = LSTMEncoder(n_features, hidden_size, num_layers, dropout)
        self.decoder = AttentionDecoder(
            n_targets, n_covariates, hidden_size, num_layers, dropout, attention
        )
        # Memory slot t = LSTM output + a projection of input t + a learned
        # embedding of position t: each slot stays tied to its own time step, and
        # any score can address a lag, so attention weights point at real periods.
        self.anchor = nn.Linear(n_features, hidden_size, bias=False)
        self.position = nn.Parameter(torch.zeros(window_length, hidden_size))

    def encode(self, past):
        """Encode ``past`` (B, T, F): (memory (B, T, D), state, feature weights).

        The feature weights are (B, T, F) with input attention, else None; they
        need no future covariates.
        """
        memory, state, feature = self.encoder(past)  # (B, T, D)
        memory = memory + self.anchor(past) + self.position  # (B, T, D)
        return memory, state, feature

    def forward(
        self, past, future=None, horizon=None, target=None, teacher_forcing_ratio=0.0
    ):
        """Forecast ``horizon`` steps after the window ``past`` (B, T, F).

        ``future`` (B, H, C) holds known covariates over the horizon; ``target``
        (B, H, N) enables teacher forcing with probability
        ``teacher_forcing_ratio``. Returns ``(prediction (B, H, N),
        AttentionWeights)``.
        """
        if horizon is None:
            horizon = (target if target is not None else future).shape[1]
        memory, state, feature = self.encode(past)
        y_last = past[:, -1, : self.n_targets]  # (B, N)
        prediction, temporal = self.decoder(
            memory, state, y_last, future, horizon, target, teacher_forcing_ratio
        )
        return prediction, AttentionWeights(temporal, feature)
