"""Reliability of the torch forecasters on awkward but legal input.

Columns matched by name in update/predict/get_attention, revisions in update,
extreme magnitudes, non-finite parameters, irregular time indexes and streamed
attention aggregates.
"""

import copy
import pickle

import numpy as np
import pandas as pd
import pytest

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster

CLASSES = [AttentionLSTMForecaster, DualStageAttentionForecaster]
FAST = dict(window_length=4, hidden_size=4, max_epochs=2, batch_size=8)


def make(cls, **kwargs):
    return cls(**{**FAST, "random_state": 0, **kwargs})


def data(n=40, seed=0):
    """Two targets ``a``, ``b`` and two covariates ``c``, ``d`` on monthly periods."""
    rng = np.random.default_rng(seed)
    index = pd.period_range("2000-01", periods=n, freq="M")
    t = np.arange(n)
    y = pd.DataFrame(
        {"a": np.sin(t / 3) + rng.normal(0, 0.1, n), "b": 0.01 * t}, index=index
    )
    X = pd.DataFrame({"c": np.cos(t / 4), "d": rng.normal(0, 1, n)}, index=index)
    return y, X


@pytest.fixture(scope="module", params=CLASSES, ids=lambda c: c.__name__)
def with_x(request):
    y, X = data()
    return make(request.param).fit(y.iloc[:30], X=X.iloc[:30], fh=[1, 2])


# -- columns are matched by name ---------------------------------------------------
def test_update_with_reordered_columns_gives_the_same_forecast(with_x):
    y, X = data()
    f_in_order, f_swapped = copy.deepcopy(with_x), copy.deepcopy(with_x)
    f_in_order.update(y.iloc[30:34], X=X.iloc[30:34], update_params=False)
    f_swapped.update(
        y.iloc[30:34][["b", "a"]], X=X.iloc[30:34][["d", "c"]], update_params=False
    )
    future = X.iloc[34:36]
    pd.testing.assert_frame_equal(
        f_swapped.predict(X=future), f_in_order.predict(X=future)
    )
    pd.testing.assert_frame_equal(
        f_swapped.predict(X=future[["d", "c"]]), f_in_order.predict(X=future)
    )


@pytest.mark.parametrize(
    "y_cols, X_cols, match",
    [
        (["a", "z"], ["c", "d"], r"`y` in update .* missing \['b'\], unexpected"),
        (["a"], ["c", "d"], r"`y` in update .* missing \['b'\]"),
        (["a", "b", "z"], ["c", "d"], r"unexpected \['z'\]"),
        (["a", "b"], ["c"], r"`X` in update .* missing \['d'\]"),
        (["a", "b"], ["c", "d", "e"], r"`X` in update .* unexpected \['e'\]"),
        (["a", "b"], None, r"`X` is required in update"),
    ],
)
def test_update_rejects_missing_extra_or_renamed_columns(with_x, y_cols, X_cols, match):
    y, X = data()
    y, X = y.assign(z=1.0), X.assign(e=1.0)
    forecaster = copy.deepcopy(with_x)
    before = pickle.dumps(forecaster._store)
    X_new = None if X_cols is None else X.iloc[30:32][X_cols]
    with pytest.raises(ValueError, match=match):
        forecaster.update(y.iloc[30:32][y_cols], X=X_new, update_params=False)
    assert pickle.dumps(forecaster._store) == before  # nothing half-applied
    assert forecaster.cutoff[0] == y.index[29]  # and the cutoff stays


def test_update_with_x_for_a_model_fitted_without_x_raises():
    y, X = data()
    forecaster = make(AttentionLSTMForecaster).fit(y.iloc[:30], fh=[1])
    with pytest.raises(ValueError, match=r"`X` must be None in update"):
        forecaster.update(y.iloc[30:32], X=X.iloc[30:32], update_params=False)


