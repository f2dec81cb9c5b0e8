"""Bad inputs and random valid inputs for every forecaster in the registry.

The bad-input matrix crosses ``ALL_FORECASTERS`` (first set of ``get_test_params``)
with the cases in ``CASES``. Each case must either work (finite forecasts on the
expected index, plus the case's own value check) or raise an allowed exception
whose message names the problem (sktime's own input checks may raise first). In
every case the caller's data must be unchanged, and after a failure the same
estimator must still work: a failed ``predict`` leaves the fitted state as it was
(the next valid ``predict`` gives the values it gave before), a failed ``fit``
leaves an estimator that a valid ``fit`` restores (same values as a fresh one).

Counting: every parametrised ``test_bad_input`` is one case, so
``pytest tests/test_reliability.py -k bad_input`` reports "N passed, M xfailed".
With ``SKTIME_ATTENTION_RELIABILITY_REPORT=path.md`` set, a table of what each
estimator did in each case (worked, or raised what) is written there.

Known estimator bugs are listed in ``KNOWN_BUGS`` and run as strict xfails.
"""

import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sktime.forecasting.base import ForecastingHorizon

from sktime_attention.forecasting import ALL_FORECASTERS
from sktime_attention.synthetic import make_seasonal

FH = [1, 2, 3]
N = 48


def _series(n=N, start="2000-01", name="y"):
    """Trend + season + a little noise, monthly PeriodIndex, values 10..16."""
    return make_seasonal(n, trend=0.1, start=start, name=name)


def _X(index):
    return pd.DataFrame({"x": np.cos(np.arange(len(index)) / 3.0)}, index=index)


def _future(y, periods=400):
    """Covariates over the ``periods`` steps after the end of ``y``."""
    return _X(pd.period_range(y.index[-1] + 1, periods=periods, freq="M"))


def _within_range(y, pred, widen=2.0):
    """Forecasts must stay within the data's range widened by ``widen`` spans."""
    values = np.asarray(y, dtype=float)
    lo, hi = values.min(), values.max()
    span = hi - lo
    ok = ((pred >= lo - widen * span) & (pred <= hi + widen * span)).all()
    return None if ok else f"forecasts {pred.ravel()} outside [{lo}, {hi}] +- {span}"


def _near_constant(y, pred):
    c = float(np.asarray(y, dtype=float)[0])
    if np.abs(pred - c).max() <= 0.25 * abs(c):
        return None
    return f"forecasts {pred.ravel()} of a constant series {c} are not near it"


@dataclass
class Case:
    """One bad (or edge) input; ``build`` returns fit/predict arguments."""

    name: str
    build: object
    expect: str  # "work", "raise" or "either"
    errors: tuple = (ValueError, TypeError)
    match: str = ""
    check: object = None  # (y_fit, forecast values) -> problem or None
    notes: str = field(default="")


def _with(y, position, value):
    y = y.copy()
    y.iloc[position] = value
    return y


def _nullable_int_with_na():
    y = (_series() * 10).round().astype("Int64")
    y.iloc[20] = pd.NA
    return y


_SHORT = r"(?i)empty|too short|time points?|at least|length|point\(s\)|no folds"
_NAN = r"(?i)\bnans?\b|missing"
_INSAMPLE = r"(?i)in-sample|in sample|insample|after the cutoff|out of sample"

