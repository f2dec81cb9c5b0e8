"""get_attention: attention of every window, per window or aggregated, and pure."""

import pickle

import numpy as np
import pandas as pd
import pytest

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster

FAST = dict(window_length=6, hidden_size=8, max_epochs=2, batch_size=16)
CLASSES = [AttentionLSTMForecaster, DualStageAttentionForecaster]


@pytest.fixture(scope="module", params=CLASSES, ids=lambda c: c.__name__)
def fitted(request, airline):
    return request.param(**FAST, random_state=0).fit(airline, fh=[1, 2, 3])


@pytest.fixture(scope="module")
def dual_with_x(longley):
    y, X = longley
    forecaster = DualStageAttentionForecaster(**{**FAST, "window_length": 4})
    return forecaster.set_params(random_state=0).fit(
        y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2]
    )


def test_per_window_tables_have_documented_shape_sums_and_times(fitted, airline):
    tables = fitted.get_attention()
    n_windows = len(airline) - 6 + 1  # one window per end from the 6th point on
    temporal = tables["temporal"]
    assert temporal.index.names == ["window_end", "step"]
    assert list(temporal.columns) == list(range(-5, 1))
    assert temporal.columns.name == "lag"
    assert temporal.shape == (3 * n_windows, 6)
    np.testing.assert_allclose(temporal.sum(axis=1), 1.0, rtol=1e-5)
    ends = temporal.index.get_level_values("window_end").unique()
    # real time stamps: lag 0 of the first window is the 6th month, the last the cutoff
    assert isinstance(ends, pd.PeriodIndex)
    assert ends[0] == airline.index[5] and ends[-1] == airline.index[-1]
    assert list(temporal.loc[ends[0]].index) == [1, 2, 3]
    feature = tables["feature"]
    if not isinstance(fitted, DualStageAttentionForecaster):
        assert feature is None  # a plain LSTM encoder has no feature attention
        return
    assert feature.index.names == ["window_end", "lag"]
    assert feature.shape == (6 * n_windows, 1)
    np.testing.assert_allclose(feature.sum(axis=1), 1.0, rtol=1e-5)


def test_the_last_window_matches_the_cutoff_attention(fitted):
    tables = fitted.get_attention()
    last = tables["temporal"].loc[fitted.cutoff[0]]
    np.testing.assert_allclose(last, fitted.attention_weights_, rtol=1e-5)
    if tables["feature"] is not None:
        np.testing.assert_allclose(
            tables["feature"].loc[fitted.cutoff[0]], fitted.feature_attention_, 1e-5
        )


@pytest.mark.parametrize("how", ["mean", "max"])
def test_aggregated_tables(fitted, how):
    per_window = fitted.get_attention()
    tables = fitted.get_attention(aggregate=how)
    temporal = tables["temporal"]
    assert temporal.index.name == "step" and list(temporal.index) == [1, 2, 3]
    assert list(temporal.columns) == list(range(-5, 1))
    expected = per_window["temporal"].groupby(level="step").agg(how)
    np.testing.assert_allclose(temporal, expected)
    if how == "mean":
        np.testing.assert_allclose(temporal.sum(axis=1), 1.0, rtol=1e-5)
    if tables["feature"] is not None:
        assert tables["feature"].index.name == "lag"
        assert tables["feature"].shape == (6, 1)


def test_get_attention_is_pure(fitted, airline):
    before = pickle.dumps(fitted.__dict__)
    fitted.get_attention()
    fitted.get_attention(y=airline.iloc[:40], aggregate="max")
    assert pickle.dumps(fitted.__dict__) == before


def test_given_series_is_explained_with_its_own_times(fitted, airline):
    part = airline.iloc[50:70]
    temporal = fitted.get_attention(y=part)["temporal"]
    ends = temporal.index.get_level_values("window_end").unique()
    assert list(ends) == list(part.index[5:])
    # the same window inside the full series gives the same weights
    full = fitted.get_attention()["temporal"]
    np.testing.assert_allclose(temporal.loc[ends[3]], full.loc[ends[3]], rtol=1e-5)


def test_windows_are_batched_consistently(fitted, monkeypatch):
    expected = fitted.get_attention()
    monkeypatch.setattr(type(fitted), "_ATTENTION_BATCH", 7)
    tables = fitted.get_attention()
    pd.testing.assert_frame_equal(tables["temporal"], expected["temporal"])