def test_predict_and_predict_attention_match_x_by_name(with_x):
    _, X = data()
    future = X.iloc[30:32]
    expected = with_x.predict(X=future)
    pd.testing.assert_frame_equal(with_x.predict(X=future[["d", "c"]]), expected)
    pd.testing.assert_frame_equal(
        with_x.predict_attention(X=future[["d", "c"]]),
        with_x.predict_attention(X=future),
    )
    for where, call in [
        ("predict", with_x.predict),
        ("predict_attention", with_x.predict_attention),
    ]:
        with pytest.raises(ValueError, match=rf"`X` in {where} .* missing \['d'\]"):
            call(X=future.rename(columns={"d": "D"}))
        with pytest.raises(ValueError, match=rf"`X` in {where} .* unexpected \['e'\]"):
            call(X=future.assign(e=0.0))


def test_predict_with_x_for_a_model_fitted_without_x_raises():
    y, X = data()
    forecaster = make(AttentionLSTMForecaster).fit(y.iloc[:30], fh=[1])
    with pytest.raises(ValueError, match=r"`X` must be None in predict"):
        forecaster.predict(X=X.iloc[30:31])


def test_get_attention_matches_y_and_x_by_name(with_x):
    y, X = data()
    expected = with_x.get_attention(y.iloc[:30], X.iloc[:32], aggregate="mean")
    tables = with_x.get_attention(
        y.iloc[:30][["b", "a"]], X.iloc[:32][["d", "c"]], aggregate="mean"
    )
    for kind in ("temporal", "feature"):
        if expected[kind] is None:
            assert tables[kind] is None
            continue
        pd.testing.assert_frame_equal(tables[kind], expected[kind])
    with pytest.raises(ValueError, match=r"`y` in get_attention .* missing \['b'\]"):
        with_x.get_attention(y.iloc[:30][["a"]], X.iloc[:32])


@pytest.mark.parametrize("cls", CLASSES)
def test_unnamed_or_renamed_univariate_y_in_update_is_the_fitted_column(cls):
    y, _ = data()
    series = y["a"].rename("sales")
    f_named = make(cls).fit(series.iloc[:30], fh=[1, 2])
    f_unnamed, f_renamed = copy.deepcopy(f_named), copy.deepcopy(f_named)
    f_named.update(series.iloc[30:34], update_params=False)
    f_unnamed.update(series.iloc[30:34].rename(None), update_params=False)
    f_renamed.update(series.iloc[30:34].to_frame("other"), update_params=False)
    expected = f_named.predict()
    assert f_named.get_history().columns.tolist() == ["sales"]
    # forecasts keep the name and container type seen in fit
    pd.testing.assert_series_equal(f_unnamed.predict(), expected)
    pd.testing.assert_series_equal(f_renamed.predict(), expected)


# -- update revises points already seen ----------------------------------------------
@pytest.mark.parametrize("cls", CLASSES)
def test_update_revises_points_already_seen(cls):
    y, _ = data()
    forecaster = make(cls).fit(y.iloc[:30], fh=[1, 2])
    before = forecaster.predict()
    revised = y.iloc[27:30] * 3 + 1
    forecaster.update(revised, update_params=False)
    history = forecaster.get_history()
    assert forecaster.cutoff[0] == y.index[29]
    assert len(history) == 30
    pd.testing.assert_frame_equal(history.iloc[27:], revised, check_freq=False)
    pd.testing.assert_frame_equal(history.iloc[:27], y.iloc[:27], check_freq=False)
    assert not np.allclose(forecaster.predict(), before)  # the context changed
    # revising back restores the forecast exactly
    forecaster.update(y.iloc[27:30], update_params=False)
    pd.testing.assert_frame_equal(forecaster.predict(), before)


@pytest.mark.parametrize("cls", CLASSES)
def test_revision_and_new_points_in_one_update_equal_two_updates(cls):
    y, X = data()
    fitted = make(cls).fit(y.iloc[:30], X=X.iloc[:30], fh=[1, 2])
    y_new = pd.concat([y.iloc[26:30] - 5, y.iloc[30:33]])
    once, twice = copy.deepcopy(fitted), copy.deepcopy(fitted)
    once.update(y_new, X=X.iloc[26:33], update_params=False)
    twice.update(y_new.iloc[:4], X=X.iloc[26:30], update_params=False)
    twice.update(y_new.iloc[4:], X=X.iloc[30:33], update_params=False)
    pd.testing.assert_frame_equal(
        once.predict(X=X.iloc[33:35]), twice.predict(X=X.iloc[33:35])
    )
    pd.testing.assert_frame_equal(once.get_history(), twice.get_history())
    assert once.cutoff[0] == y.index[32]


