"""LSTM encoder-decoder with temporal attention, and the dual-stage encoder.

Shape legend: B batch, T encoder steps (``window_length``), H forecast steps,
F encoder input features (targets then all covariates), C covariates, K covariates
known over the horizon (C minus the past-only ones), N targets, D hidden size,
L LSTM layers.

Modules see tensors only. :class:`AttentionSeq2Seq.forward` returns
``(prediction, attention)`` with ``prediction`` (B, H, N) and ``attention`` an
:class:`AttentionWeights` of ``temporal`` (B, H, T) and ``feature`` (B, T, F) or None.
"""

__all__ = [
    "DECODERS",
    "AttentionWeights",
    "AttentionDecoder",
    "AttentionSeq2Seq",
    "DirectDecoder",
    "InputAttentionEncoder",
    "LSTMEncoder",
]

from typing import NamedTuple

import torch
from torch import nn

from ._attention import attention_size as _attention_size
from ._decoders import AttentionDecoder, DirectDecoder, _lstm


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


#: Decoder names accepted by ``decoder=``: one-pass direct, or recursive seq2seq.
DECODERS = ("direct", "recursive")


class AttentionSeq2Seq(nn.Module):
    """Encoder-decoder forecaster with temporal (and optionally feature) attention.

    Parameters
    ----------
    n_targets : int
        N, number of target series; they are the first N encoder features.
    n_covariates : int
        C, number of covariates; past values join the encoder input (F = N + C),
        future values of the known ones feed the decoder.
    window_length : int
        T, encoder steps (needed by the input attention's key projection).
    hidden_size, num_layers, dropout : int, int, float
        LSTM sizes, shared by encoder and decoder.
    attention : str
        Temporal score: "bahdanau", "luong_dot", "luong_general", "luong_concat"
        or "scaled_dot".
    input_attention : bool
        Use the DA-RNN input-attention encoder instead of a plain LSTM.
    decoder : {"direct", "recursive"}
        :class:`DirectDecoder` (all steps in one pass, the past reaching the
        forecast only through attention) or the recursive :class:`AttentionDecoder`.
    horizon : int or None
        H, steps of one direct pass (the step embedding's size); required with
        ``decoder="direct"``, unused by the recursive decoder.
    n_known_covariates : int or None, default=None
        K, covariates whose values over the horizon (``future`` (B, H, K)) feed
        the decoder; the other C - K are past-only and reach the network through
        the encoder alone. None: all C.
    attention_size : int or None, default=None
        d, the direct decoder's attention size (memory slots, queries,
        contexts), between 1 and D; None: :func:`attention_size` (D). The
        recursive decoder attends at full width.
    seasonal_lags : tuple of int or None, default=None
        Lags L, each between 1 and T, whose values join the decoder's known
        inputs: step h gets the N targets ``L * ceil(h / L)`` steps before its
        own time, the latest value in the window at the same phase of a period
        L (with L the seasonal period, the seasonal naive forecast). They are
        read from ``past`` inside :meth:`forward`, so training and prediction
        see the same inputs and no covariate is needed. None: none.
    seasonal_residual : bool, default=False
        Add the first of ``seasonal_lags`` to the output: the decoder forecasts
        what the seasonal naive forecast misses, as a model of the seasonally
        differenced target does. Needs ``seasonal_lags`` and the direct decoder.

    Examples
    --------
    >>> import torch
    >>> from sktime_attention.networks import AttentionSeq2Seq
    >>> net = AttentionSeq2Seq(n_targets=1, n_covariates=0, window_length=12, horizon=3)
    >>> prediction, attention = net(torch.randn(8, 12, 1), horizon=3)
    >>> prediction.shape, attention.temporal.shape
    (torch.Size([8, 3, 1]), torch.Size([8, 3, 12]))
    >>> seasonal = AttentionSeq2Seq(1, 0, 12, horizon=3, seasonal_lags=(4,))
    >>> seasonal.seasonal_inputs(torch.arange(12.0).view(1, 12, 1), 3).flatten()
    tensor([ 8.,  9., 10.])
    """

    seasonal_residual = False  # networks pickled before the option read this

    def __init__(
        self,
        n_targets,
        n_covariates,
        window_length,
        hidden_size=32,
        num_layers=1,
        dropout=0.0,
        attention="luong_dot",
        input_attention=False,
        decoder="direct",
        horizon=None,
        n_known_covariates=None,
        attention_size=None,
        seasonal_lags=None,
        seasonal_residual=False,
    ):
        super().__init__()
        if decoder not in DECODERS:
            raise ValueError(f"`decoder` must be one of {DECODERS}, got {decoder!r}")
        if decoder == "direct" and (horizon is None or horizon < 1):
            raise ValueError(
                f"the direct decoder needs `horizon`, an int >= 1, got {horizon!r}"
            )
        self.n_targets = n_targets
        n_features = n_targets + n_covariates
        n_known = n_covariates if n_known_covariates is None else n_known_covariates
        self.seasonal_lags = tuple(seasonal_lags or ())
        for lag in self.seasonal_lags:
            if not 1 <= lag <= window_length:
                raise ValueError(
                    "each of `seasonal_lags` must be between 1 and the window "
                    f"length ({window_length}), got {lag}"
                )
        n_known += n_targets * len(self.seasonal_lags)
        if seasonal_residual and not (self.seasonal_lags and decoder == "direct"):
            raise ValueError(
                "`seasonal_residual` needs `seasonal_lags` and the direct decoder, "
                f"got seasonal_lags={seasonal_lags!r} and decoder={decoder!r}"
            )
        self.seasonal_residual = seasonal_residual
        if input_attention:
            self.encoder = InputAttentionEncoder(
                n_features, window_length, hidden_size, num_layers, dropout
            )
        else:
            self.encoder = LSTMEncoder(n_features, hidden_size, num_layers, dropout)
        direct = decoder == "direct"
        size = _attention_size(hidden_size, attention_size) if direct else hidden_size
        if direct:
            self.decoder = DirectDecoder(
                n_targets, n_known, hidden_size, horizon, dropout, attention, size
            )
        else:
            self.decoder = AttentionDecoder(
                n_targets, n_known, hidden_size, num_layers, dropout, attention
            )
        #: steps one forward pass can decode (None: any number)
        self.max_horizon = horizon if direct else None
        # Memory slot t = LSTM output + a projection of input t (as weighted by
        # the input attention, if any) + a learned embedding of position t: each
        # slot stays tied to its own time step, and any score can address a lag,
        # so attention weights point at real periods. The direct decoder attends
        # in d dimensions: its slots take the first d units of the LSTM output
        # (the recursive decoder's all D).
        self.anchor = nn.Linear(n_features, size, bias=False)
        self.position = nn.Parameter(torch.zeros(window_length, size))

    def encode(self, past):
        """Encode ``past`` (B, T, F): (memory (B, T, d), state, feature weights).

        d is D for the recursive decoder and ``attention_size`` for the direct
        one. The feature weights are (B, T, F) with input attention, else None;
        they need no future covariates.
        """
        outputs, state, feature = self.encoder(past)  # (B, T, D)
        # with input attention the slot's anchor sees the attended input, so no
        # route around the feature attention reaches the memory
        inputs = past if feature is None else past * feature  # (B, T, F)
        size = self.position.shape[-1]  # d
        memory = outputs[..., :size] + self.anchor(inputs) + self.position  # (B, T, d)
        return memory, state, feature

    def seasonal_inputs(self, past, horizon):
        """Return the window's values at ``seasonal_lags`` for each forecast step.

        Step h (1-based) of lag L reads the targets ``L * ceil(h / L)`` steps
        before its time, at window position ``T - 1 + h - L * ceil(h / L)``,
        which lies in the window's last L steps.

        Parameters
        ----------
        past : torch.Tensor
            (B, T, F) encoder window, targets first.
        horizon : int
            H, forecast steps.

        Returns
        -------
        torch.Tensor
            (B, H, N x lags): for each lag in turn, the N targets.
        """
        steps = torch.arange(1, horizon + 1, device=past.device)  # (H,)
        columns = []
        for lag in self.seasonal_lags:
            back = lag * torch.div(steps + lag - 1, lag, rounding_mode="floor")
            position = past.shape[1] - 1 + steps - back  # (H,)
            columns.append(past[:, position, : self.n_targets])  # (B, H, N)
        return torch.cat(columns, dim=-1)

    def forward(
        self, past, future=None, horizon=None, target=None, teacher_forcing_ratio=0.0
    ):
        """Forecast ``horizon`` steps after the window ``past`` (B, T, F).

        ``future`` (B, H, K) holds the known covariates over the horizon; ``target``
        (B, H, N) enables teacher forcing with probability
        ``teacher_forcing_ratio`` (recursive decoder only; the direct decoder
        never reads the truth). Returns ``(prediction (B, H, N),
        AttentionWeights)``.
        """
        if horizon is None:
            horizon = (target if target is not None else future).shape[1]
        if self.seasonal_lags:
            seasonal = self.seasonal_inputs(past, horizon)  # (B, H, N x lags)
            naive = seasonal[..., : self.n_targets]  # (B, H, N) at the first lag
            if future is not None:
                seasonal = torch.cat([future[:, :horizon], seasonal], dim=-1)
            future = seasonal
        memory, state, feature = self.encode(past)
        if self.max_horizon is not None:
            prediction, temporal = self.decoder(memory, future, horizon)
            if self.seasonal_residual:
                prediction = prediction + naive
        else:
            y_last = past[:, -1, : self.n_targets]  # (B, N)
            prediction, temporal = self.decoder(
                memory, state, y_last, future, horizon, target, teacher_forcing_ratio
            )
        return prediction, AttentionWeights(temporal, feature)
