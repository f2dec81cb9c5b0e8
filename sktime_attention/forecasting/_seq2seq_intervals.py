"""Intervals and in-sample predictions of the attention forecasters.

Both run the fitted network from past origins of the stored series, in batches,
through :func:`~sktime_attention.training.run_network`. Intervals are
split-conformal: ``fit`` keeps the absolute errors, per forecast step and in the
scaled units of each series (divided by the series' scale of the store), of
forecasts whose targets the calibrating network did not train on; ``predict``
turns their empirical quantiles back into the units of each series.

Shape legend: S series, B origins, T encoder steps, H forecast steps, N targets,
C covariates, F = N + C, A coverage levels, K steps of ``fh``.
"""

__all__ = ["_Seq2SeqIntervals", "origin_forecasts", "conformal_widths"]

import copy
import math

import numpy as np
from scipy.stats import norm

from sktime_attention.forecasting._intervals import (
    conformal_rank,
    non_decreasing,
    power_law,
)
from sktime_attention.forecasting._weights import root_mean_square
from sktime_attention.training import run_network

CALIBRATIONS = ("holdout", "insample")
_MAX_ORIGINS = 4096  # calibration origins at most, the latest of each series
_BATCH = 1024  # origins per forward pass
_HOLDOUT_SHARE = 0.2  # share of each series' points held out by "holdout"


def origin_forecasts(network, store, origins, window_length, horizon, center, threads):
    """Scaled forecasts and truth of ``network`` from past origins of ``store``.

    ``origins[s]`` holds positions in series ``s`` (the last point of each
    context window, at least ``window_length - 1``). Returns forecasts (B, H, N),
    the scaled truth (B, H, N; NaN past the end of the series) and the series of
    each origin (B,). A model with covariates reads them from the store (the
    known ones for the decoder, all of them in the window); a window whose
    known covariates run past the end gets NaN forecasts.
    """
    t, n = window_length, store.n_targets
    offsets = np.arange(-t + 1, horizon + 1)
    windows, series = [], []
    for s, at in enumerate(origins):
        scaled = store.scale(store.arrays[s], s)  # (L, F)
        pad = np.full((horizon, scaled.shape[1]), np.nan)
        windows.append(np.concatenate([scaled, pad])[np.asarray(at)[:, None] + offsets])
        series.append(np.full(len(at), s))
    windows = np.concatenate(windows)  # (B, T + H, F)
    known = n + np.asarray(store.known, dtype=int)  # past-only columns: encoder only
    future = windows[:, t:, known] if store.n_known else None  # (B, H, K)
    pred, _, _ = run_network(
        network, windows[:, :t], future, horizon, center, threads, _BATCH
    )
    return pred, windows[:, t:, :n], np.concatenate(series)


def conformal_widths(abs_errors, coverage):
    """Half-widths (H, A, N) of split-conformal intervals.

    Parameters
    ----------
    abs_errors : list of H np.ndarray of shape (n_h, N)
        Absolute scaled errors at each calibrated step.
    coverage : np.ndarray of shape (A,)
        Levels in [0, 1).

    Returns
    -------
    np.ndarray of shape (H, A, N)
        With n errors at a step, the ``ceil((n + 1) c)``-th smallest (coverage at
        least ``c`` for exchangeable errors); where n is too small for ``c``
        (``ceil((n + 1) c) > n``), the larger of the largest error and the
        Gaussian half-width ``z_c * rms``. Then made non-decreasing over the
        steps (`non_decreasing`, weighted by the errors per step): widths never
        shrink with the step.
    """
    widths = np.zeros((len(abs_errors), len(coverage), abs_errors[0].shape[1]))
    for h, errors in enumerate(abs_errors):
        errors = np.sort(errors, axis=0)
        n = len(errors)
        for a, c in enumerate(coverage):
            rank = conformal_rank(n, c)
            if c <= 0:
                continue
            if rank <= n:
                widths[h, a] = errors[rank - 1]
            else:
                rms = root_mean_square(errors, 0)
                widths[h, a] = np.maximum(errors[-1], norm.ppf(0.5 + c / 2) * rms)
    return non_decreasing(widths, [len(e) for e in abs_errors])