def test_update_with_the_full_series_again_changes_nothing():
    y, _ = data()
    fitted = make(AttentionLSTMForecaster).fit(y.iloc[:30], fh=[1, 2])
    incremental, full = copy.deepcopy(fitted), copy.deepcopy(fitted)
    incremental.update(y.iloc[30:35], update_params=False)
    full.update(y.iloc[:35], update_params=False)
    pd.testing.assert_frame_equal(full.predict(), incremental.predict())


def test_refit_on_update_trains_on_the_revised_data():
    y, _ = data()
    params = dict(refit_on_update=True, max_epochs=1)
    a = make(AttentionLSTMForecaster, **params).fit(y.iloc[:30], fh=[1])
    b = copy.deepcopy(a)
    a.update(y.iloc[10:30] * 2, update_params=True)  # revision only
    b.update(y.iloc[10:30], update_params=True)  # same values: no revision
    assert not np.allclose(a.predict(), b.predict())


def test_panel_update_revises_one_series():
    y, _ = data()
    panel = pd.concat([y.iloc[:30], y.iloc[:30] + 1], keys=["p", "q"])
    forecaster = make(AttentionLSTMForecaster).fit(panel, fh=[1])
    revision = pd.concat([y.iloc[28:30] * 0], keys=["q"])
    forecaster.update(revision, update_params=False)
    history = forecaster.get_history()
    np.testing.assert_array_equal(history.loc["q"].iloc[28:], 0.0)
    np.testing.assert_array_equal(history.loc["p"], y.iloc[:30])


def test_update_points_off_the_time_grid_or_after_a_gap_raise():
    y, _ = data()
    forecaster = make(AttentionLSTMForecaster).fit(y.iloc[:30], fh=[1])
    before = pickle.dumps(forecaster._store)
    with pytest.raises(ValueError, match=r"gap between 2002-06 and 2002-09"):
        forecaster.update(y.iloc[32:34], update_params=False)
    with pytest.raises(ValueError, match=r"evenly spaced"):
        forecaster.update(y.iloc[[30, 31, 33]], update_params=False)
    assert pickle.dumps(forecaster._store) == before
    ints = y.iloc[:30].set_axis(pd.Index(np.arange(0, 60, 2)))
    forecaster = make(AttentionLSTMForecaster).fit(ints, fh=[1])
    odd = y.iloc[:1].set_axis(pd.Index([7]))
    with pytest.raises(ValueError, match=r"not among those seen so far"):
        forecaster.update(odd, update_params=False)


def test_update_never_modifies_the_callers_data():
    y, X = data()
    forecaster = make(DualStageAttentionForecaster).fit(
        y.iloc[:30], X=X.iloc[:30], fh=[1, 2]
    )
    y_new, X_new = y.iloc[25:34][["b", "a"]], X.iloc[25:34][["d", "c"]]
    y_copy, X_copy = y_new.copy(), X_new.copy()
    forecaster.update(y_new, X=X_new, update_params=False)
    forecaster.predict(X=X.iloc[34:36])
    pd.testing.assert_frame_equal(y_new, y_copy)
    pd.testing.assert_frame_equal(X_new, X_copy)
    # and the forecaster holds no view of it
    history = forecaster.get_history()
    y_new.iloc[:, :] = -1.0
    X_new.iloc[:, :] = -1.0
    pd.testing.assert_frame_equal(forecaster.get_history(), history)


# -- extreme magnitudes ----------------------------------------------------------------
MAGNITUDES = [1e-12, 1e-6, 1.0, 1e6, 1e100, 1e200]


def _shape(kind, n=40):
    t = np.arange(n, dtype=float)
    return np.ones(n) if kind == "constant" else 1.0 + t / n + 0.1 * np.sin(t)


