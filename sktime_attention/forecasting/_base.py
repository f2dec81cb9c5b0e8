"""sktime plumbing shared by the attention forecasters: one network, one data store.

The wrapper converts data, calls the pieces and sets fitted attributes:
:class:`~sktime_attention.data.SeriesStore` holds the series and their scaling,
:func:`~sktime_attention.training.train_network` trains, and
:func:`~sktime_attention.training.run_network` is the one path that runs the fitted
network, for ``predict``, ``predict_attention``, ``get_attention`` and the
attention stored at the cutoff. Subclasses add parameters, tags, docs and
``_build_network``.
"""

__all__ = ["_Seq2SeqForecaster"]

import copy

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils import check_random_state
from sktime.forecasting.base import BaseForecaster, ForecastingHorizon

from sktime_attention.data import SeriesStore, temporal_table
from sktime_attention.data._tables import (
    combine_window_tables,
    stack_tables,
    window_tables,
)
from sktime_attention.training import (
    TrainingSettings,
    Windows,
    run_network,
    train_network,
)
from sktime_attention.training._train import LOSSES
from sktime_attention.utils._validation import check_float, check_int, check_option

SCALINGS = ("standard", "window", "none")
DEVICES = ("auto", "cpu", "cuda")


class _Seq2SeqForecaster(BaseForecaster):
    """Base of the torch attention forecasters; subclasses build the network.

    Private state, set in ``_fit``: ``_store``, the :class:`SeriesStore` the
    network reads (history, keys, scaler).
    """

    _config = {"remember_data": False}
    _ATTENTION_BATCH = 512  # windows per forward pass in get_attention

    def __init__(self):
        super().__init__()
        self._y = None
        self._X = None

    def _build_network(self, n_targets, n_covariates):
        raise NotImplementedError

    def _check_params(self):
        # `attention` is checked where the network is built (attention_class)
        check_int(self.window_length, "window_length", minimum=1)
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

    # -- fit ----------------------------------------------------------------------
    def _setup(self, y, X, fh, config=None):
        """Check parameters and data, store the data; return its layout.

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
        self.horizon_ = layout["horizon"]
        self._store = SeriesStore(y, X, self.scaling)
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
        self._set_cutoff_attention()
        return self

    def _pretrain(self, y, X=None, fh=None):
        """Train one network on all series of a panel (global model)."""
        self.pretrain_config_ = self._setup(y, X, fh)
        self._train()
        return self

    def _pretrain_update(self, y, X=None, fh=None):
        """Continue training the pretrained network on more panel data."""
        if not hasattr(self, "network_"):
            return self._pretrain(y, X, fh)
        self._setup(y, X, fh, self.pretrain_config_)
        self._train(self.network_)
        return self

    def _fh_max(self, fh):
        return None if fh is None else int(max(self._steps(fh)))

    def _train(self, start=None, epochs=None):
        """Train on the stored series; continue from network ``start`` if given."""
        store = self._store
        windows = Windows(
            [store.scale(a, s) for s, a in enumerate(store.arrays)],
            self.window_length,
            self.horizon_,
            store.n_targets,
            self.validation_fraction,
            center=self.scaling == "window",
        )
        settings = TrainingSettings(
            max_epochs=epochs or self.max_epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            loss=self.loss,
            patience=self.patience,
            teacher_forcing_ratio=self.teacher_forcing_ratio,
            windows_per_epoch=self.windows_per_epoch,
            seed=check_random_state(self.random_state).randint(np.iinfo(np.int32).max),
            device=self.device,
            num_threads=self.num_threads,
            verbose=self.verbose,
        )
        if start is None:

            def build():
                return self._build_network(store.n_targets, store.n_covariates)

        else:

            def build():
                return copy.deepcopy(start)

        self.network_, history = train_network(build, windows, settings)
        self.training_history_ = pd.DataFrame(history).set_index("epoch")
        self.n_epochs_ = len(history)

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
        """Scaled covariates (S, H, C) over steps 1..H after the cutoff, or None."""
        store = self._store
        if not store.n_covariates:
            return None
        return np.stack(
            [store.future(X, s, horizon, self.cutoff) for s in range(len(store.keys))]
        )

    def _set_cutoff_attention(self):
        """Store the attention of the forecast from the cutoff.

        Returns the feature attention (S, T, F) of the cutoff windows, or None.
        Runs without future ``X``: a model with covariates gets feature attention
        only (``attention_weights_`` None).
        """
        store, horizon = self._store, self.horizon_
        future = None
        if store.n_covariates:  # unknown: the network runs its encoder only
            future = np.full((len(store.keys), horizon, store.n_covariates), np.nan)
        _, temporal, feature = self._run(horizon, future)
        self.attention_weights_ = None
        if not store.n_covariates:
            steps = np.arange(1, horizon + 1)
            self.attention_weights_ = temporal_table(temporal, steps, store.keys)
        return feature

    # -- predict --------------------------------------------------------------------
    def _steps(self, fh):
        """Relative steps of ``fh`` from the cutoff, as positive ints."""
        steps = np.asarray(fh.to_relative(self.cutoff), dtype=int)
        if (steps < 1).any():
            raise ValueError(
                f"`fh` must lie after the cutoff {self.cutoff[0]}: in-sample steps "
                f"{steps[steps < 1].tolist()} are not supported"
            )
        return steps

    def _predict(self, fh, X=None):
        store, steps = self._store, self._steps(fh)
        gaps = [store.gap(s, self.cutoff, fh.freq) for s in range(len(store.keys))]
        horizon = int(steps.max()) + max(gaps)
        values, _, _ = self._run(horizon, self._future(X, horizon))
        index = fh.to_absolute_index(self.cutoff).rename(store.index_names[-1])
        frames = [
            pd.DataFrame(
                values[s, steps + gap - 1], index=index, columns=store.y_columns
            )
            for s, gap in enumerate(gaps)
        ]
        if not store.is_panel:
            return frames[0]
        return pd.concat(frames, keys=store.keys, names=store.index_names[:-1])

    def _update(self, y, X=None, update_params=True):
        self._store.extend(y, X)
        if update_params and self.refit_on_update:
            self._train()
        self._set_cutoff_attention()
        return self

    # -- interpretability ---------------------------------------------------------
    def get_history(self):
        """Return the target values seen in ``fit`` and ``update``.

        The network's context window is the last ``window_length`` rows of each
        series.

        Returns
        -------
        pd.DataFrame
            Columns: the target columns of ``y``; index: time (a panel's series
            keys as outer levels).
        """
        self.check_is_fitted()
        store = self._store
        frames = [
            pd.DataFrame(
                array[:, : store.n_targets],
                index=store.history_index(s, self.cutoff),
                columns=store.y_columns,
            )
            for s, array in enumerate(store.arrays)
        ]
        return stack_tables(frames, store.keys, store.index_names)

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
            fh = self._fh if self._fh is not None else range(1, self.horizon_ + 1)
        if not isinstance(fh, ForecastingHorizon):
            fh = ForecastingHorizon(fh, is_relative=True)
        steps = self._steps(fh)
        horizon = int(steps.max())
        _, temporal, _ = self._run(horizon, self._future(X, horizon))
        return temporal_table(temporal, steps, self._store.keys)

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
        store, t, horizon = self._store, self.window_length, self.horizon_
        series = store.explained_series(y, X, horizon, self.cutoff)
        blocks = []
        for _, scaled, index, future in series:
            if len(scaled) < t:
                raise ValueError(
                    f"`y` has {len(scaled)} time points but `window_length` "
                    f"({t}) are needed for one window"
                )
            past = sliding_window_view(scaled, t, axis=0).transpose(0, 2, 1)
            if future is not None:  # rows after each window's end: (W, H, C)
                future = sliding_window_view(future[t:], horizon, axis=0)
                future = future.transpose(0, 2, 1)
            _, temporal, feature = run_network(
                self.network_,
                past,
                future,
                horizon,
                center=self.scaling == "window",
                num_threads=self.num_threads,
                batch_size=self._ATTENTION_BATCH,
            )
            ends = index[t - 1 :]
            blocks.append(window_tables(temporal, feature, ends, store.feature_names))
        keys = [key for key, *_ in series]
        return combine_window_tables(blocks, keys, store.key_names, aggregate)
