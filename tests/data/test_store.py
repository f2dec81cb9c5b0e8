"""SeriesStore and the attention tables: the bridge between pandas and arrays."""

import numpy as np
import pandas as pd
import pytest

from sktime_attention.data import SeriesStore, feature_table, temporal_table


def frame(values, start="2000-01", name="y"):
    index = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame({name: np.asarray(values, dtype=float)}, index=index)


def panel():
    a, b = frame(np.arange(6.0)), frame(10 + 2 * np.arange(4.0), start="2000-03")
    return pd.concat([a, b], keys=["a", "b"], names=["series", "time"])


def test_scaling_per_series_and_constant_columns_scale_by_their_magnitude():
    y = frame([1.0, 2.0, 3.0])
    X = pd.DataFrame({"c": [5.0, 5.0, 5.0]}, index=y.index)
    store = SeriesStore(y, X, "standard")
    np.testing.assert_allclose(store.shift[0], [2.0, 5.0])
    # a constant column is centred and divided by its magnitude, not by 1
    np.testing.assert_allclose(store.spread[0], [np.std([1, 2, 3]), 5.0])
    scaled = store.scale(store.arrays[0], 0)
    np.testing.assert_allclose(scaled[:, 1], 0.0)
    np.testing.assert_allclose(store.unscale_targets(scaled[:, :1], 0), [[1], [2], [3]])
    raw = SeriesStore(y, X, "none")
    np.testing.assert_array_equal(raw.scale(raw.arrays[0], 0), raw.arrays[0])


def test_panel_layout_and_context_windows():
    store = SeriesStore(panel(), None, "standard")
    assert store.is_panel and store.keys == [("a",), ("b",)]
    assert store.key_names == ["series"]
    context = store.context(3)
    assert context.shape == (2, 3, 1)
    np.testing.assert_allclose(context[1, :, 0], store.scale(np.r_[12, 14, 16.0], 1))


def test_extend_appends_only_new_points_and_rejects_unseen_series():
    y = panel()
    store = SeriesStore(y, None, "standard")
    later = pd.concat(
        [frame([5.0, 6.0], start="2000-06"), frame([16.0, 18.0], start="2000-06")],
        keys=["a", "b"],
        names=["series", "time"],
    )
    store.extend(later)  # "a" already has 2000-06; "b" has it too
    assert [len(a) for a in store.arrays] == [7, 5]
    assert store.last_index[0][0] == pd.Period("2000-07", "M")
    unseen = pd.concat([frame([1.0])], keys=["z"], names=["series", "time"])
    with pytest.raises(ValueError, match=r"unseen series \('z',\)"):
        store.extend(unseen)


def test_extend_revises_points_already_seen_and_appends_later_ones():
    store = SeriesStore(panel(), None, "standard")
    shift = [x.copy() for x in store.shift]
    update = pd.concat(
        [frame([-1.0, -2.0, 7.0], start="2000-04")],
        keys=["b"],
        names=["series", "time"],
    )
    store.extend(update)
    np.testing.assert_array_equal(store.arrays[1][:, 0], [10, -1, -2, 7])
    np.testing.assert_array_equal(store.arrays[0][:, 0], np.arange(6.0))
    assert store.last_index[1][0] == pd.Period("2000-06", "M")
    assert list(store.indexes[1].astype(str)) == [
        "2000-03",
        "2000-04",
        "2000-05",
        "2000-06",
    ]
    np.testing.assert_array_equal(store.shift[1], shift[1])  # the scaler is kept


def test_extend_rejects_off_grid_points_and_gaps_before_changing_anything():
    store = SeriesStore(frame(np.arange(6.0)), None, "standard")
    before = [a.copy() for a in store.arrays]
    with pytest.raises(ValueError, match=r"gap between 2000-06 and 2000-08"):
        store.extend(frame([1.0, 2.0], start="2000-08"))
    ints = pd.DataFrame({"y": np.arange(6.0)}, index=pd.Index(np.arange(0, 12, 2)))
    int_store = SeriesStore(ints, None, "standard")
    with pytest.raises(ValueError, match=r"not among those seen so far"):
        int_store.extend(pd.DataFrame({"y": [1.0]}, index=pd.Index([3])))
    np.testing.assert_array_equal(store.arrays[0], before[0])


