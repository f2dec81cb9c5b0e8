"""Shared machinery of the attention forecasters: data, windows, training, devices.

Shape legend: S series, B batch, T encoder steps, H forecast steps, N targets,
C covariates, F = N + C encoder features.

Series are kept as float arrays per instance; training windows are gathered by
index from one concatenated tensor, so no window is materialised before its batch.
"""

__all__ = ["_BaseAttentionForecaster"]

import copy
import logging
import math
import sys
from contextlib import contextmanager

import numpy as np
import pandas as pd
import torch
from sklearn.utils import check_random_state
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from sktime_attention.networks import ATTENTION_TYPES
from sktime_attention.utils._validation import (
    check_finite_frame,
    check_float,
    check_int,
    check_option,
)

logger = logging.getLogger(__name__)

LOSSES = {
    "mse": torch.nn.functional.mse_loss,
    "mae": torch.nn.functional.l1_loss,
    "huber": torch.nn.functional.huber_loss,
}
SCALINGS = ("standard", "window", "none")
DEVICES = ("auto", "cpu", "cuda")
_GRAD_CLIP = 1.0  # max gradient norm, keeps LSTM training stable


def _split(y, X):
    """Split (possibly multi-indexed) y and X into per-series lists of frames."""
    if not isinstance(y.index, pd.MultiIndex):
        return [None], [y], [X]
    levels = list(range(y.index.nlevels - 1))
    keys, ys, Xs = [], [], []
    for key, group in y.groupby(level=levels, sort=False):
        keys.append(key)
        ys.append(group.droplevel(levels))
        Xs.append(None if X is None else X.loc[key])
    return keys, ys, Xs


def _resolve_device(device):
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("`device` is 'cuda' but torch finds no CUDA device")
    return torch.device(device)