def _growth(abs_errors):
    """Exponent b in [0, 1] (N,) of ``rms_h ~ h^b`` over the calibrated steps.

    `power_law` of the errors per step; 0.5 (a random walk's) with one step.
    """
    if len(abs_errors) < 2:
        return np.full(abs_errors[0].shape[1], 0.5)
    steps = np.arange(1, len(abs_errors) + 1)
    return np.minimum(power_law(abs_errors, steps)[1], 1.0)


class _Seq2SeqIntervals:
    """Mixin of the torch forecasters: conformal intervals, in-sample values."""

    # -- fit ------------------------------------------------------------------------
    def _calibrate(self, pretrained=False):
        """Keep the scaled absolute errors per step that intervals read.

        Errors count only at points the scoring network did not train on.
        ``"holdout"`` trains networks as ``fit`` does on each series less its
        last points and scores their forecasts of the held-out points. A
        pretrained network (not fine-tuned) is scored on the points after the
        end of its pretraining data (all points of a series it never saw).
        ``"insample"``, and a pretrained network with nothing unseen, score the
        fitted network on all stored points. At most ``_MAX_ORIGINS`` origins,
        the latest of each series.
        """
        store, t, h = self._store, self.window_length, self.horizon_
        lengths = store.lengths
        network, unseen = self.network_, np.zeros(len(lengths), dtype=int)
        if pretrained and not self.fine_tune_epochs:
            unseen = self._seen_in_pretrain()
        elif self.interval_calibration == "holdout" and not pretrained:
            held = np.maximum(np.ceil(_HOLDOUT_SHARE * lengths), h).astype(int)
            held = np.minimum(held, lengths - t - h)
            if held.max() > 0:
                network, unseen = self._holdout_network(lengths - held), lengths - held
        if (unseen >= lengths).all():  # nothing unseen: score the training points
            unseen = np.zeros(len(lengths), dtype=int)
        per_series = math.ceil(_MAX_ORIGINS / len(lengths))
        first = np.maximum(t - 1, np.maximum(unseen - h, lengths - 1 - per_series))
        origins = [np.arange(a, n - 1) for a, n in zip(first, lengths)]
        pred, truth, series = origin_forecasts(
            network, store, origins, t, h, self.scaling == "window", self.num_threads
        )
        position = np.concatenate(origins)[:, None] + np.arange(1, h + 1)  # (B, H)
        errors = np.abs(truth - pred)  # (B, H, N)
        errors[position < unseen[series][:, None]] = np.nan  # trained on
        abs_errors = []
        for step in range(h):
            rows = errors[:, step]
            rows = rows[~np.isnan(rows).any(axis=1)]
            if not len(rows):  # no origin reaches this step: use the step before
                rows = abs_errors[-1] if abs_errors else np.zeros((1, store.n_targets))
            abs_errors.append(rows)
        self._interval_errors = abs_errors
        self._interval_growth = _growth(abs_errors)

    def _seen_in_pretrain(self):
        """Points (S,) of each stored series at or before its pretraining end."""
        ends = self.pretrain_config_.get("seen_until", {})
        store = self._store
        return np.array(
            [
                index.searchsorted(ends[key], side="right") if key in ends else 0
                for key, index in zip(store.keys, store.indexes)
            ]
        )

    def _holdout_network(self, keep):
        """Networks trained as in ``fit`` on the first ``keep[s]`` points of each.

        Each epoch samples the same share of the (fewer) windows as ``fit``
        does: ``windows_per_epoch`` shrinks with the number of windows, so the
        extra training costs at most what ``fit``'s did.
        """
        twin = copy.copy(self)  # shares parameters; its own store and network
        if self.windows_per_epoch is not None:
            span = self.window_length + self.horizon_ - 1
            lengths = self._store.lengths
            share = np.maximum(keep - span, 0).sum() / (lengths - span).sum()
            twin.windows_per_epoch = max(1, math.ceil(self.windows_per_epoch * share))
        twin._store = copy.copy(self._store)
        twin._store.arrays = [a[:k] for a, k in zip(self._store.arrays, keep)]
        twin._store.indexes = [i[:k] for i, k in zip(self._store.indexes, keep)]
        twin._train()
        return twin.network_

    # -- predict ----------------------------------------------------------------------
    def _insample(self, rel):
        """One-step forecasts (S, K, N) of points ``rel`` (S, K) steps from the end.

        Only steps <= 0 with at least ``window_length`` points before the point;
        NaN elsewhere.
        """
        store, t = self._store, self.window_length
        lengths = store.lengths
        position = lengths[:, None] - 1 + rel  # (S, K)
        wanted = (rel <= 0) & (position >= t)
        values = np.full((*rel.shape, store.n_targets), np.nan)
        if not wanted.any():
            return values
        origins = [position[s, wanted[s]] - 1 for s in range(len(lengths))]
        pred, _, series = origin_forecasts(
            self.network_,
            store,
            origins,
            t,
            1,
            self.scaling == "window",
            self.num_threads,
        )
        pred = np.stack([store.unscale_targets(p, s) for p, s in zip(pred, series)])
        values[wanted] = pred[:, 0]  # origins follow the row-major order of wanted
        return values

    def _step_widths(self, rel, coverage):
        """Half-widths (S, K, A, N) in the units of ``y`` at steps ``rel`` (S, K).

        In-sample points (rel <= 0) are one-step forecasts: step 1's widths.
        Beyond the calibrated steps 1..H, ``w_h = w_H (h / H)^b`` with ``b`` of
        ``_growth``.
        """
        widths = conformal_widths(self._interval_errors, np.asarray(coverage, float))
        return self._at_steps(widths, rel)

    def _at_steps(self, table, rel):
        """Scaled ``table`` (H, ..., N) at steps ``rel`` (S, K), in units of ``y``.

        Returns (S, K, ..., N): step ``max(rel, 1)``'s row up to H, beyond it
        row H times ``(h / H)^b`` (``_growth``), times each series' scale.
        """
        store, last = self._store, len(table)
        step = np.maximum(rel, 1)
        base = table[np.minimum(step, last) - 1]  # (S, K, ..., N)
        ratio = np.maximum(step / last, 1.0)[..., None] ** self._interval_growth
        spread = np.stack([sp[: store.n_targets] for sp in store.spread])  # (S, N)
        middle = (1,) * (table.ndim - 2)  # the axes between step and column
        ratio = ratio.reshape(*ratio.shape[:2], *middle, ratio.shape[-1])
        return base * ratio * spread.reshape(len(spread), 1, *middle, -1)

    def _predict_quantiles(self, fh, X, alpha):
        values, rel = self._point_values(fh, X)  # (S, K, N)
        alpha = np.asarray(alpha, dtype=float)
        widths = self._step_widths(rel, np.abs(2 * alpha - 1))  # (S, K, A, N)
        q = values[:, :, None, :] + np.sign(alpha - 0.5)[:, None] * widths
        q = q.transpose(0, 1, 3, 2)  # (S, K, N, A): variable-major, as sktime
        columns = [(c, a) for c in self._get_varnames() for a in alpha.tolist()]
        return self._frame(q.reshape(*q.shape[:2], -1), fh, columns)

    def _predict_var(self, fh, X=None, cov=False):
        if cov:
            raise NotImplementedError(
                f"{type(self).__name__} returns marginal variances only (cov=False)"
            )
        values, rel = self._point_values(fh, X)
        errors = self._interval_errors
        rms = np.stack([root_mean_square(e, 0) for e in errors])  # (H, N)
        var = self._at_steps(non_decreasing(rms, [len(e) for e in errors]), rel) ** 2
        var[np.isnan(values)] = np.nan
        return self._frame(var, fh, self._get_varnames())