@pytest.mark.parametrize("magnitude", [1e-250, 1e-12, 1e12, 1e250])
def test_scaling_is_relative_to_the_magnitude(magnitude):
    values = np.array([1.0, 3.0, 2.0, 5.0])
    unit = SeriesStore(frame(values), None, "standard")
    store = SeriesStore(frame(values * magnitude), None, "standard")
    np.testing.assert_allclose(store.spread[0], unit.spread[0] * magnitude)
    np.testing.assert_allclose(
        store.scale(store.arrays[0], 0), unit.scale(unit.arrays[0], 0), rtol=1e-12
    )
    constant = SeriesStore(frame([magnitude] * 4), None, "standard")
    np.testing.assert_allclose(constant.spread[0], magnitude)
    np.testing.assert_allclose(
        constant.unscale_targets(np.ones((1, 1)), 0), 2 * magnitude
    )


def test_rounding_noise_does_not_make_a_constant_column_vary():
    store = SeriesStore(frame([0.1] * 7), None, "standard")
    assert store.arrays[0].std() > 0  # the mean's rounding leaves a tiny std
    np.testing.assert_allclose(store.spread[0], 0.1)
    assert np.abs(store.scale(store.arrays[0], 0)).max() < 1e-12


def test_scaling_none_raises_beyond_float32():
    with pytest.raises(ValueError, match=r"beyond float32"):
        SeriesStore(frame([1e39, 2e39, 3e39]), None, "none")


def test_the_callers_data_is_never_modified():
    y, X = frame([1.0, 2.0, 4.0]), pd.DataFrame({"x": [1.0, 0.0, 1.0]})
    X.index = y.index
    y_copy, X_copy = y.copy(), X.copy()
    store = SeriesStore(y, X, "standard")
    store.arrays[0][:] = 0
    pd.testing.assert_frame_equal(y, y_copy)
    pd.testing.assert_frame_equal(X, X_copy)


def test_future_covariates_name_what_is_missing():
    y = frame(np.arange(6.0))
    X = pd.DataFrame({"x": np.arange(6.0)}, index=y.index)
    store = SeriesStore(y, X, "standard")
    cutoff = y.index[-1:]
    later = pd.DataFrame(
        {"x": [6.0]}, index=pd.period_range("2000-07", periods=1, freq="M")
    )
    with pytest.raises(ValueError, match=r"missing at .*2000-08.*\(1 of 2 steps\)"):
        store.future(later, 0, 2, cutoff)
    with pytest.raises(ValueError, match="`X` is required in predict"):
        store.future(None, 0, 2, cutoff)


def test_tables_carry_steps_lags_features_and_keys():
    weights = np.random.default_rng(0).dirichlet(np.ones(4), size=(2, 3))  # S, H, T
    table = temporal_table(weights, np.array([1, 3]), keys=["a", "b"])
    assert table.index.tolist() == [("a", 1), ("a", 3), ("b", 1), ("b", 3)]
    assert table.columns.tolist() == [-3, -2, -1, 0] and table.columns.name == "lag"
    np.testing.assert_allclose(table.loc["b"].to_numpy(), weights[1][[0, 2]])
    features = np.random.default_rng(1).dirichlet(np.ones(2), size=(2, 4))  # S, T, F
    names = pd.Index(["y", "x"], name="feature")
    table = feature_table(features, names, keys=["a", "b"], key_names=["series"])
    assert table.index.names == ["series", "lag"]
    np.testing.assert_allclose(table.sum(axis=1), 1.0)


def test_panel_X_is_matched_by_series_key_in_any_row_order():
    y = panel()
    X = (2 * y).rename(columns={"y": "x"})
    shuffled = X.iloc[::-1]  # rows in another order: matched by key and time
    store = SeriesStore(y, shuffled, "none")
    np.testing.assert_allclose(store.arrays[1][:, 1], 2 * store.arrays[1][:, 0])
    with pytest.raises(ValueError, match=r"`X` must cover every series.*'b'"):
        SeriesStore(y, X.drop("b", level="series"), "none")