@pytest.mark.parametrize("scaling", ["standard", "window"])
@pytest.mark.parametrize("kind", ["constant", "trending"])
@pytest.mark.parametrize("cls", CLASSES)
def test_forecasts_are_finite_and_scale_with_the_data(cls, kind, scaling):
    index = pd.period_range("2000-01", periods=40, freq="M")
    base = _shape(kind)
    unit = None
    for magnitude in MAGNITUDES:
        y = pd.Series(base * magnitude, index=index, name="y")
        params = {**cls.get_test_params()[0], "scaling": scaling}
        pred = cls(**params).fit(y, fh=[1, 2, 3]).predict()
        relative = pred.to_numpy() / magnitude
        assert np.isfinite(relative).all(), (magnitude, relative)
        # within a sane range of the data: data lie in [0.9, 2.1] of the magnitude
        assert (np.abs(relative) < 10).all(), (magnitude, relative)
        if kind == "constant":
            np.testing.assert_allclose(relative, 1.0, atol=1.0)
        # the same data at another magnitude gives the same relative forecast
        if unit is None:
            unit = relative
        np.testing.assert_allclose(relative, unit, rtol=1e-5)


@pytest.mark.parametrize("magnitude", [1e-9, 1e-12])
def test_constant_tiny_series_is_forecast_at_its_level(magnitude):
    forecasts = {}
    for level in (magnitude, 1.0):
        y = pd.Series(np.full(40, level), index=pd.RangeIndex(40))
        forecaster = make(DualStageAttentionForecaster, scaling="standard")
        forecasts[level] = forecaster.fit(y, fh=[1, 2]).predict() / level
    # once off by 0.5 in absolute terms (5e8 times the level): now relative
    np.testing.assert_allclose(forecasts[magnitude], 1.0, atol=1.0)
    np.testing.assert_allclose(forecasts[magnitude], forecasts[1.0], rtol=1e-5)


def test_extreme_covariates_scale_too():
    y, X = data()
    forecaster = make(DualStageAttentionForecaster, scaling="standard")
    forecaster.fit(y.iloc[:30], X=X.iloc[:30] * 1e250, fh=[1])
    pred = forecaster.predict(X=X.iloc[30:31] * 1e250)
    assert np.isfinite(pred.to_numpy()).all()


def test_scaling_none_rejects_values_beyond_float32():
    y = pd.Series(_shape("trending") * 1e200, index=pd.RangeIndex(40))
    with pytest.raises(ValueError, match=r"beyond float32"):
        make(AttentionLSTMForecaster, scaling="none").fit(y, fh=[1])


def test_update_far_outside_the_fitted_range_raises_clearly():
    y = pd.Series(_shape("trending"), index=pd.RangeIndex(40))
    forecaster = make(AttentionLSTMForecaster).fit(y.iloc[:30], fh=[1])
    expected = forecaster.predict()
    with pytest.raises(ValueError, match=r"beyond float32"):
        forecaster.update(y.iloc[30:32] * 1e300, update_params=False)
    # the rejected update leaves data, cutoff and forecast as they were
    assert forecaster.cutoff[0] == 29
    pd.testing.assert_series_equal(forecaster.predict(), expected)
    pd.testing.assert_series_equal(
        forecaster.get_history().iloc[:, 0], y.iloc[:30], check_names=False
    )


# -- parameters ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "params, match",
    [
        ({"learning_rate": np.inf}, r"`learning_rate` must be a finite float"),
        ({"learning_rate": float("nan")}, r"`learning_rate` must be a float"),
        ({"dropout": np.inf}, r"`dropout` must be a float"),
        ({"teacher_forcing_ratio": -np.inf}, r"`teacher_forcing_ratio` must be"),
        ({"validation_fraction": np.inf}, r"`validation_fraction` must be"),
    ],
)
def test_non_finite_parameters_are_rejected(params, match):
    y, _ = data()
    with pytest.raises(ValueError, match=match):
        make(AttentionLSTMForecaster, **params).fit(y, fh=[1])


