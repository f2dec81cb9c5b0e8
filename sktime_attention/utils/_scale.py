"""The in-sample seasonal naive error, the scale of the MASE."""

import numpy as np


def seasonal_naive_mae(values, sp):
    """In-sample MAE (C,) of the seasonal naive forecast over the rows of ``values``.

    ``values`` is (T, C) without NaN; the lag is ``sp``, or 1 for at most ``sp``
    rows. Zero where there are not two rows.

    Examples
    --------
    >>> import numpy as np
    >>> from sktime_attention.utils._scale import seasonal_naive_mae
    >>> seasonal_naive_mae(np.array([[0.0], [1.0], [0.0], [3.0]]), sp=2).tolist()
    [1.0]
    """
    lag = sp if len(values) > sp else 1
    if len(values) <= lag:
        return np.zeros(values.shape[1])
    return np.abs(values[lag:] - values[:-lag]).mean(axis=0)
