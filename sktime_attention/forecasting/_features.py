"""Features of each series, read by HybridForecaster's per-series weights.

In the spirit of FFORMA (Montero-Manso et al., 2020), a small model maps
features of a series to its blend weights. The features are cheap, scale-free
and defined for any length: they describe the first column of ``y``.

Shape legend: S series, T time points, C columns of ``y``.
"""

__all__ = ["FEATURES", "series_features"]

import numpy as np
import pandas as pd

#: Names of the features, in column order of `series_features`.
FEATURES = (
    "log_length",
    "seasonal_strength",
    "trend_strength",
    "spectral_entropy",
    "diff_acf1",
    "noise_to_level",
)


def _strengths(x, sp):
    """Seasonal and trend strength (Wang, Smith, Hyndman 2006) of ``x`` (T,)."""
    n = len(x)
    width = sp if sp > 1 else min(5, max(n // 4, 1))
    if n < 2 * width + 1:
        return 0.0, 0.0
    kernel = np.ones(width) / width
    trend = np.convolve(x, kernel, mode="valid")  # centred moving average
    start = (width - 1) // 2
    x = x[start : start + len(trend)]
    detrended = x - trend
    n = len(x)
    if sp > 1:
        phase = (np.arange(n) + start) % sp
        means = np.bincount(phase, detrended, minlength=sp) / np.maximum(
            np.bincount(phase, minlength=sp), 1
        )
        season = means[phase] - means.mean()
    else:
        season = np.zeros(n)
    rest = detrended - season
    var_rest = rest.var()

    def strength(part):
        total = (part + rest).var()
        return float(max(0.0, 1 - var_rest / total)) if total > 0 else 0.0

    return strength(season), strength(trend)


def _spectral_entropy(x):
    """Normalised Shannon entropy of the periodogram of ``x`` (0 regular, 1 noise)."""
    x = x - x.mean()
    power = np.abs(np.fft.rfft(x))[1:] ** 2
    if len(power) < 2 or power.sum() <= 0:
        return 0.0
    p = power / power.sum()
    return float(-(p * np.log(p + 1e-300)).sum() / np.log(len(p)))


def series_features(values, sp):
    """Feature table (S, F) of series ``values`` (S, T, C) with NaN before a start.

    Parameters
    ----------
    values : ndarray of shape (S, T, C)
        Series on a common time axis (NaN where a series has no point).
    sp : int >= 1
        Seasonal period.

    Returns
    -------
    pd.DataFrame
        One row per series, columns `FEATURES`: log of the length, seasonal and
        trend strength in [0, 1], spectral entropy in [0, 1], lag-1
        autocorrelation of the first differences, and the mean absolute first
        difference over the mean absolute level (noise against level).
    """
    rows = []
    for series in values:
        x = series[:, 0]
        x = x[~np.isnan(x)]
        size = np.abs(x).max() if len(x) else 1.0
        x = x / (size if size > 0 else 1.0)
        seasonal, trend = _strengths(x, sp)
        d = np.diff(x)
        acf1 = 0.0
        if len(d) > 2 and d.std() > 0:
            acf1 = float(np.corrcoef(d[1:], d[:-1])[0, 1])
        level = np.abs(x).mean()
        noise = float(np.abs(d).mean() / level) if len(d) and level > 0 else 0.0
        rows.append(
            [np.log(len(x)), seasonal, trend, _spectral_entropy(x), acf1, noise]
        )
    return pd.DataFrame(rows, columns=list(FEATURES))
