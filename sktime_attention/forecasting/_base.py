"""sktime plumbing shared by the attention forecasters: one network, one data store.

The wrapper converts data, calls the pieces and sets fitted attributes:
:class:`~sktime_attention.data.SeriesStore` holds the series and their scaling,
:func:`~sktime_attention.training.train_network` trains, and
:func:`~sktime_attention.training.run_network` is the one path that runs the fitted
network, here for ``predict`` and, in the mixed-in attention API
(``_attention_tables.py``), for ``predict_attention``, ``get_attention`` and the
tables stored at the cutoff. Subclasses add parameters, tags and docs; the
network is an :class:`~sktime_attention.networks.AttentionSeq2Seq`, with input
attention where ``_input_attention``.
"""

__all__ = ["_Seq2SeqForecaster"]

import copy
import dataclasses

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from sktime.forecasting.base import BaseForecaster
from sktime.utils.parallel import parallelize

from sktime_attention.data import SeriesStore
from sktime_attention.forecasting._attention_tables import _AttentionTables
from sktime_attention.forecasting._covariates import (
    check_past_covariates,
    match_known_X,
    resolve_past_covariates,
)
from sktime_attention.forecasting._seq2seq_intervals import (
    CALIBRATIONS,
    _Seq2SeqIntervals,
)
from sktime_attention.forecasting._update import _SafeUpdate
from sktime_attention.networks import DECODERS, AttentionSeq2Seq, AveragedNetworks
from sktime_attention.training import (
    TrainingSettings,
    Windows,
    run_network,
    train_network,
)
from sktime_attention.training._train import LOSSES
from sktime_attention.utils._validation import (
    check_bool,
    check_columns,
    check_float,
    check_int,
    check_lags,
    check_option,
    check_regular_index,
)

SCALINGS = ("standard", "window", "none")
DEVICES = ("auto", "cpu", "cuda")


