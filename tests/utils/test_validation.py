"""The check helpers: messages name the parameter, the rule and what was given."""

import numpy as np
import pandas as pd
import pytest

from sktime_attention.utils._validation import check_columns, check_regular_index


def frame(columns):
    return pd.DataFrame(np.arange(2.0 * len(columns)).reshape(2, -1), columns=columns)


def test_columns_are_matched_by_name_and_reordering_is_harmless():
    df = frame(["b", "a"])
    out = check_columns(df, ["a", "b"], "X", "update")
    assert list(out.columns) == ["a", "b"]
    np.testing.assert_array_equal(out["a"], df["a"])
    assert list(df.columns) == ["b", "a"]  # the caller's frame is untouched


@pytest.mark.parametrize(
    "columns, match",
    [
        (["a"], r"missing \['b'\], unexpected \[\]"),
        (["a", "b", "c"], r"missing \[\], unexpected \['c'\]"),
        (["a", "z"], r"missing \['b'\], unexpected \['z'\]"),
    ],
)
def test_missing_extra_and_renamed_columns_are_named(columns, match):
    with pytest.raises(ValueError, match=match):
        check_columns(frame(columns), ["a", "b"], "X", "update")


def test_presence_must_match_fit():
    with pytest.raises(ValueError, match=r"`X` is required in update.*\['a'\]"):
        check_columns(None, ["a"], "X", "update")
    with pytest.raises(ValueError, match="`X` must be None in update"):
        check_columns(frame(["a"]), None, "X", "update")
    assert check_columns(None, None, "X", "update") is None


def test_a_single_column_may_be_renamed_when_allowed():
    out = check_columns(frame([0]), ["y"], "y", "update", rename_single=True)
    assert list(out.columns) == ["y"]
    with pytest.raises(ValueError, match="unexpected"):
        check_columns(frame([0]), ["y"], "y", "update")


def test_regular_indexes_pass():
    check_regular_index(pd.period_range("2000-01", periods=5, freq="M"), "y")
    check_regular_index(pd.RangeIndex(0, 10, 2), "y")
    no_freq = pd.DatetimeIndex(pd.date_range("2000", periods=5, freq="D").to_numpy())
    check_regular_index(no_freq, "y")  # regular: the frequency can be inferred


def test_uneven_time_points_are_rejected_with_the_gap():
    gap = pd.period_range("2000-01", periods=6, freq="M").delete(3)
    with pytest.raises(ValueError, match="gap between 2000-03 and 2000-05"):
        check_regular_index(gap, "y")
    with pytest.raises(ValueError, match="gap between 1 and 5"):
        check_regular_index(pd.Index([0, 1, 5, 6]), "y")
    uneven = pd.DatetimeIndex(["2000-01-01", "2000-01-02", "2000-01-04", "2000-01-05"])
    with pytest.raises(ValueError, match="no frequency and none can be inferred"):
        check_regular_index(uneven, "y")


def test_each_series_of_a_panel_is_checked_alone():
    good = pd.period_range("2000-01", periods=4, freq="M")
    panel = pd.MultiIndex.from_tuples(
        [("a", p) for p in good] + [("b", p) for p in good.delete(1)]
    )
    with pytest.raises(ValueError, match=r"`y \('b',\)` must have evenly spaced"):
        check_regular_index(panel, "y")


def test_new_points_must_continue_after_the_cutoff():
    from sktime_attention.utils._validation import check_continues

    index = pd.period_range("2000-01", periods=6, freq="M")
    cutoff = index[2:3]
    check_continues(index[3:], cutoff, "y")  # the next month
    check_continues(index[1:3], cutoff, "y")  # revisions only
    with pytest.raises(ValueError, match="next time point is 2000-04, got 2000-05"):
        check_continues(index[4:], cutoff, "y")