def test_multivariate_y(multivariate_frame):
    forecaster = DualStageAttentionForecaster(**FAST, random_state=0)
    forecaster.fit(multivariate_frame, fh=[1, 2])
    tables = forecaster.get_attention(aggregate="mean")
    assert list(tables["feature"].columns) == ["a", "b"]
    np.testing.assert_allclose(tables["feature"].sum(axis=1), 1.0, rtol=1e-5)
    swapped = multivariate_frame[["b", "a"]]  # columns are matched by name
    pd.testing.assert_frame_equal(
        forecaster.get_attention(y=swapped)["feature"],
        forecaster.get_attention()["feature"],
    )


def test_with_x_future_covariates_decide_which_windows_get_temporal(
    dual_with_x, longley
):
    y, X = longley
    history = dual_with_x.get_attention()
    # 14 stored points, window 4: 11 windows; the last 2 lack future X (horizon 2)
    feature_ends = history["feature"].index.get_level_values("window_end").unique()
    temporal_ends = history["temporal"].index.get_level_values("window_end").unique()
    assert list(feature_ends) == list(y.index[3:14])
    assert list(temporal_ends) == list(y.index[3:12])
    assert list(history["feature"].columns) == ["GNP", "ARMED", "POP"]
    # future X after the stored data completes the last windows
    completed = dual_with_x.get_attention(X=X.iloc[-2:])
    ends = completed["temporal"].index.get_level_values("window_end").unique()
    assert list(ends) == list(y.index[3:14])
    last = completed["temporal"].loc[dual_with_x.cutoff[0]]
    np.testing.assert_allclose(
        last, dual_with_x.predict_attention([1, 2], X=X.iloc[-2:]), rtol=1e-5
    )
    # a given y with X covering it and one step more
    given = dual_with_x.get_attention(y=y.iloc[:10], X=X.iloc[:11], aggregate="mean")
    np.testing.assert_allclose(given["temporal"].sum(axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(given["feature"].sum(axis=1), 1.0, rtol=1e-5)


def test_plain_model_with_x_and_no_future_x_has_no_tables(longley):
    y, X = longley
    forecaster = AttentionLSTMForecaster(**{**FAST, "window_length": 4})
    forecaster.fit(y.iloc[:-2], X=X.iloc[:-2], fh=[1, 2])
    tables = forecaster.get_attention(y=y.iloc[:5], X=X.iloc[:5])
    # 2 windows, none with the 2 future steps of X it needs; no feature attention
    assert tables == {"temporal": None, "feature": None}


def test_panel_tables_gain_the_series_keys(multivariate_frame):
    frames = {k: multivariate_frame[["a"]].rename(columns={"a": "y"}) for k in "pq"}
    panel = pd.concat(frames, names=["series", "time"])
    forecaster = DualStageAttentionForecaster(**FAST, random_state=0)
    forecaster.fit(panel, fh=[1, 2])
    tables = forecaster.get_attention()
    assert tables["temporal"].index.names == ["series", "window_end", "step"]
    assert tables["feature"].index.names == ["series", "window_end", "lag"]
    assert len(tables["temporal"]) == 2 * 2 * (120 - 6 + 1)
    mean = forecaster.get_attention(aggregate="mean")["temporal"]
    assert mean.index.names == ["series", "step"]
    np.testing.assert_allclose(mean.sum(axis=1), 1.0, rtol=1e-5)
    one = forecaster.get_attention(y=panel.loc[["q"]])["temporal"]
    pd.testing.assert_frame_equal(one, tables["temporal"].loc[["q"]])


def test_bad_calls_raise_clear_errors(dual_with_x, longley):
    y, X = longley
    with pytest.raises(ValueError, match=r"`aggregate` must be one of"):
        dual_with_x.get_attention(aggregate="median")
    with pytest.raises(ValueError, match=r"`X` is required in get_attention"):
        dual_with_x.get_attention(y=y)
    with pytest.raises(ValueError, match=r"`X` in get_attention .* missing \['POP'\]"):
        dual_with_x.get_attention(X=X[["ARMED"]])
    with pytest.raises(ValueError, match=r"`y` has 3 time points .* \(4\)"):
        dual_with_x.get_attention(y=y.iloc[:3], X=X)
    two = pd.DataFrame({"u": y, "v": y})
    with pytest.raises(ValueError, match=r"`y` in get_attention must have the col"):
        dual_with_x.get_attention(y=two, X=X)