@pytest.mark.parametrize("cls", CLASSES)
def test_validation_fraction_leaving_no_training_window_names_the_counts(cls):
    y, _ = data(n=10)  # 10 - (4 + 2) + 1 = 5 windows
    forecaster = make(cls, validation_fraction=0.9)
    with pytest.raises(
        ValueError,
        match=r"`validation_fraction` \(0.9\) holds out 5 of the 5 windows .* "
        r"0 training windows",
    ):
        forecaster.fit(y, fh=[1, 2])


# -- regular time index ----------------------------------------------------------------
def test_irregular_datetime_index_is_rejected_in_fit():
    y, _ = data()
    index = pd.DatetimeIndex(pd.date_range("2000-01-01", periods=40).delete(5))
    y = pd.Series(np.arange(39.0), index=index)
    with pytest.raises(ValueError, match=r"`y` must have a regular time index"):
        make(AttentionLSTMForecaster).fit(y, fh=[1])


def test_period_index_with_a_gap_is_rejected_in_fit():
    y, _ = data()
    with pytest.raises(ValueError, match=r"gap between 2000-05 and 2000-07"):
        make(DualStageAttentionForecaster).fit(y.drop(y.index[5]), fh=[1])


def test_panel_series_with_a_gap_is_rejected_in_fit():
    y, _ = data()
    panel = pd.concat([y, y.drop(y.index[7])], keys=["p", "q"])
    with pytest.raises(ValueError, match=r"`y \('q',\)` must have evenly spaced"):
        make(AttentionLSTMForecaster).fit(panel, fh=[1])


def test_regular_datetime_index_without_freq_still_fits():
    y = pd.Series(np.sin(np.arange(40.0)), index=pd.date_range("2000", periods=40))
    y.index.freq = None
    pred = make(AttentionLSTMForecaster).fit(y, fh=[1, 2]).predict()
    assert list(pred.index) == list(pd.date_range("2000-02-10", periods=2))


# -- streamed attention aggregates -----------------------------------------------------
@pytest.mark.parametrize("how", ["mean", "max"])
@pytest.mark.parametrize("cls", CLASSES)
def test_aggregates_stream_over_batches_and_equal_the_per_window_tables(
    cls, how, monkeypatch
):
    y, X = data(n=60)
    forecaster = make(cls).fit(y.iloc[:50], X=X.iloc[:50], fh=[1, 2])
    monkeypatch.setattr(type(forecaster), "_ATTENTION_BATCH", 7)
    sizes = []
    run = type(forecaster)._window_attention

    def spy(self, past, future, batch_size):
        sizes.append(len(past))
        return run(self, past, future, batch_size)

    monkeypatch.setattr(type(forecaster), "_window_attention", spy)
    per_window = forecaster.get_attention(X=X.iloc[:52])
    sizes.clear()
    tables = forecaster.get_attention(X=X.iloc[:52], aggregate=how)
    assert max(sizes) <= 7 and len(sizes) > 1  # reduced batch by batch
    for kind, level in (("temporal", "step"), ("feature", "lag")):
        if per_window[kind] is None:
            assert tables[kind] is None
            continue
        expected = per_window[kind].groupby(level=level).agg(how)
        pd.testing.assert_frame_equal(tables[kind], expected, rtol=1e-12)


@pytest.mark.parametrize("how", ["mean", "max"])
def test_panel_aggregates_equal_the_per_window_tables(how, monkeypatch):
    y, _ = data(n=40)
    panel = pd.concat([y, y.iloc[:25] * 2], keys=["p", "q"], names=["k", "t"])
    forecaster = make(DualStageAttentionForecaster).fit(panel, fh=[1, 2])
    monkeypatch.setattr(type(forecaster), "_ATTENTION_BATCH", 5)
    per_window = forecaster.get_attention()
    tables = forecaster.get_attention(aggregate=how)
    for kind, level in (("temporal", "step"), ("feature", "lag")):
        expected = per_window[kind].groupby(level=["k", level], sort=False).agg(how)
        pd.testing.assert_frame_equal(tables[kind], expected, rtol=1e-12)
