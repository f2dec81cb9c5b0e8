"""Calibration of HMMForecaster's predictive spread on in-sample forecasts.

Mixed into :class:`~sktime_attention.forecasting.HMMForecaster` (see its
docstring, "Calibration"). Shape legend: H forecast steps, F columns of ``y``.
"""

__all__ = ["_Calibration"]

import numpy as np
import pandas as pd

from sktime_attention.forecasting._hmm_math import (
    calibration_factors,
    predictive_moments,
)

_CAL_STEPS = 100  # steps calibrated in fit (more if fit gets a longer fh)
_CAL_ORIGINS = 2000  # latest in-sample origins scored for the calibration


class _Calibration:
    """Spread factors per step: set in ``fit``, applied to variances and quantiles."""

    def _calibrate(self, probs, values, fh):
        """Set ``calibration_``: spread factors per step from in-sample forecasts."""
        # at step h, (T - h) / h non-overlapping windows: keep at least 10
        steps = min(len(probs) // 11, max(_CAL_STEPS, *self._fit_steps(fh)))
        factors = np.ones((max(steps, 1), values.shape[1]))
        if self.calibrate and steps >= 1:
            chain = self._chain()[:4]
            factors = calibration_factors(
                chain, probs, values, steps, self.shift_, self.scale_, _CAL_ORIGINS
            )
        self.calibration_ = pd.DataFrame(
            factors,
            index=pd.RangeIndex(1, len(factors) + 1, name="step"),
            columns=self._cur_y.columns,
        )

    def _fit_steps(self, fh):
        if fh is None:
            return [0]
        try:
            return [int(np.max(fh.to_relative(self.cutoff)))]
        except (ValueError, TypeError):  # pragma: no cover - unusual fh types
            return [0]

    def _spread(self, values, steps):
        """Widen ``values`` (..., H, F) at ``steps`` about the mean by the factors."""
        if not self.calibrate:
            return values
        mean = self._moments(steps.max())[0][steps - 1]
        with np.errstate(over="ignore", invalid="ignore"):
            spread = mean + self._factors(steps) * (values - mean)
        return np.where(np.isfinite(spread), spread, values)

    def _factors(self, steps):
        """Calibration factors (len(steps), F); the last one beyond the table.

        For "diff" and "log_diff" (sums of more and more steps) the calibrated
        variance is made non-decreasing in the step: the factor at a step is
        raised where needed to keep the variance of the step before.
        """
        table = self.calibration_.to_numpy()
        horizon = int(steps.max())
        factors = table[np.minimum(np.arange(1, horizon + 1), len(table)) - 1]
        if self.transform != "level":  # variance in units free of overflow
            ref = 2.0 ** np.frexp(np.abs(self._last) + (self._last == 0))[1]
            shift, scale = self.shift_, self.scale_
            if self.transform == "diff":
                shift, scale = shift / ref, scale / ref
            chain = self._chain()[:-1] + (self._last / ref,)
            var = predictive_moments(*chain, horizon, shift, scale)[1]  # (H, F)
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                kept = np.maximum.accumulate(factors**2 * var, axis=0)
                raised = np.sqrt(kept / var)
            factors = np.where(np.isfinite(raised) & (var > 0), raised, factors)
        return factors[steps - 1]
