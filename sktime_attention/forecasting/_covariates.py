"""Past-only covariates: the columns of ``X`` known only up to the cutoff.

The torch forecasters' ``past_covariates`` parameter names them: they join the
encoder input but never reach the decoder, so ``predict`` needs no values of them
after the cutoff. Here: the parameter check, its resolution against the columns
of ``X`` seen in ``fit``, and the check of the ``X`` that ``predict`` receives.
"""

__all__ = ["check_past_covariates", "match_known_X", "resolve_past_covariates"]

_RULE = '`past_covariates` must be None, "all" or a list of column names of `X`'


def check_past_covariates(value):
    """Raise unless ``value`` is None, ``"all"`` or a list of distinct names.

    Examples
    --------
    >>> from sktime_attention.forecasting._covariates import check_past_covariates
    >>> check_past_covariates(["temperature"])
    >>> check_past_covariates("temperature")
    Traceback (most recent call last):
    ...
    ValueError: `past_covariates` must be None, "all" or a list of column names of \
`X`, got the string 'temperature'; for one column pass ['temperature']
    """
    if value is None or (isinstance(value, str) and value == "all"):
        return
    if isinstance(value, str):
        raise ValueError(
            f"{_RULE}, got the string {value!r}; for one column pass [{value!r}]"
        )
    if not isinstance(value, (list, tuple)):
        raise TypeError(f"{_RULE}, got {type(value).__name__} {value!r}")
    seen, repeated = [], []
    for name in value:
        (repeated if name in seen else seen).append(name)
    if repeated:
        raise ValueError(f"{_RULE}, each once; got {list(value)}, repeating {repeated}")


def resolve_past_covariates(value, X):
    """Return the past-only columns of ``X`` (in the order of ``X``) for ``value``.

    ``"all"`` takes every column (none when ``X`` is None). Raises if ``value``
    names a column ``X`` lacks, or names columns when ``X`` is None.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktime_attention.forecasting._covariates import resolve_past_covariates
    >>> X = pd.DataFrame({"price": [1.0], "sales": [2.0], "holiday": [0.0]})
    >>> resolve_past_covariates(["sales", "price"], X)
    ['price', 'sales']
    >>> resolve_past_covariates("all", None)
    []
    """
    if value is None:
        return []
    columns = [] if X is None else list(X.columns)
    if isinstance(value, str):  # "all", checked before
        return columns
    if X is None and len(value):
        raise ValueError(
            f"`past_covariates` names columns of `X` {list(value)}, but `fit` got "
            'no `X`: pass `X` with these columns, or `past_covariates` None or "all"'
        )
    unknown = [name for name in value if name not in columns]
    if unknown:
        raise ValueError(
            f"`past_covariates` names columns not in `X`: {unknown}; `X` has the "
            f"columns {columns}"
        )
    return [name for name in columns if name in value]


def match_known_X(X, store, where):
    """Return the known columns of ``X`` (in fitted order) for ``predict``.

    The past-only columns (``store.past_columns``) may be left out of ``X``;
    where present they are dropped, so their values after the cutoff are never
    read. Missing known columns, or columns not seen in ``fit``, raise.

    Examples
    --------
    >>> import pandas as pd
    >>> from sktime_attention.data import SeriesStore
    >>> from sktime_attention.forecasting._covariates import match_known_X
    >>> y = pd.DataFrame({"y": [1.0, 2.0, 3.0]})
    >>> X = pd.DataFrame({"sales": [5.0, 6.0, 7.0], "holiday": [0.0, 1.0, 0.0]})
    >>> store = SeriesStore(y, X, "standard", past_covariates=["sales"])
    >>> X_future = pd.DataFrame({"holiday": [1.0]}, index=[3])
    >>> list(match_known_X(X_future, store, "predict").columns)
    ['holiday']
    """
    columns = list(X.columns)
    missing = [c for c in store.known_columns if c not in columns]
    extra = [c for c in columns if c not in store.X_columns]
    if missing or extra:
        raise ValueError(
            f"`X` in {where} must have the columns known over the horizon "
            f"{store.known_columns} (the columns in `past_covariates` "
            f"{store.past_columns} may be left out), got {columns}: missing "
            f"{missing}, unexpected {extra}"
        )
    return X[store.known_columns]
