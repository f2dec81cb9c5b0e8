"""The regime API of HMMForecaster: filtered, propagated and sampled states.

Mixed into :class:`~sktime_attention.forecasting.HMMForecaster`; every method
reads the fitted model and writes nothing.
"""

__all__ = ["_RegimeAPI"]

import numpy as np
import pandas as pd
from sktime.forecasting.base import ForecastingHorizon

from sktime_attention.forecasting._hmm_math import (
    forward_filter,
    simulate_paths,
    transform_levels,
)
from sktime_attention.utils._validation import check_columns


class _RegimeAPI:
    """Hidden-state tables and sample paths of a fitted HMM forecaster."""

    def _forward(self, u, prior):
        """Return filtered probabilities (T, K) of standardised ``u``."""
        m = self.model_
        return forward_filter(u, prior, m.means_, self._std_covars, m.transmat_)

    def filter_states(self, y=None):
        """Return filtered state probabilities ``p(s_t | y_1..t)`` (no smoothing).

        Parameters
        ----------
        y : pd.Series or pd.DataFrame, optional
            Series with the columns seen in ``fit``; default: all data seen in
            ``fit`` and ``update``. Not modified.

        Returns
        -------
        pd.DataFrame
            Index = time index of the transformed series (the first point is lost
            to ``"diff"``/``"log_diff"``), columns ``state_0..``; rows sum to 1.
        """
        self.check_is_fitted()
        if y is None:
            y = self._cur_y
        elif isinstance(y, pd.Series):
            y = y.to_frame()
        if isinstance(y, pd.DataFrame):
            y = check_columns(
                y, self._cur_y.columns, "y", "filter_states", rename_single=True
            )
        values = self._check_data(y)
        probs = self._filter(values)
        return pd.DataFrame(
            probs, index=y.index[len(y) - len(probs) :], columns=self._state_names()
        )

    def _filter(self, values):
        u = (transform_levels(values, self.transform) - self.shift_) / self.scale_
        return self._forward(u, self.startprob_)

    def _state_names(self):
        return [f"state_{k}" for k in range(self.n_states_)]

    def predict_state_probs(self, fh):
        """Return propagated state probabilities ``p_T A^h`` for each step of ``fh``.

        Parameters
        ----------
        fh : int, list of int or ForecastingHorizon
            Steps ahead (relative) or absolute time points after the cutoff.

        Returns
        -------
        pd.DataFrame
            Index = forecast time points, columns ``state_0..``; rows sum to 1.
        """
        self.check_is_fitted()
        fh = fh if isinstance(fh, ForecastingHorizon) else ForecastingHorizon(fh)
        probs = [
            self._p_T @ np.linalg.matrix_power(self.transmat_, h)
            for h in self._steps(fh)
        ]
        return pd.DataFrame(
            np.array(probs),
            index=fh.to_absolute_index(self.cutoff),
            columns=self._state_names(),
        )

    def sample_paths(self, fh):
        """Return the seeded Monte Carlo sample paths of ``y`` at the steps of ``fh``.

        State paths start from ``state_probs_`` and follow ``transmat_``, with
        Gaussian emissions (``means_``, ``covars_``) mapped back through
        ``transform``. For ``"diff"`` and ``"log_diff"`` these are the paths
        behind ``predict_quantiles`` (``"level"`` quantiles are exact). Every call
        returns the same paths.

        Parameters
        ----------
        fh : int, list of int or ForecastingHorizon
            Steps ahead (relative) or absolute time points after the cutoff.

        Returns
        -------
        ndarray of shape (n_samples, len(fh), F)
            Sampled values of ``y`` (columns as in ``fit``) per path and step.
        """
        self.check_is_fitted()
        fh = fh if isinstance(fh, ForecastingHorizon) else ForecastingHorizon(fh)
        steps = self._steps(fh)
        rng = np.random.default_rng(self._mc_seed)
        paths = simulate_paths(
            rng, *self._chain(), self.n_samples, steps.max(), self.shift_, self.scale_
        )
        return self._spread(paths[:, steps - 1], steps)