class _Seq2SeqForecaster(
    _SafeUpdate, _Seq2SeqIntervals, _AttentionTables, BaseForecaster
):
    """Base of the torch attention forecasters; subclasses build the network.

    Private state, set in ``_fit``: ``_store``, the :class:`SeriesStore` the
    network reads (history, keys, scaler).
    """

    _config = {"remember_data": False}

    def __init__(self):
        super().__init__()
        self._y = None
        self._X = None

    _input_attention = False  # DualStageAttentionForecaster: True

    def _network_kwargs(self, n_targets, n_covariates):
        """Keyword arguments of a fresh network; the store says which are known."""
        return {
            "n_targets": n_targets,
            "n_covariates": n_covariates,
            "window_length": self.window_length,
            "hidden_size": self.hidden_size,
            "attention_size": self.attention_size,
            "num_layers": self.num_layers,
            "dropout": self.dropout,
            "attention": self.attention,
            "input_attention": self._input_attention,
            "decoder": self.decoder,
            "horizon": self.horizon_,
            "n_known_covariates": self._store.n_known,
            "seasonal_lags": self.seasonal_lags,
            "seasonal_residual": self.seasonal_residual,
        }

    def _check_params(self):
        # `attention` is checked where the network is built (attention_class)
        check_int(self.window_length, "window_length", minimum=1)
        check_option(self.decoder, "decoder", DECODERS)
        check_int(self.hidden_size, "hidden_size", minimum=1)
        check_int(self.attention_size, "attention_size", minimum=1, allow_none=True)
        if self.attention_size is not None and self.attention_size > self.hidden_size:
            raise ValueError(
                f"`attention_size` must be at most `hidden_size` ({self.hidden_size})"
                f", got {self.attention_size}"
            )
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
        check_int(
            self.lr_reduce_patience, "lr_reduce_patience", minimum=1, allow_none=True
        )
        check_int(self.horizon, "horizon", minimum=1, allow_none=True)
        check_option(self.scaling, "scaling", SCALINGS)
        check_option(self.device, "device", DEVICES)
        check_int(self.num_threads, "num_threads", minimum=1, allow_none=True)
        check_int(self.windows_per_epoch, "windows_per_epoch", 1, allow_none=True)
        check_int(self.fine_tune_epochs, "fine_tune_epochs", minimum=0)
        check_int(self.n_networks, "n_networks", minimum=1)
        check_past_covariates(self.past_covariates)
        check_lags(self.seasonal_lags, "seasonal_lags", self.window_length)
        check_bool(self.seasonal_residual, "seasonal_residual")
        if self.seasonal_residual and not (
            self.seasonal_lags and self.decoder == "direct"
        ):
            raise ValueError(
                "`seasonal_residual=True` needs `seasonal_lags` and "
                f'`decoder="direct"`, got seasonal_lags={self.seasonal_lags!r} '
                f"and decoder={self.decoder!r}"
            )
        check_option(self.interval_calibration, "interval_calibration", CALIBRATIONS)

    # -- fit ----------------------------------------------------------------------
    def _setup(self, y, X, fh, config=None):
        """Check parameters and data, store the data; return its layout.

        ``config`` (a ``pretrain_config_``) fixes the layout a pretrained network
        expects; new data must match it.
        """
        self._check_params()
        past = resolve_past_covariates(self.past_covariates, X)
        layout = {
            "n_targets": y.shape[1],
            "n_covariates": 0 if X is None else X.shape[1],
            "y_columns": list(y.columns),
            "X_columns": None if X is None else list(X.columns),
            "past_covariates": past,
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
            _check_past_layout(layout, config)
            layout["horizon"] = config["horizon"]
        self.horizon_ = layout["horizon"]
        self._store = SeriesStore(y, X, self.scaling, past)  # checks values first
        check_regular_index(y.index, "y")
        length = self.window_length + self.horizon_
        too_short = [len(a) for a in self._store.arrays if len(a) < length]
        if too_short:
            raise ValueError(
                f"`y` has {min(too_short)} time points but `window_length` "
                f"({self.window_length}) + horizon ({self.horizon_}) = {length} are "
                "needed for one training window; shorten `window_length` or "
                "`horizon`, or pass more data"
            )
        return layout

    def _fit(self, y, X=None, fh=None):
        pretrained = self.state == "pretrained"
        self._setup(y, X, fh, self.pretrain_config_ if pretrained else None)
        if not pretrained:
            self._train()
        elif self.fine_tune_epochs:
            self._train(self.network_, self.fine_tune_epochs)
        self._calibrate(pretrained)
        self._set_cutoff_attention()
        return self

    def _pretrain(self, y, X=None, fh=None):
        """Train one network on all series of a panel (global model)."""
        self.pretrain_config_ = self._setup(y, X, fh)
        self._train()
        self._note_pretrain_data()
        return self

    def _pretrain_update(self, y, X=None, fh=None):
        """Continue training the pretrained network on more panel data."""
        if not hasattr(self, "network_"):
            return self._pretrain(y, X, fh)
        self._setup(y, X, fh, self.pretrain_config_)
        self._train(self.network_)
        self._note_pretrain_data()
        return self

    def _note_pretrain_data(self):
        """Record each series' last time point trained on (``seen_until``)."""
        seen = dict(self.pretrain_config_.get("seen_until", {}))
        for key, index in zip(self._store.keys, self._store.indexes):
            seen[key] = max(seen.get(key, index[-1]), index[-1])
        self.pretrain_config_["seen_until"] = seen

    def _fh_max(self, fh):
        """Largest out-of-sample step of ``fh``; None without one."""
        steps = [] if fh is None else self._steps(fh)
        return int(max(steps)) if len(steps) and max(steps) >= 1 else None

    def _train(self, start=None, epochs=None):
        """Train on the stored series; continue from network ``start`` if given.

        ``n_networks`` networks train one after another, or at once under the
        ``backend:parallel`` config (sktime's ``parallelize``), each with its own
        seed drawn from ``random_state`` (the first seed is the one a single
        network gets), so the backend does not change the result; more than one
        are kept as :class:`AveragedNetworks`. Continuing an average trains each
        of its networks on.
        """
        if start is None:
            starts = [None] * self.n_networks
        elif isinstance(start, AveragedNetworks):
            starts = list(start.networks)
        else:
            starts = [start]
        store = self._store
        windows = Windows(
            [store.scale(a, s) for s, a in enumerate(store.arrays)],
            self.window_length,
            self.horizon_,
            store.n_targets,
            self.validation_fraction,
            center=self.scaling == "window",
            known=store.known,
        )
        random_state = check_random_state(self.random_state)
        seeds = [random_state.randint(np.iinfo(np.int32).max) for _ in starts]
        settings = TrainingSettings(
            max_epochs=epochs or self.max_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            loss=self.loss,
            patience=self.patience,
            lr_reduce_patience=self.lr_reduce_patience,
            teacher_forcing_ratio=self.teacher_forcing_ratio,
            windows_per_epoch=self.windows_per_epoch,
            seed=seeds[0],
            device=self.device,
            num_threads=self.num_threads,
            verbose=self.verbose,
        )
        fresh = self._network_kwargs(store.n_targets, store.n_covariates)
        config = self.get_config() if len(starts) > 1 else {}
        trained = parallelize(
            _train_one,
            list(zip(seeds, starts)),
            meta={"windows": windows, "settings": settings, "fresh": fresh},
            backend=config.get("backend:parallel"),
            backend_params=config.get("backend:parallel:params"),
        )
        networks = [network for network, _ in trained]
        histories = [pd.DataFrame(h).set_index("epoch") for _, h in trained]
        if len(networks) == 1:
            self.network_, self.training_history_ = networks[0], histories[0]
        else:
            self.network_ = AveragedNetworks(networks).eval()
            self.training_history_ = pd.concat(
                histories, keys=range(len(histories)), names=["network"]
            )
        self.n_epochs_ = max(len(h) for h in histories)

    # -- running the network ------------------------------------------------------
    def _run(self, horizon, future):
        """Run the network from each series' cutoff: raw forecasts and attention.

        Returns forecasts (S, H, N) in the units of ``y``, temporal attention
        (S, H, T) and feature attention (S, T, F) or None.
        """
        store = self._store
        prediction, temporal, feature = run_network(
            self.network_,
            store.context(self.window_length),
            future,
            horizon,
            center=self.scaling == "window",
            num_threads=self.num_threads,
        )
        values = np.stack(
            [store.unscale_targets(p, s) for s, p in enumerate(prediction)]
        )
        return values, temporal, feature

    def _future(self, X, horizon):
        """Scaled known covariates (S, H, K) over steps 1..H after the cutoff, or None.

        Past-only covariates are not read: the direct decoder cannot then roll
        past its ``max_horizon`` (the rolled window would need their later values).
        """
        store = self._store
        block = getattr(self.network_, "max_horizon", None)
        if store.past_columns and block is not None and horizon > block:
            raise ValueError(
                f"`fh` reaches {horizon} steps after the cutoff, but the direct "
                f"decoder decodes {block} (`horizon_`), and rolling the window on "
                "over its forecasts needs the values of the `past_covariates` "
                f"{store.past_columns} after the cutoff; fit with `horizon` >= "
                f'{horizon} or `decoder="recursive"`'
            )
        if not store.n_known:
            return None
        return np.stack(
            [store.future(X, s, horizon, self.cutoff) for s in range(len(store.keys))]
        )

    # -- predict --------------------------------------------------------------------
    def _steps(self, fh):
        """Relative steps of ``fh`` from the cutoff, as ints; <= 0 are in-sample."""
        return np.asarray(fh.to_relative(self.cutoff), dtype=int)

    def _match_X(self, X, where):
        """Return ``X`` with the fitted columns in fitted order (matched by name).

        None stays None where ``fit`` saw ``X``: the caller says what is missing.
        """
        if X is None:
            return None
        if self._store.past_columns:  # they may be left out: never read after fit
            return match_known_X(X, self._store, where)
        return check_columns(X, self._store.X_columns, "X", where)

    def _predict(self, fh, X=None):
        values, _ = self._point_values(fh, X)
        return self._frame(values, fh, self._store.y_columns)

    def _point_values(self, fh, X):
        """Point forecasts (S, K, N) at ``fh`` and the steps (S, K) of each series.

        A step counts from the end of its series (a panel's series may end before
        the cutoff): steps >= 1 are forecasts from the end, steps <= 0 in-sample
        one-step forecasts (``_insample``).
        """
        X = self._match_X(X, "predict")
        store, steps = self._store, self._steps(fh)
        gaps = [store.gap(s, self.cutoff, fh.freq) for s in range(len(store.keys))]
        rel = steps[None, :] + np.array(gaps)[:, None]  # (S, K)
        values = self._insample(rel)  # NaN at steps >= 1
        ahead = rel >= 1
        if ahead.any():
            horizon = int(rel.max())
            forecast, _, _ = self._run(horizon, self._future(X, horizon))
            s, k = np.nonzero(ahead)
            values[s, k] = forecast[s, rel[s, k] - 1]
        return values, rel

    def _frame(self, values, fh, columns):
        """Frame of ``values`` (S, K, len(columns)) on the index of ``fh``."""
        store = self._store
        index = fh.to_absolute_index(self.cutoff).rename(store.index_names[-1])
        if isinstance(columns[0], tuple):
            columns = pd.MultiIndex.from_tuples(columns)
        frames = [pd.DataFrame(v, index=index, columns=columns) for v in values]
        if not store.is_panel:
            return frames[0]
        return pd.concat(frames, keys=store.keys, names=store.index_names[:-1])

    def _update(self, y, X=None, update_params=True):
        store = self._store
        y = check_columns(
            y, store.y_columns, "y", "update", rename_single=store.n_targets == 1
        )
        X = check_columns(X, store.X_columns, "X", "update")
        store.extend(y, X)  # checks values and time steps before any change
        if update_params and self.refit_on_update:
            self._train()
            self._calibrate()
        self._set_cutoff_attention()
        return self


def _check_past_layout(layout, config):
    """Raise unless ``layout`` has the pretrained network's past-only positions."""
    positions = [
        [c["X_columns"].index(name) for name in c.get("past_covariates", [])]
        for c in (layout, config)
    ]
    if positions[0] != positions[1]:
        raise ValueError(
            f"the pretrained network reads the `X` columns at positions "
            f"{positions[1]} ({config.get('past_covariates', [])}) as past-only "
            f"(`past_covariates`), got positions {positions[0]} "
            f"({layout['past_covariates']})"
        )


def _train_one(job, meta):
    """Train one network of ``_train`` (a top-level function, so workers can run it).

    ``job`` is ``(seed, start)``: a fresh network from ``meta["fresh"]`` (the
    network's keyword arguments) when ``start`` is None, else a copy of ``start``.
    Returns ``(network, history)`` as :func:`train_network` does.
    """
    seed, start = job
    fresh = meta["fresh"]

    def build():
        return AttentionSeq2Seq(**fresh) if start is None else copy.deepcopy(start)

    settings = dataclasses.replace(meta["settings"], seed=seed)
    return train_network(build, meta["windows"], settings)