@contextmanager
def _torch_threads(num_threads):
    """Run with ``num_threads`` torch threads (None leaves the setting alone)."""
    if num_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(num_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class _Windows:
    """Index of training windows over a list of (L_s, F) float arrays.

    Window ``i`` covers rows ``starts[i] .. starts[i] + T + H - 1`` of the
    concatenated data; gathering a batch is one advanced-indexing call.
    """

    def __init__(self, arrays, length, validation_fraction):
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
        self.steps = torch.arange(length)

    def gather(self, starts, device):
        """Return the windows starting at ``starts`` as a (B, T + H, F) tensor."""
        index = torch.from_numpy(starts)[:, None] + self.steps  # (B, T + H)
        return self.data[index].to(device)


class _BaseAttentionForecaster(BaseForecaster):
    """Base of the torch attention forecasters; subclasses build the network."""

    _config = {"remember_data": False}

    def __init__(self):
        super().__init__()
        self._y = None
        self._X = None

    # -- parameters -----------------------------------------------------------
    def _check_params(self):
        check_int(self.window_length, "window_length", minimum=1)
        check_option(self.attention, "attention", ATTENTION_TYPES)
        check_int(self.hidden_size, "hidden_size", minimum=1)
        check_int(self.num_layers, "num_layers", minimum=1)
        check_float(self.dropout, "dropout", 0.0, 1.0, high_open=True)
        check_float(self.teacher_forcing_ratio, "teacher_forcing_ratio", 0.0, 1.0)
        check_option(self.loss, "loss", LOSSES)
        check_int(self.max_epochs, "max_epochs", minimum=1)
        check_int(self.batch_size, "batch_size", minimum=1)
        check_float(self.learning_rate, "learning_rate", 0.0, low_open=True)
        check_float(
            self.validation_fraction, "validation_fraction", 0.0, 1.0, False, True
        )
        check_int(self.patience, "patience", minimum=1)
        check_int(self.horizon, "horizon", minimum=1, allow_none=True)
        check_option(self.scaling, "scaling", SCALINGS)
        check_option(self.device, "device", DEVICES)
        check_int(self.num_threads, "num_threads", minimum=1, allow_none=True)
        check_int(self.windows_per_epoch, "windows_per_epoch", 1, allow_none=True)

    def _build_network(self, n_targets, n_covariates):
        raise NotImplementedError

    # -- data -----------------------------------------------------------------
    def _prepare(self, y, X):
        """Validate and split data into per-series raw float arrays (L_s, F)."""
        check_finite_frame(y, "y")
        if X is not None:
            check_finite_frame(X, "X")
        keys, ys, Xs = _split(y, X)
        arrays = []
        for y_s, X_s in zip(ys, Xs):
            parts = [y_s.to_numpy(dtype=np.float64)]
            if X_s is not None:
                X_s = X_s.reindex(y_s.index)
                if X_s.isna().any().any():
                    raise ValueError("`X` must cover every time point of `y`")
                parts.append(X_s.to_numpy(dtype=np.float64))
            arrays.append(np.concatenate(parts, axis=1))
        return keys, [y_s.index for y_s in ys], arrays

    def _scale(self, array, s):
        return (array - self._shift[s]) / self._spread[s]

    def _unscale_targets(self, values, s):
        n = self._n_targets
        return values * self._spread[s][:n] + self._shift[s][:n]

    def _center(self, past, *others):
        """With ``scaling="window"``, express targets relative to the last value."""
        if self.scaling != "window":
            return (past, *others), None
        n = self._n_targets
        level = past[:, -1:, :n].clone()  # (B, 1, N)
        past = torch.cat([past[..., :n] - level, past[..., n:]], dim=-1)
        others = [o - level if o is not None else None for o in others]
        return (past, *others), level

    # -- fit ------------------------------------------------------------------
    def _fit(self, y, X=None, fh=None):
        self._check_params()
        self._n_targets = y.shape[1]
        self._n_covariates = 0 if X is None else X.shape[1]
        self._y_columns = list(y.columns)
        self._X_columns = None if X is None else list(X.columns)
        self._horizon = self.horizon or self._fh_max(fh) or self.window_length
        self._keys, indexes, raw = self._prepare(y, X)
        self._index_names = list(y.index.names[:-1])
        length = self.window_length + self._horizon
        too_short = [len(a) for a in raw if len(a) < length]
        if too_short:
            raise ValueError(
                f"`y` has {min(too_short)} time points but `window_length` "
                f"({self.window_length}) + horizon ({self._horizon}) = {length} are "
                "needed for one training window; shorten `window_length` or "
                "`horizon`, or pass more data"
            )
        self._fit_scaler(raw)
        self._history = raw
        self._last_index = [idx[-1:] for idx in indexes]
        self._train(raw, length)
        self._set_cutoff_attention()
        return self

    def _fh_max(self, fh):
        if fh is None:
            return None
        return int(max(self._steps(fh)))

    def _fit_scaler(self, raw):
        if self.scaling == "none":
            self._shift = [np.zeros(a.shape[1]) for a in raw]
            self._spread = [np.ones(a.shape[1]) for a in raw]
            return
        self._shift = [a.mean(axis=0) for a in raw]
        # a constant column keeps scale 1, so it is centred but never divided by 0
        self._spread = [np.where(a.std(axis=0) > 0, a.std(axis=0), 1.0) for a in raw]

    def _seed(self):
        return check_random_state(self.random_state).randint(np.iinfo(np.int32).max)

    def _train(self, raw, length):
        seed = self._seed()
        device = _resolve_device(self.device)
        windows = _Windows(
            [self._scale(a, s) for s, a in enumerate(raw)],
            length,
            self.validation_fraction,
        )
        rng = np.random.default_rng(seed)
        loss_fn = LOSSES[self.loss]
        devices = [device] if device.type == "cuda" else []
        history, best, best_loss, stale = [], None, np.inf, 0
        with _torch_threads(self.num_threads), torch.random.fork_rng(devices):
            torch.manual_seed(seed)
            network = self._build_network(self._n_targets, self._n_covariates)
            network.to(device)
            optimizer = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
            for epoch in range(1, self.max_epochs + 1):
                network.train()
                starts = rng.permutation(windows.train)[: self.windows_per_epoch]
                total = 0.0
                for i in range(0, len(starts), self.batch_size):
                    batch = windows.gather(starts[i : i + self.batch_size], device)
                    pred, target = self._forward(network, batch, train=True)
                    loss = loss_fn(pred, target)
                    optimizer.zero_grad()
                    loss.backward()
                    torch.nn.utils.clip_grad_norm_(network.parameters(), _GRAD_CLIP)
                    optimizer.step()
                    total += loss.item() * len(batch)
                record = {"epoch": epoch, "train_loss": total / len(starts)}
                if len(windows.valid):
                    record["val_loss"] = self._evaluate(
                        network, windows, loss_fn, device
                    )
                    if record["val_loss"] < best_loss:
                        best_loss, stale = record["val_loss"], 0
                        best = copy.deepcopy(network.state_dict())
                    else:
                        stale += 1
                history.append(record)
                self._progress(epoch, record)
                if stale >= self.patience:
                    break
        if self.verbose:
            sys.stderr.write("\n")
        if best is not None:
            network.load_state_dict(best)  # early stopping keeps the best epoch
        self.network_ = network.cpu().eval()
        self.training_history_ = pd.DataFrame(history).set_index("epoch")
        self.n_epochs_ = len(history)

    def _forward(self, network, batch, train):
        """Run the network on windows (B, T + H, F); return scaled (pred, target)."""
        t, n = self.window_length, self._n_targets
        past, target = batch[:, :t], batch[:, t:, :n]
        future = batch[:, t:, n:] if self._n_covariates else None
        (past, target), level = self._center(past, target)
        teacher = self.teacher_forcing_ratio if train else 0.0
        pred, _ = network(past, future, target.shape[1], target, teacher)
        return pred, target

    @torch.no_grad()
    def _evaluate(self, network, windows, loss_fn, device):
        network.eval()
        total = 0.0
        for i in range(0, len(windows.valid), 1024):
            batch = windows.gather(windows.valid[i : i + 1024], device)
            pred, target = self._forward(network, batch, train=False)
            total += loss_fn(pred, target, reduction="sum").item() / target[0].numel()
        return total / len(windows.valid)

    def _progress(self, epoch, record):
        if not self.verbose:
            return
        done = int(30 * epoch / self.max_epochs)
        losses = "  ".join(f"{k} {v:.4f}" for k, v in record.items() if k != "epoch")
        sys.stderr.write(
            f"\r[{'#' * done}{'.' * (30 - done)}] epoch {epoch}/{self.max_epochs}  "
            f"{losses}"
        )

    # -- predict ----------------------------------------------------------------
    def _steps(self, fh):
        """Relative steps of ``fh`` from the cutoff, as positive ints."""
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        if (steps < 1).any():
            raise ValueError(
                f"`fh` must lie after the cutoff {self.cutoff[0]}: in-sample steps "
                f"{steps[steps < 1].tolist()} are not supported"
            )
        return steps

    def _future(self, X, s, horizon):
        """Scaled covariates (H, C) of series ``s`` over steps 1..H, or None."""
        if not self._n_covariates:
            return None
        needed = ForecastingHorizon(np.arange(1, horizon + 1), is_relative=True)
        index = needed.to_absolute_index(self._series_cutoff(s))
        if X is None:
            raise ValueError(
                f"`X` is required in predict: the model was fitted with X, and the "
                f"decoder needs X at {index[0]} .. {index[-1]}"
            )
        X_s = X if self._keys[s] is None else X.loc[self._keys[s]]
        X_s = X_s[self._X_columns].reindex(index)
        missing = X_s.index[X_s.isna().any(axis=1)]
        if len(missing):
            raise ValueError(
                f"`X` must cover the forecasting horizon: missing at "
                f"{list(missing[:5])}{' ...' if len(missing) > 5 else ''} "
                f"({len(missing)} of {horizon} steps)"
            )
        n = self._n_targets
        return (X_s.to_numpy(np.float64) - self._shift[s][n:]) / self._spread[s][n:]

    def _series_cutoff(self, s):
        """Cutoff of series ``s``: its last index, with the panel's frequency."""
        if self._keys[0] is None:
            return self.cutoff
        cutoff = self._last_index[s]
        if isinstance(cutoff, pd.DatetimeIndex) and cutoff.freq is None:
            cutoff = pd.DatetimeIndex(cutoff, freq=getattr(self.cutoff, "freq", None))
        return cutoff

    def _gap(self, s, fh):
        """Count the steps from the end of series ``s`` to the (global) cutoff."""
        if self._keys[0] is None or self._last_index[s][0] == self.cutoff[0]:
            return 0
        cutoff = ForecastingHorizon(self.cutoff, is_relative=False, freq=fh.freq)
        return int(cutoff.to_relative(self._series_cutoff(s))[0])

    @torch.no_grad()
    def _run(self, horizon, X=None):
        """Forecast ``horizon`` steps for every series: (S, H, N) values, attention."""
        t = self.window_length
        past = np.stack([self._scale(a[-t:], s) for s, a in enumerate(self._history)])
        past = torch.from_numpy(past.astype(np.float32))  # (S, T, F)
        future = None
        if self._n_covariates:
            future = np.stack([self._future(X, s, horizon) for s in range(len(past))])
            future = torch.from_numpy(future.astype(np.float32))  # (S, H, C)
        (past,), level = self._center(past)
        with _torch_threads(self.num_threads):
            pred, attention = self.network_(past, future, horizon)
        if level is not None:
            pred = pred + level
        values = np.stack(
            [self._unscale_targets(p, s) for s, p in enumerate(pred.double().numpy())]
        )
        return values, attention

    def _predict(self, fh, X=None):
        steps = self._steps(fh)
        gaps = [self._gap(s, fh) for s in range(len(self._keys))]
        values, _ = self._run(int(steps.max()) + max(gaps), X)
        index = fh.to_absolute_index(self.cutoff)
        frames = [
            pd.DataFrame(
                values[s, steps + gap - 1], index=index, columns=self._y_columns
            )
            for s, gap in enumerate(gaps)
        ]
        if self._keys[0] is None:
            return frames[0]
        return pd.concat(frames, keys=self._keys, names=self._index_names)

    # -- attention tables --------------------------------------------------------
    def _attention_frame(self, temporal, steps):
        """Tidy (S, H, T) weights into step x lag frames (one per series, stacked)."""
        lags = np.arange(-self.window_length + 1, 1)
        frames = [
            pd.DataFrame(
                w[steps - 1],
                index=pd.Index(steps, name="step"),
                columns=pd.Index(lags, name="lag"),
            )
            for w in temporal.numpy().astype(np.float64)
        ]
        if self._keys[0] is None:
            return frames[0]
        return pd.concat(frames, keys=self._keys)

    def predict_attention(self, fh=None, X=None):
        """Return the temporal attention of the forecast from the cutoff.

        A pure method: it computes the table and changes nothing in the forecaster.

        Parameters
        ----------
        fh : int, list, np.ndarray or ForecastingHorizon, optional
            Steps to report; default the ``fh`` seen so far, else the training
            horizon (``1 .. horizon``).
        X : pd.DataFrame, optional
            Future covariates, required when the model was fitted with ``X``.

        Returns
        -------
        pd.DataFrame
            Index: forecast step (relative to the cutoff); columns: encoder lag
            ``-window_length + 1 .. 0`` (0 is the cutoff). Rows sum to 1. For a
            panel the index gains the series keys as outer levels.
        """
        self.check_is_fitted()
        if fh is None:
            fh = self._fh if self._fh is not None else range(1, self._horizon + 1)
        if not isinstance(fh, ForecastingHorizon):
            fh = ForecastingHorizon(fh, is_relative=True)
        return self._temporal_attention(self._steps(fh), X)

    def _temporal_attention(self, steps, X=None):
        _, attention = self._run(int(steps.max()), X)
        return self._attention_frame(attention.temporal, steps)

    def _set_cutoff_attention(self):
        """Store the attention of the forecast from the cutoff (needs no future X)."""
        self.attention_weights_ = None
        if not self._n_covariates:
            steps = np.arange(1, self._horizon + 1)
            self.attention_weights_ = self._temporal_attention(steps)

    # -- update -------------------------------------------------------------------
    def _update(self, y, X=None, update_params=True):
        keys, indexes, raw = self._prepare(y, X)
        position = {k: s for s, k in enumerate(self._keys)}
        for key, index, array in zip(keys, indexes, raw):
            if key not in position:
                raise ValueError(f"`y` in update holds an unseen series {key!r}")
            s = position[key]
            new = index > self._last_index[s][0]
            self._history[s] = np.concatenate([self._history[s], array[new]])
            if new.any():
                self._last_index[s] = index[new][-1:]
        if update_params and self.refit_on_update:
            self._train(self._history, self.window_length + self._horizon)
        self._set_cutoff_attention()
        return self
