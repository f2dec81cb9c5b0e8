"""The attention API of the torch forecasters: tables users read, built on demand.

Mixed into :class:`~sktime_attention.forecasting._base._Seq2SeqForecaster`; every
method runs the network through the base's ``_run`` or
:func:`~sktime_attention.training.run_network` and writes nothing, except
``_set_cutoff_attention``, which ``fit`` and ``update`` call to store the tables of
the forecast from the cutoff.
"""

__all__ = ["_AttentionTables"]

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sktime.forecasting.base import ForecastingHorizon

from sktime_attention.data import temporal_table
from sktime_attention.data._tables import (
    WindowAggregate,
    combine_window_tables,
    stack_tables,
    window_tables,
)
from sktime_attention.training import run_network
from sktime_attention.utils._validation import check_option


class _AttentionTables:
    """Attention and history tables of a fitted torch forecaster."""

    _ATTENTION_BATCH = 512  # windows per forward pass in get_attention

    def _set_cutoff_attention(self):
        """Store the attention of the forecast from the cutoff.

        Returns the feature attention (S, T, F) of the cutoff windows, or None.
        Runs without future ``X``: a model whose decoder reads covariates gets
        feature attention only (``attention_weights_`` None); past-only
        covariates need no future values.
        """
        store, horizon = self._store, self.horizon_
        future = None
        if store.n_known:  # unknown: the network runs its encoder only
            future = np.full((len(store.keys), horizon, store.n_known), np.nan)
        _, temporal, feature = self._run(horizon, future)
        self.attention_weights_ = None
        if not store.n_known:
            steps = np.arange(1, horizon + 1)
            self.attention_weights_ = temporal_table(
                temporal, steps, store.keys, store.key_names
            )
        return feature

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
                index=store.indexes[s],
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
            Future covariates, required when the model was fitted with ``X``
            columns known over the horizon (those not in ``past_covariates``).

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
        if (steps < 1).any():
            raise ValueError(
                f"`fh` of predict_attention must lie after the cutoff "
                f"{self.cutoff[0]}: in-sample steps {steps[steps < 1].tolist()} "
                "have no forecast attention (get_attention covers past windows)"
            )
        horizon = int(steps.max())
        X = self._match_X(X, "predict_attention")
        _, temporal, _ = self._run(horizon, self._future(X, horizon))
        return temporal_table(temporal, steps, self._store.keys, self._store.key_names)

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
            windows while the network runs batch by batch, so memory stays that
            of one batch however long the series.

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
        series = store.explained_series(y, X, horizon)
        blocks = []
        for _, scaled, index, future in series:
            if len(scaled) < t:
                raise ValueError(
                    f"`y` has {len(scaled)} time points but `window_length` "
                    f"({t}) are needed for one window"
                )
            past = sliding_window_view(scaled, t, axis=0).transpose(0, 2, 1)
            if future is not None:  # rows after each window's end: (W, H, K)
                future = sliding_window_view(future[t:], horizon, axis=0)
                future = future.transpose(0, 2, 1)
            if aggregate is not None:  # reduce batch by batch: memory O(batch)
                reduced = WindowAggregate(aggregate)
                for i in range(0, len(past), self._ATTENTION_BATCH):
                    rows = slice(i, i + self._ATTENTION_BATCH)
                    part = None if future is None else future[rows]
                    reduced.add(*self._window_attention(past[rows], part, None))
                blocks.append(reduced.tables(store.feature_names))
                continue
            temporal, feature = self._window_attention(
                past, future, self._ATTENTION_BATCH
            )
            ends = index[t - 1 :]
            blocks.append(window_tables(temporal, feature, ends, store.feature_names))
        keys = [key for key, *_ in series]
        aggregated = aggregate is not None
        return combine_window_tables(blocks, keys, store.key_names, aggregated)

    def _window_attention(self, past, future, batch_size):
        """Temporal (W, H, T) and feature (W, T, F) or None attention of windows."""
        _, temporal, feature = run_network(
            self.network_,
            past,
            future,
            self.horizon_,
            center=self.scaling == "window",
            num_threads=self.num_threads,
            batch_size=batch_size,
        )
        return temporal, feature