CASES = [
    Case("nan_in_y", lambda: {"y": _with(_series(), 20, np.nan)}, "either", match=_NAN),
    Case(
        "inf_in_y",
        lambda: {"y": _with(_series(), -2, np.inf)},
        "either",
        match=r"(?i)inf|finite",
    ),
    Case("empty_y", lambda: {"y": _series().iloc[:0]}, "raise", match=_SHORT),
    Case("single_point_y", lambda: {"y": _series().iloc[:1]}, "raise", match=_SHORT),
    Case("too_short_y", lambda: {"y": _series().iloc[:3]}, "either", match=_SHORT),
    Case(
        "int64_dtype",
        lambda: {"y": (_series() * 10).round().astype("int64")},
        "work",
        check=_within_range,
    ),
    Case(
        "nullable_Int64",
        lambda: {"y": (_series() * 10).round().astype("Int64")},
        "work",
        check=_within_range,
    ),
    Case(
        "nullable_Float64",
        lambda: {"y": _series().astype("Float64")},
        "work",
        check=_within_range,
    ),
    Case(
        "nullable_Int64_with_NA",
        lambda: {"y": _nullable_int_with_na()},
        "raise",
        match=_NAN,
        notes="pd.NA is missing data, like NaN",
    ),
    Case(
        "unsorted_index",
        lambda: {"y": _series().sample(frac=1.0, random_state=0)},
        "raise",
        match=r"(?i)sorted|monoton",
    ),
    Case(
        "duplicate_index",
        lambda: {"y": pd.concat([_series().iloc[:20], _series().iloc[19:]])},
        "raise",
        match=r"(?i)duplicat|unique",
    ),
    Case(
        "non_numeric_column_in_y",
        lambda: {"y": pd.DataFrame({"y": _series(), "label": "a"})},
        "raise",
        match=r"(?i)numeric|categorical|dtype",
    ),
    Case(
        "string_y",
        lambda: {"y": _series().astype(str)},
        "raise",
        match=r"(?i)numeric|categorical|dtype",
    ),
    Case(
        "X_misaligned_with_y",
        lambda: {"y": _series(), "X": _X(_series().index[5:])},
        "either",
        match=r"(?i)indices|index|cover|align",
    ),
    Case(
        "X_other_index_type",
        lambda: {"y": _series(), "X": _X(pd.RangeIndex(N))},
        "either",
        match=r"(?i)indices|index|cover|align|type",
    ),
    Case(
        "X_non_numeric",
        lambda: {"y": _series(), "X": _X(_series().index).assign(label="a")},
        "either",
        match=r"(?i)numeric|categorical|dtype",
    ),
    Case(
        "X_missing_in_predict",
        lambda: {"y": _series(), "X": _X(_series().index), "X_pred": None},
        "either",
        match=r"(?i)\bX\b.*(required|cover|missing|need)",
    ),
    Case(
        "X_short_over_fh",
        lambda: {
            "y": _series(),
            "X": _X(_series().index),
            "X_pred": _future(_series(), 1),
        },
        "either",
        match=r"(?i)cover|missing",
    ),
    Case(
        "X_nan_over_fh",
        lambda: {
            "y": _series(),
            "X": _X(_series().index),
            "X_pred": _with(_future(_series(), 3), 1, np.nan),
        },
        "either",
        match=r"(?i)\bnans?\b|missing|cover",
    ),
    Case(
        "insample_fh",
        lambda: {"y": _series(), "fh_pred": [-1, 0]},
        "either",
        errors=(NotImplementedError, ValueError),
        match=_INSAMPLE,
    ),
    Case(
        "fh_zero",
        lambda: {"y": _series(), "fh_pred": [0]},
        "either",
        errors=(NotImplementedError, ValueError),
        match=_INSAMPLE,
    ),
    Case(
        "fh_far_beyond_training",
        lambda: {"y": _series(), "fh_pred": [1, 300]},
        "either",
        match=r"(?i)horizon|fh|step",
    ),
    Case(
        "constant_y",
        lambda: {"y": pd.Series(5.0, index=_series().index, name="y")},
        "work",
        check=_near_constant,
    ),
    Case(
        "values_near_1e12", lambda: {"y": _series() * 1e12}, "work", check=_within_range
    ),
    Case(
        "offset_1e12_small_variation",
        lambda: {"y": _series() + 1e12},
        "work",
        check=_within_range,
        notes="float32 networks must scale before casting",
    ),
    Case(
        "values_near_1e-12",
        lambda: {"y": _series() * 1e-12},
        "work",
        check=_within_range,
    ),
    Case(
        "values_near_1e200",
        lambda: {"y": _series() * 1e200},
        "work",
        check=_within_range,
        notes="squares of 1e200 overflow: scale before squaring",
    ),
    Case(
        "constant_y_at_1e-9",
        lambda: {"y": pd.Series(1e-9, index=_series().index, name="y")},
        "work",
        check=_near_constant,
        notes="a constant's scale must follow its magnitude, not be 1",
    ),
    Case(
        "constant_y_at_1e200",
        lambda: {"y": pd.Series(1e200, index=_series().index, name="y")},
        "work",
        check=_near_constant,
    ),
    Case(
        "datetime_index_irregular",
        lambda: {"y": _series().set_axis(_irregular_days(N))},
        "raise",
        match=r"(?i)regular|frequency",
    ),
    Case(
        "period_index_with_gap",
        lambda: {"y": _series(N + 1).drop(_series(N + 1).index[20])},
        "raise",
        match=r"(?i)evenly spaced|gap",
    ),
    Case(
        "learning_rate_like_inf",
        lambda: {"y": _series(), "params": {"learning_rate": np.inf}},
        "raise",
        match=r"(?i)learning_rate.*finite|finite.*learning_rate",
        notes="only estimators with a learning_rate parameter (others: skipped)",
    ),
    Case(
        "attention_size_above_hidden_size",
        lambda: {"y": _series(), "params": {"hidden_size": 4, "attention_size": 8}},
        "raise",
        match=r"attention_size.*at most.*hidden_size",
        notes="only the attention forecasters (others: skipped)",
    ),
    Case(
        "seasonal_lag_longer_than_window",
        lambda: {"y": _series(), "params": {"window_length": 6, "seasonal_lags": [12]}},
        "raise",
        match=r"seasonal_lags.*between 1 and 6",
        notes="only the attention forecasters (others: skipped)",
    ),
    Case(
        "seasonal_lags_not_a_list",
        lambda: {"y": _series(), "params": {"seasonal_lags": 12}},
        "raise",
        match=r"seasonal_lags.*list of ints",
        notes="only the attention forecasters (others: skipped)",
    ),
    Case(
        "seasonal_residual_without_seasonal_lags",
        lambda: {"y": _series(), "params": {"seasonal_residual": True}},
        "raise",
        match=r"seasonal_residual.*needs `seasonal_lags`",
        notes="only the attention forecasters (others: skipped)",
    ),
    Case(
        "lr_reduce_patience_zero",
        lambda: {"y": _series(), "params": {"lr_reduce_patience": 0}},
        "raise",
        match=r"lr_reduce_patience.*>= 1",
        notes="only the attention forecasters (others: skipped)",
    ),
]


