"""Shared machinery of the attention forecasters: data, windows, training, devices.

Shape legend: S series, B batch, T encoder steps, H forecast steps, N targets,
C covariates, F = N + C encoder features.

Series are kept as float arrays per instance; training windows are gathered by
index from one concatenated tensor, so no window is materialised before its batch.

Training holds a process-wide lock: torch's random generator (weight init, dropout,
teacher forcing) and its thread count are global to the process, so fits running
at once in threads would otherwise mix their random draws and break
``random_state``. Parallel fits scale with processes (loky, dask workers).
"""

__all__ = ["_BaseAttentionForecaster"]

import copy
import logging
import math
import sys
import threading
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


_TORCH_LOCK = threading.RLock()  # guards torch's global RNG and thread count


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
    with _TORCH_LOCK:
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
        check_int(self.fine_tune_epochs, "fine_tune_epochs", minimum=0)

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
    def _setup(self, y, X, fh, config=None):
        """Check parameters and data, set the data layout; return raw arrays.

        ``config`` (a ``pretrain_config_``) fixes the layout a pretrained network
        expects; new data must match it.
        """
        self._check_params()
        layout = {
            "n_targets": y.shape[1],
            "n_covariates": 0 if X is None else X.shape[1],
            "y_columns": list(y.columns),
            "X_columns": None if X is None else list(X.columns),
            "horizon": self.horizon or self._fh_max(fh) or self.window_length,
        }
        if config is not None:
            for key in ("n_targets", "n_covariates"):
                if layout[key] != config[key]:
                    what = "`y` columns" if key == "n_targets" else "`X` columns"
                    raise ValueError(
                        f"the pretrained network expects {config[key]} {what}, "
                        f"got {layout[key]}"
                    )
            layout["horizon"] = config["horizon"]
        self._n_targets, self._n_covariates = (
            layout["n_targets"],
            layout["n_covariates"],
        )
        self._y_columns, self._X_columns = layout["y_columns"], layout["X_columns"]
        self._horizon = layout["horizon"]
        self._keys, indexes, raw = self._prepare(y, X)
        self._index_names = list(y.index.names)
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
        return layout, raw

    def _fit(self, y, X=None, fh=None):
        pretrained = self.state == "pretrained"
        config = self.pretrain_config_ if pretrained else None
        _, raw = self._setup(y, X, fh, config)
        length = self.window_length + self._horizon
        if not pretrained:
            self._train(raw, length)
        elif self.fine_tune_epochs:
            self._train(raw, length, self.network_, self.fine_tune_epochs)
        self._set_cutoff_attention()
        return self

    def _pretrain(self, y, X=None, fh=None):
        """Train one network on all series of a panel (global model)."""
        layout, raw = self._setup(y, X, fh)
        self._train(raw, self.window_length + self._horizon)
        self.pretrain_config_ = layout
        return self

    def _pretrain_update(self, y, X=None, fh=None):
        """Continue training the pretrained network on more panel data."""
        if not hasattr(self, "network_"):
            return self._pretrain(y, X, fh)
        _, raw = self._setup(y, X, fh, self.pretrain_config_)
        self._train(raw, self.window_length + self._horizon, self.network_)
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

    def _train(self, raw, length, start=None, epochs=None):
        """Train on windows of ``raw``; continue from network ``start`` if given."""
        epochs = epochs or self.max_epochs
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
        with (
            _TORCH_LOCK,
            _torch_threads(self.num_threads),
            torch.random.fork_rng(devices),
        ):
            torch.manual_seed(seed)
            if start is None:
                network = self._build_network(self._n_targets, self._n_covariates)
            else:
                network = copy.deepcopy(start)
            network.to(device)
            optimizer = torch.optim.Adam(network.parameters(), lr=self.learning_rate)
            for epoch in range(1, epochs + 1):
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
                self._progress(epoch, epochs, record)
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

    def _progress(self, epoch, epochs, record):
        if not self.verbose:
            return
        done = int(30 * epoch / epochs)
        losses = "  ".join(f"{k} {v:.4f}" for k, v in record.items() if k != "epoch")
        sys.stderr.write(
            f"\r[{'#' * done}{'.' * (30 - done)}] epoch {epoch}/{epochs}  {losses}"
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

    def _context(self):
        """Return the scaled windows (S, T, F) ending at each series' cutoff.

        Also returns the level to add back to forecasts (``scaling="window"``),
        or None.
        """
        t = self.window_length
        past = np.stack([self._scale(a[-t:], s) for s, a in enumerate(self._history)])
        (past,), level = self._center(torch.from_numpy(past.astype(np.float32)))
        return past, level

    @torch.no_grad()
    def _run(self, horizon, X=None):
        """Forecast ``horizon`` steps for every series: (S, H, N) values, attention."""
        past, level = self._context()
        future = None
        if self._n_covariates:
            future = np.stack([self._future(X, s, horizon) for s in range(len(past))])
            future = torch.from_numpy(future.astype(np.float32))  # (S, H, C)
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
        index = fh.to_absolute_index(self.cutoff).rename(self._index_names[-1])
        frames = [
            pd.DataFrame(
                values[s, steps + gap - 1], index=index, columns=self._y_columns
            )
            for s, gap in enumerate(gaps)
        ]
        if self._keys[0] is None:
            return frames[0]
        return pd.concat(frames, keys=self._keys, names=self._index_names[:-1])

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

    # -- interpretability ----------------------------------------------------------
    _ATTENTION_BATCH = 512  # windows per forward pass in get_attention

    def _key_names(self):
        """Return the names of the series-key levels of a panel."""
        key = self._keys[0]
        return self._index_names[: len(key) if isinstance(key, tuple) else 1]

    def _feature_names(self):
        """Return the encoder feature names: targets, then covariates."""
        return pd.Index([*self._y_columns, *(self._X_columns or [])], name="feature")

    @torch.no_grad()
    def _cutoff_feature_attention(self):
        """Return the feature attention of the window ending at the cutoff.

        Runs the encoder only, so no future ``X`` is needed. The frame has index
        ``lag`` (series keys outside for a panel) and columns ``feature``; None
        when the network has no feature attention.
        """
        t = self.window_length
        past, _ = self._context()
        with _torch_threads(self.num_threads):
            weights = self.network_.encoder(past)[2]  # (S, T, F) or None
        if weights is None:
            return None
        lags = pd.Index(np.arange(-t + 1, 1), name="lag")
        frames = [
            pd.DataFrame(w, index=lags, columns=self._feature_names())
            for w in weights.double().numpy()
        ]
        if self._keys[0] is None:
            return frames[0]
        return pd.concat(frames, keys=self._keys, names=[*self._key_names(), "lag"])

    def get_attention(self, y=None, X=None, aggregate=None):
        """Return temporal and feature attention for every window of a series.

        A pure method: it runs the fitted network over all windows of ``y`` (in
        batches) and changes nothing in the forecaster. Window ``e`` is the
        ``window_length`` steps ending at time ``e`` (its lag 0); its temporal
        attention is that of the forecast of steps ``1 .. horizon`` after ``e``.

        Parameters
        ----------
        y : pd.Series or pd.DataFrame, optional
            Series to explain, with the fitted target columns; default the data
            seen in ``fit`` and ``update``. Scaled with the fitted scaler.
        X : pd.DataFrame, optional
            Covariates of a model fitted with ``X``; required with ``y`` and then
            covering ``y``'s index. Rows of ``X`` after the end of ``y`` (or of the
            stored data) serve as future covariates of the last windows; without
            them those windows get feature attention only.
        aggregate : {None, "mean", "max"}, default=None
            None returns one block per window; "mean" or "max" reduces over
            windows.

        Returns
        -------
        dict
            ``"temporal"``: pd.DataFrame with columns ``lag``
            ``-window_length + 1 .. 0`` (0 = the window end). Per window, the
            index is (``window_end``, ``step``), ``window_end`` being real time
            stamps of ``y``'s index; aggregated, the index is ``step``. Rows sum to
            1 (not for "max"). With ``X``, only windows whose future ``X`` is known
            for the whole horizon appear (None if there is none).
            ``"feature"``: pd.DataFrame with columns ``feature`` (target columns,
            then ``X`` columns) and index (``window_end``, ``lag``) per window, or
            ``lag`` aggregated; rows sum to 1 (not for "max"). It needs no future
            ``X``, so every window appears. None for models without feature
            attention. For a panel, both indexes gain the series keys outside.

        Raises
        ------
        ValueError
            If ``aggregate`` is unknown, ``X`` is missing for a model fitted with
            ``X``, ``y``'s columns differ from the fitted ones, or a series is
            shorter than ``window_length``.
        """
        self.check_is_fitted()
        if aggregate is not None:
            check_option(aggregate, "aggregate", ("mean", "max"))
        horizon = self._horizon
        series = self._attention_series(y, X, horizon)
        blocks = [self._window_attention(*item[1:], horizon) for item in series]
        tables = {}
        for kind, names in (("temporal", ["step"]), ("feature", ["lag"])):
            frames = [block[kind] for block in blocks]
            if any(frame is None for frame in frames):
                tables[kind] = None
                continue
            if aggregate is not None:
                frames = [
                    frame.groupby(level=-1).agg(aggregate) if len(frame) else frame
                    for frame in frames
                ]
            else:
                names = ["window_end", *names]
            if self._keys[0] is None:
                table = frames[0]
            else:
                keys = [item[0] for item in series]
                table = pd.concat(frames, keys=keys, names=[*self._key_names(), *names])
            tables[kind] = table if len(table) else None
        return tables

    def _attention_series(self, y, X, horizon):
        """Return (key, scaled series (L, F), index, covariates (L + H, C)) tuples."""
        if self._n_covariates and X is None and y is not None:
            raise ValueError(
                "`X` is required in get_attention with `y`: the model was fitted "
                "with X, and every window reads past X"
            )
        if self._n_covariates and X is not None:
            missing = [c for c in self._X_columns if c not in X.columns]
            if missing:
                raise ValueError(f"`X` lacks the fitted columns {missing}")
            X = X[self._X_columns]
        if y is None:
            keys = self._keys
            positions = list(range(len(keys)))
            raw = self._history
            indexes = [self._history_index(s) for s in positions]
        else:
            keys, indexes, raw = self._prepare(self._check_attention_y(y), X)
            known = {k: s for s, k in enumerate(self._keys)}
            unseen = [k for k in keys if k not in known]
            if unseen:
                raise ValueError(f"`y` holds series not seen in fit: {unseen[:5]}")
            positions = [known[k] for k in keys]
        series = []
        for key, s, index, array in zip(keys, positions, indexes, raw):
            if len(array) < self.window_length:
                raise ValueError(
                    f"`y` has {len(array)} time points but `window_length` "
                    f"({self.window_length}) are needed for one window"
                )
            scaled, n = self._scale(array, s), self._n_targets
            future = None
            if self._n_covariates:  # known covariates, then H rows after the end
                later = np.full((horizon, self._n_covariates), np.nan)
                after = self._index_after(index, horizon)
                if after is not None and X is not None:
                    X_s = X if key is None else X.loc[key]
                    values = X_s.reindex(after).to_numpy(np.float64)
                    later = (values - self._shift[s][n:]) / self._spread[s][n:]
                future = np.concatenate([scaled[:, n:], later])
            series.append((key, scaled, index, future))
        return series

    def _check_attention_y(self, y):
        """Return ``y`` as a frame with the fitted target columns, in fitted order."""
        if isinstance(y, pd.Series):
            y = y.to_frame()
        if not isinstance(y, pd.DataFrame):
            raise TypeError(f"`y` must be a pd.Series or pd.DataFrame, got {type(y)}")
        if y.shape[1] == 1 and self._n_targets == 1:
            return y.set_axis(self._y_columns, axis=1)
        if set(y.columns) != set(self._y_columns):
            raise ValueError(
                f"`y` must have the fitted columns {self._y_columns}, got "
                f"{list(y.columns)}"
            )
        return y[self._y_columns]

    def _history_index(self, s):
        """Return the time index of the stored data of series ``s`` (fh arithmetic)."""
        length = len(self._history[s])
        lags = ForecastingHorizon(np.arange(-length + 1, 1), is_relative=True)
        try:
            return lags.to_absolute_index(self._series_cutoff(s))
        except (TypeError, ValueError, AttributeError):  # no frequency to step with
            return pd.RangeIndex(length)

    @staticmethod
    def _index_after(index, horizon):
        """Return the ``horizon`` time points after ``index`` (None without freq)."""
        cutoff = index[-1:]
        if isinstance(index, pd.DatetimeIndex) and index.freq is None:
            freq = pd.infer_freq(index) if len(index) >= 3 else None
            cutoff = pd.DatetimeIndex(cutoff, freq=freq)
        try:
            fh = ForecastingHorizon(np.arange(1, horizon + 1), is_relative=True)
            return fh.to_absolute_index(cutoff)
        except (TypeError, ValueError, AttributeError):
            return None

    @torch.no_grad()
    def _window_attention(self, scaled, index, future, horizon):
        """Return the attention of every window of one series as frames.

        ``scaled`` (L, F) is the scaled series, ``future`` (L + H, C) or None its
        scaled covariates followed by H later rows (NaN where unknown).
        """
        t, network = self.window_length, self.network_
        data = torch.from_numpy(scaled.astype(np.float32))  # (L, F)
        starts = np.arange(len(scaled) - t + 1)
        steps = torch.arange(t)
        ahead = torch.arange(t, t + horizon)
        if future is not None:
            future = torch.from_numpy(future.astype(np.float32))  # (L + H, C)
        temporal = np.zeros((len(starts), horizon, t))
        known = np.zeros(len(starts), dtype=bool)  # future X known for the horizon
        feature = None
        with _torch_threads(self.num_threads):
            for i in range(0, len(starts), self._ATTENTION_BATCH):
                batch = torch.from_numpy(starts[i : i + self._ATTENTION_BATCH])[:, None]
                past = data[batch + steps]  # (B, T, F)
                (past,), _ = self._center(past)
                fut, valid = None, torch.ones(len(past), dtype=torch.bool)
                if future is not None:
                    fut = future[batch + ahead]  # (B, H, C)
                    valid = ~torch.isnan(fut).any(dim=2).any(dim=1)
                weights = None
                if not valid.all():  # the encoder alone gives feature attention
                    weights = network.encoder(past)[2]  # (B, T, F) or None
                if valid.any():
                    rows = i + np.flatnonzero(valid.numpy())
                    fut = None if fut is None else fut[valid]
                    _, attention = network(past[valid], fut, horizon)
                    temporal[rows] = attention.temporal.double().numpy()
                    known[rows] = True
                    if valid.all():
                        weights = attention.feature
                if weights is not None:
                    if feature is None:
                        feature = np.empty((len(starts), t, scaled.shape[1]))
                    feature[i : i + len(past)] = weights.double().numpy()
        ends = index[t - 1 :]
        lags = pd.Index(np.arange(-t + 1, 1), name="lag")
        temporal_index = pd.MultiIndex.from_arrays(
            [
                ends[known].repeat(horizon),
                np.tile(np.arange(1, horizon + 1), known.sum()),
            ],
            names=["window_end", "step"],
        )
        block = {
            "temporal": pd.DataFrame(
                temporal[known].reshape(-1, t), index=temporal_index, columns=lags
            ),
            "feature": None,
        }
        if feature is not None:
            feature_index = pd.MultiIndex.from_arrays(
                [ends.repeat(t), np.tile(lags, len(starts))],
                names=["window_end", "lag"],
            )
            block["feature"] = pd.DataFrame(
                feature.reshape(-1, scaled.shape[1]),
                index=feature_index,
                columns=self._feature_names(),
            )
        return block
