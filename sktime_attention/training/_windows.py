"""Training windows over one series or a panel, gathered per batch.

Shape legend: B batch, T encoder steps, H forecast steps, N targets,
C covariates, F = N + C encoder features, K covariates known over the horizon.
"""

__all__ = ["Windows", "center_on_last"]

import math

import numpy as np
import torch


def center_on_last(n_targets, past, *others):
    """Express targets relative to the last value of each window.

    ``past`` (B, T, F): its first ``n_targets`` columns, and every tensor of
    ``others`` (B, H, N) or None, lose the level ``past[:, -1, :N]``. Returns
    ``(past, *others)`` and the level (B, 1, N) to add back to forecasts.
    """
    level = past[:, -1:, :n_targets].clone()  # (B, 1, N)
    past = torch.cat([past[..., :n_targets] - level, past[..., n_targets:]], dim=-1)
    others = [o - level if o is not None else None for o in others]
    return (past, *others), level


class Windows:
    """Index of training windows over a list of scaled (L_s, F) float arrays.

    Window ``i`` covers rows ``starts[i] .. starts[i] + T + H - 1`` of the
    concatenated data; gathering a batch is one advanced-indexing call, so no
    window is materialised before its batch. The last ``validation_fraction`` of
    each series' windows are held out (``valid``); the rest train (``train``).

    Parameters
    ----------
    arrays : list of np.ndarray
        Scaled series, (L_s, F) each: targets first, then covariates.
    window_length, horizon, n_targets : int
        T, H and N.
    validation_fraction : float
        Share of each series' last windows held out; a ValueError is raised
        if no training window is left.
    center : bool
        Express targets relative to the last value of each window.
    known : list of int or None, default=None
        Positions among the C covariates of those known over the horizon: only
        they make up ``future``. None: all; past-only covariates are left out
        (they reach the network through ``past`` alone).

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.training import Windows
    >>> series = np.arange(20.0)[:, None]  # (L, F): one target, no covariates
    >>> windows = Windows([series], 5, 2, 1, validation_fraction=0.25, center=True)
    >>> len(windows.train), len(windows.valid)  # 14 windows of 5 + 2 steps
    (10, 4)
    >>> past, future, target = windows.batch(windows.train[:3], "cpu")
    >>> past.shape, future, target[0, :, 0].tolist()  # relative to the last value
    (torch.Size([3, 5, 1]), None, [1.0, 2.0])
    """

    def __init__(
        self,
        arrays,
        window_length,
        horizon,
        n_targets,
        validation_fraction,
        center,
        known=None,
    ):
        self.window_length, self.n_targets, self.center = (
            window_length,
            n_targets,
            center,
        )
        n_covariates = arrays[0].shape[1] - n_targets
        known = range(n_covariates) if known is None else known
        self.future_columns = torch.as_tensor(
            [n_targets + k for k in known], dtype=torch.long
        )  # (K,) columns of the data fed to the decoder
        length = window_length + horizon
        self.data = torch.from_numpy(np.concatenate(arrays).astype(np.float32))
        offsets = np.cumsum([0] + [len(a) for a in arrays[:-1]])
        train, valid = [], []
        for offset, array in zip(offsets, arrays):
            n_starts = len(array) - length + 1
            n_valid = math.ceil(validation_fraction * n_starts) if n_starts > 1 else 0
            starts = offset + np.arange(n_starts)
            train.append(starts[: n_starts - n_valid])
            valid.append(starts[n_starts - n_valid :])
        self.train = np.concatenate(train)
        self.valid = np.concatenate(valid)
        if not len(self.train):
            n_all = len(self.train) + len(self.valid)
            raise ValueError(
                f"`validation_fraction` ({validation_fraction}) holds out "
                f"{len(self.valid)} of the {n_all} windows of "
                f"{window_length} + {horizon} steps, leaving 0 training windows; "
                "lower `validation_fraction` or pass more data"
            )
        self.steps = torch.arange(length)

    def batch(self, starts, device):
        """Return (past (B, T, F), future (B, H, K) or None, target (B, H, N))."""
        index = torch.from_numpy(starts)[:, None] + self.steps  # (B, T + H)
        windows = self.data[index].to(device)  # (B, T + H, F)
        t, n = self.window_length, self.n_targets
        past, target = windows[:, :t], windows[:, t:, :n]
        future = None
        if len(self.future_columns):
            future = windows[:, t:, self.future_columns.to(device)]  # (B, H, K)
        if self.center:
            (past, target), _ = center_on_last(n, past, target)
        return past, future, target