def _irregular_days(n):
    """A DatetimeIndex with uneven steps (no frequency can be inferred)."""
    days = np.cumsum(np.r_[0, np.tile([1, 2, 1, 3], n)[: n - 1]])
    return pd.DatetimeIndex(pd.Timestamp("2000-01-01") + pd.to_timedelta(days, "D"))


# (estimator, case) -> reason: real bugs, run as strict xfails so they are noticed
# when fixed. See the closing report of the reliability issue for reproductions.
KNOWN_BUGS = {}


def _params(cls):
    return [
        pytest.param(
            cls,
            case,
            id=f"{cls.__name__}-{case.name}",
            marks=(
                [
                    pytest.mark.xfail(
                        strict=True, reason=KNOWN_BUGS[cls.__name__, case.name]
                    )
                ]
                if (cls.__name__, case.name) in KNOWN_BUGS
                else []
            ),
        )
        for case in CASES
    ]


MATRIX = [p for cls in ALL_FORECASTERS for p in _params(cls)]
RESULTS = []  # (estimator, case, outcome, problems) for the optional report


def _make(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return cls.create_test_instance()


def _values(pred):
    return np.asarray(pred, dtype=float)


_REFERENCE = {}


def _reference(cls):
    """Forecasts of a fresh estimator on valid data, and whether they repeat."""
    if cls not in _REFERENCE:
        preds = []
        for _ in range(2):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                preds.append(_make(cls).fit(_series(), fh=FH).predict())
        same = np.array_equal(_values(preds[0]), _values(preds[1]))
        _REFERENCE[cls] = (preds[0], same)
    return _REFERENCE[cls]


def _snapshot(data):
    return {
        k: v.copy(deep=True)
        for k, v in data.items()
        if isinstance(v, pd.Series | pd.DataFrame)
    }


def _unchanged(before, data):
    problems = []
    for key, value in before.items():
        try:
            if isinstance(value, pd.Series):
                pd.testing.assert_series_equal(data[key], value, check_exact=True)
            else:
                pd.testing.assert_frame_equal(data[key], value, check_exact=True)
        except AssertionError as err:
            problems.append(f"caller's `{key}` was modified: {err}")
    return problems


def _expected_index(y, fh):
    cutoff = y.index.sort_values()[-1:]
    return ForecastingHorizon(fh, is_relative=True).to_absolute_index(cutoff)


def _run_case(cls, case):
    """Run one case; return (outcome text, list of problems)."""
    data = case.build()
    before = _snapshot(data)
    y, X = data["y"], data.get("X")
    X_pred = data.get("X_pred", _future(y) if X is not None else None)
    fh_pred = data.get("fh_pred", FH)
    est = _make(cls)
    params = data.get("params", {})
    if set(params) - set(est.get_params()):
        pytest.skip(f"{cls.__name__} has no parameter {sorted(params)}")
    est.set_params(**params)
    stage, pred, error, before_failure = "fit", None, None, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            est.fit(y, X=X, fh=FH)
            stage = "predict"
            # what a valid predict gives before the bad one, to check it is pure
            before_failure = est.predict(fh=FH, X=_future(y) if X is not None else None)
            pred = est.predict(fh=fh_pred, X=X_pred)
        except Exception as err:  # noqa: BLE001 - every failure is inspected below
            error = err
    problems = _unchanged(before, data)
    if error is None:
        outcome = "worked"
        values = _values(pred)
        if case.expect == "raise":
            problems.append("worked, but must raise a clear error")
        if not np.isfinite(values).all():
            problems.append(f"non-finite forecasts {values.ravel()}")
        expected = _expected_index(y, fh_pred)
        if not pred.index.equals(expected):
            problems.append(f"index {list(pred.index)} != expected {list(expected)}")
        if case.check is not None and np.isfinite(values).all():
            problem = case.check(y, values)
            if problem:
                problems.append(problem)
        return outcome, problems
    message = f"{type(error).__name__}: {error}"
    outcome = f"raised in {stage}: {message[:160]}"
    if case.expect == "work":
        problems.append(f"must work, raised {message[:300]}")
    elif not isinstance(error, case.errors):
        problems.append(f"unexpected exception type {message[:300]}")
    elif case.match and not re.search(case.match, str(error)):
        problems.append(f"message does not name the problem ({case.match}): {message}")
    if params:  # a bad parameter: recovery is with the valid parameters back
        est.set_params(**{k: _make(cls).get_params()[k] for k in params})
    problems += _recovers(cls, est, stage, before_failure, y, X)
    return outcome, problems


def _recovers(cls, est, stage, before_failure, y, X):
    """After a failure the estimator must still be usable."""
    problems = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            if stage == "predict":
                again = est.predict(fh=FH, X=_future(y) if X is not None else None)
                if not np.array_equal(_values(again), _values(before_failure)):
                    problems.append("a failed predict changed later forecasts")
            reference, deterministic = _reference(cls)
            refit = est.fit(_series(), fh=FH).predict()
        except Exception as err:  # noqa: BLE001
            return [f"unusable after the failure: {type(err).__name__}: {err}"]
    if not refit.index.equals(reference.index):
        problems.append("after the failure, a valid fit forecasts a wrong index")
    elif deterministic and not np.allclose(_values(refit), _values(reference)):
        problems.append("after the failure, a valid fit differs from a fresh one")
    return problems


@pytest.fixture(scope="module", autouse=True)
def _report():
    yield
    path = os.environ.get("SKTIME_ATTENTION_RELIABILITY_REPORT")
    if not path or not RESULTS:
        return
    lines = ["| estimator | case | outcome | verdict |", "| --- | --- | --- | --- |"]
    counts = {}
    for name, case, outcome, problems in RESULTS:
        tried, passed = counts.get(name, (0, 0))
        counts[name] = (tried + 1, passed + (not problems))
        verdict = "ok" if not problems else "; ".join(problems)
        cell = outcome.replace("|", "/").replace("\n", " ")
        lines.append(f"| {name} | {case} | {cell} | {verdict[:200]} |")
    lines.append("")
    for name, (tried, passed) in counts.items():
        lines.append(f"- {name}: {tried} cases tried, {passed} passed")
    total = sum(t for t, _ in counts.values()), sum(p for _, p in counts.values())
    lines.append(f"- all: {total[0]} cases tried, {total[1]} passed")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")


@pytest.mark.parametrize("cls, case", MATRIX)
def test_bad_input(cls, case):
    outcome, problems = _run_case(cls, case)
    RESULTS.append((cls.__name__, case.name, outcome, problems))
    assert not problems, f"{outcome}\n" + "\n".join(problems)


# -- property-based: random valid series and parameter sets ---------------------------


def _index(kind, n, start):
    if kind == "period":
        return pd.period_range(pd.Period("2000-01", "M") + start, periods=n, freq="M")
    if kind == "datetime":
        return pd.date_range(
            pd.Timestamp("2000-01-01") + pd.Timedelta(days=start), periods=n, freq="D"
        )
    return pd.RangeIndex(start, start + n)


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_property_forecasts_are_finite_and_indexed(cls):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        n_sets = len(cls.get_test_params())

    @settings(
        max_examples=10,
        deadline=None,
        derandomize=True,  # the same examples every run: no flaky CI
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        data=st.data(),
        n=st.integers(30, 60),
        which=st.integers(0, n_sets - 1),
        kind=st.sampled_from(["period", "datetime", "range"]),
        start=st.integers(0, 500),
        fh=st.sets(st.integers(1, 6), min_size=1, max_size=3),
        level=st.sampled_from([0.0, 100.0, -50.0, 1e6]),
    )
    def check(data, n, which, kind, start, fh, level):
        values = data.draw(
            st.lists(
                st.floats(-100, 100, allow_nan=False, allow_subnormal=False),
                min_size=n,
                max_size=n,
            )
        )
        y = pd.Series(np.asarray(values) + level, index=_index(kind, n, start))
        fh = sorted(fh)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            est = cls(**cls.get_test_params()[which])
            pred = est.fit(y, fh=fh).predict()
        assert np.isfinite(_values(pred)).all()
        expected = ForecastingHorizon(fh, is_relative=True).to_absolute_index(
            y.index[-1:]
        )
        assert pred.index.equals(expected)
        assert len(pred) == len(fh)

    check()


# -- property-based: update is path- and column-order-independent ------------------
def _update_data(n=63):
    rng = np.random.default_rng(0)
    index = pd.period_range("2000-01", periods=n, freq="M")
    t = np.arange(n)
    y = pd.DataFrame(
        {"a": 10 + np.sin(t / 2) + 0.1 * rng.standard_normal(n), "b": 5 + 0.05 * t},
        index=index,
    )
    X = pd.DataFrame(rng.standard_normal((n, 2)), index=index, columns=["u", "v"])
    return y, X


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_update_is_path_and_column_order_independent(cls):
    """For any split of the new data into two updates and any column order of
    ``y`` and ``X``, the forecasts and intervals equal those after one update in
    fitted order, with fit's column names and order; renamed columns always raise
    an error that names them."""
    import copy

    y, X = _update_data()
    fit_end, end, fh = 48, 60, [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = cls.create_test_instance().fit(
            y.iloc[:fit_end], X=X.iloc[:fit_end], fh=fh
        )
        whole = copy.deepcopy(fitted)
        whole.update(y.iloc[fit_end:end], X=X.iloc[fit_end:end], update_params=False)
        expected = whole.predict(fh=fh, X=X.iloc[end:])
        intervals = whole.get_tag("capability:pred_int")
        if intervals:
            expected_int = whole.predict_interval(fh=fh, X=X.iloc[end:])

    @settings(max_examples=6, deadline=None, derandomize=True)
    @given(
        split=st.integers(fit_end + 1, end - 1),
        y_order=st.permutations(["a", "b"]),
        x_order=st.permutations(["u", "v"]),
    )
    def check(split, y_order, x_order):
        est = copy.deepcopy(fitted)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for part in (slice(fit_end, split), slice(split, end)):
                est.update(
                    y.iloc[part][y_order], X=X.iloc[part][x_order], update_params=False
                )
            pred = est.predict(fh=fh, X=X.iloc[end:][x_order])
            if intervals:  # labelled with fit's names: not swapped by the order
                pd.testing.assert_frame_equal(
                    est.predict_interval(fh=fh, X=X.iloc[end:][x_order]),
                    expected_int,
                )
        pd.testing.assert_frame_equal(pred, expected)  # fit's names and order

    check()
    renamed = y.iloc[fit_end:end].rename(columns={"b": "c"})
    with pytest.raises(ValueError, match=r"'c'"):
        copy.deepcopy(fitted).update(renamed, X=X.iloc[fit_end:end])


def _update_cases(y, X, fit_end, end):
    new_y, new_X = y.iloc[fit_end:end], X.iloc[fit_end:end]
    return {
        "X_missing": (new_y, None, r"`X` is required"),
        "X_extra_column": (new_y, new_X.assign(w=1.0), r"unexpected \['w'\]"),
        "y_column_missing": (new_y[["a"]], new_X, r"missing \['b'\]"),
        "gap_after_the_cutoff": (
            y.iloc[fit_end + 2 : end],
            X.iloc[fit_end + 2 : end],
            r"(?i)gap|evenly spaced|follow",
        ),
    }


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    "case", ["X_missing", "X_extra_column", "y_column_missing", "gap_after_the_cutoff"]
)
def test_rejected_update_names_the_problem_and_changes_nothing(cls, case):
    y, X = _update_data()
    fit_end, end, fh = 48, 60, [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls.create_test_instance().fit(
            y.iloc[:fit_end], X=X.iloc[:fit_end], fh=fh
        )
        before = est.predict(fh=fh, X=X.iloc[fit_end:])
    new_y, new_X, match = _update_cases(y, X, fit_end, end)[case]
    if case.startswith("X_") and not est.get_tag("capability:exogenous"):
        pytest.skip(f"{cls.__name__} ignores X")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match=match):
            est.update(new_y, X=new_X)
        assert est.cutoff.equals(y.index[fit_end - 1 : fit_end])
        after = est.predict(fh=fh, X=X.iloc[fit_end:])
    pd.testing.assert_frame_equal(after, before)


@pytest.mark.parametrize(
    "cls",
    [c for c in ALL_FORECASTERS if c.__name__ != "HybridForecaster"],
    ids=lambda c: c.__name__,
)
def test_revising_only_seen_points_keeps_the_forecast_dates(cls):
    """The state holds every point seen, so an update that only revises earlier
    points (sktime then moves the cutoff back to them) still forecasts from the
    latest point. The hybrid's cutoff follows its sktime members instead."""
    y, X = _update_data()
    fit_end, fh = 48, [1, 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est = cls.create_test_instance().fit(
            y.iloc[:fit_end], X=X.iloc[:fit_end], fh=fh
        )
        before = est.predict(fh=fh, X=X.iloc[fit_end:])
        est.update(y.iloc[10:13] * 1.5, X=X.iloc[10:13], update_params=False)
        after = est.predict(fh=fh, X=X.iloc[fit_end:])
    assert est.cutoff.equals(y.index[fit_end - 1 : fit_end])
    assert after.index.equals(before.index)
