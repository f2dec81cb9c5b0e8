"""The one path that runs a fitted network: forecasts and attention from windows.

Shape legend: B windows, T encoder steps, H forecast steps, N targets,
C covariates, F = N + C encoder features.
"""

__all__ = ["run_network"]

import numpy as np
import torch

from ._runtime import torch_threads
from ._windows import center_on_last


@torch.no_grad()
def run_network(
    network, past, future, horizon, center, num_threads=None, batch_size=None
):
    """Run ``network`` on scaled windows; return forecasts and attention.

    Windows whose future covariates are unknown (a NaN in their rows of
    ``future``) go through the encoder only: they get feature attention (it needs
    no future) and NaN forecasts and temporal attention.

    Parameters
    ----------
    network : AttentionSeq2Seq
        A fitted network (eval mode).
    past : np.ndarray
        (B, T, F) scaled encoder windows, targets first.
    future : np.ndarray or None
        (B, H, C) scaled covariates over the horizon, NaN where unknown; None for
        a network without covariates.
    horizon : int
        H, steps to decode.
    center : bool
        Express targets relative to each window's last value (``scaling="window"``);
        the level is added back to the forecasts.
    num_threads : int or None
        Torch threads (None leaves the setting alone).
    batch_size : int or None
        Windows per forward pass; None runs all at once.

    Returns
    -------
    prediction : np.ndarray
        (B, H, N) forecasts in scaled units.
    temporal : np.ndarray
        (B, H, T) decoder attention over encoder steps; rows sum to 1.
    feature : np.ndarray or None
        (B, T, F) input attention over features (rows sum to 1), or None for a
        network without input attention.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.networks import AttentionSeq2Seq
    >>> from sktime_attention.training import run_network
    >>> network = AttentionSeq2Seq(1, 0, 6, hidden_size=4, horizon=2).eval()
    >>> past = np.zeros((3, 6, 1))  # three windows
    >>> prediction, temporal, feature = run_network(network, past, None, 2, True)
    >>> prediction.shape, temporal.shape, feature is None
    ((3, 2, 1), (3, 2, 6), True)
    """
    n = network.n_targets
    size = batch_size or max(len(past), 1)
    prediction = np.full((len(past), horizon, n), np.nan)
    temporal = np.full((len(past), horizon, past.shape[1]), np.nan)
    feature = None
    with torch_threads(num_threads):
        for i in range(0, len(past), size):
            rows = slice(i, i + size)
            window, level = _tensor(past[rows]), None  # (B, T, F)
            if center:
                (window,), level = center_on_last(n, window)
            fut, known = None, torch.ones(len(window), dtype=torch.bool)
            if future is not None:
                fut = _tensor(future[rows])  # (B, H, C)
                known = ~torch.isnan(fut).any(dim=2).any(dim=1)  # (B,)
            weights = None
            if not known.all():  # the encoder alone gives feature attention
                weights = network.encode(window)[2]  # (B, T, F) or None
            if known.any():
                at = i + np.flatnonzero(known.numpy())
                fut = None if fut is None else fut[known]
                pred, attention = _forward(network, window[known], fut, horizon, center)
                if level is not None:
                    pred = pred + level[known]
                prediction[at] = pred.double().numpy()
                temporal[at] = attention.temporal.double().numpy()
                if known.all():
                    weights = attention.feature
            if weights is not None:
                if feature is None:
                    feature = np.empty((len(past), *weights.shape[1:]))
                feature[rows] = weights.double().numpy()
    return prediction, temporal, feature


def _forward(network, window, future, horizon, center):
    """One forward pass, or consecutive passes past the network's ``max_horizon``.

    A direct decoder decodes at most ``max_horizon`` steps at once; for more, the
    window is rolled forward over its own forecasts (and the known covariates)
    and decoded again, re-centred on its new last value when ``center``. The
    attention of a later block is over the rolled window, whose last step is the
    last forecast of the block before.
    """
    block = getattr(network, "max_horizon", None) or horizon
    if horizon <= block:
        return network(window, future, horizon)
    n, t = network.n_targets, window.shape[1]
    predictions, temporal, first = [], [], None
    for start in range(0, horizon, block):
        steps = min(block, horizon - start)
        fut = None if future is None else future[:, start : start + steps]
        shift = window[:, -1:, :n] if center else torch.zeros_like(window[:, -1:, :n])
        inputs = torch.cat([window[..., :n] - shift, window[..., n:]], dim=-1)
        pred, attention = network(inputs, fut, steps)
        pred = pred + shift  # (B, h, N)
        first = first or attention  # feature attention: the cutoff window's
        predictions.append(pred)
        temporal.append(attention.temporal)  # (B, h, T)
        rows = pred if fut is None else torch.cat([pred, fut], dim=-1)  # (B, h, F)
        window = torch.cat([window, rows], dim=1)[:, -t:]  # (B, T, F)
    temporal = torch.cat(temporal, dim=1)  # (B, H, T)
    return torch.cat(predictions, dim=1), first._replace(temporal=temporal)


def _tensor(array):
    """Return ``array`` as a float32 tensor (copies a window view, per batch)."""
    return torch.from_numpy(np.ascontiguousarray(array, dtype=np.float32))
