"""Past-only covariates (``past_covariates``): encoder only, never the decoder.

Planted answer: ``y[t] = x[t - 3] + 0.1 e[t]`` with ``x`` iid N(0, 1) known only
up to the cutoff. Forecast steps 1..3 are driven by values of ``x`` already in
the window, so a model that reads ``x`` as a past covariate forecasts far better
than one without covariates (which can only forecast the mean). Measured with
``benchmarks/past_covariates.py --seeds 6`` (n=200, 40 holdout cutoffs, 20
epochs): MAE ratio 0.11-0.21 for the LSTM and 0.13-0.23 for the dual-stage model;
the tests ask for a ratio below 0.5 with seed 0.
"""

import copy

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sktime_attention import AttentionLSTMForecaster, DualStageAttentionForecaster
from sktime_attention.data import SeriesStore
from sktime_attention.forecasting._covariates import match_known_X
from sktime_attention.synthetic import make_panel, make_planted_driver
from sktime_attention.training import Windows

LAG = 3
FH = [1, 2, 3]
TINY = dict(window_length=6, hidden_size=4, max_epochs=2, random_state=0)


def planted(n=120, seed=0):
    """``y`` following past-only ``x`` by LAG steps, and a known input ``h``."""
    y, X = make_planted_driver(n, inputs=["x", "h"], seed=seed, lag=LAG)
    return y, X


def rolling_mae(forecaster, y, X, n_train):
    """Fit on ``n_train`` points; MAE of fh 1..LAG from every later cutoff."""
    forecaster.fit(y.iloc[:n_train], X=None if X is None else X.iloc[:n_train], fh=FH)
    errors = []
    for end in range(n_train, len(y) - LAG + 1):
        truth = y.iloc[end : end + LAG].to_numpy()
        errors.append(np.abs(forecaster.predict().to_numpy() - truth))
        if end < len(y) - LAG:
            new = slice(end, end + 1)
            forecaster.update(
                y.iloc[new], X=None if X is None else X.iloc[new], update_params=False
            )
    return float(np.mean(errors))


@pytest.mark.parametrize("cls", [AttentionLSTMForecaster, DualStageAttentionForecaster])
def test_past_covariate_beats_no_covariates_on_planted_delay(cls):
    y, X = make_planted_driver(200, inputs=["x"], seed=0, lag=LAG)
    settings = dict(
        window_length=2 * LAG,
        hidden_size=8,
        max_epochs=20,
        batch_size=32,
        learning_rate=1e-2,
        scaling="standard",
        random_state=0,
    )
    # predict() without X: every X column is past-only; update extends x
    with_x = rolling_mae(cls(past_covariates=["x"], **settings), y, X, 160)
    without = rolling_mae(cls(**settings), y, None, 160)
    assert with_x < 0.5 * without, (with_x, without)


@pytest.mark.parametrize("decoder", ["direct", "recursive"])
def test_future_values_of_past_columns_are_never_read(decoder):
    y, X = planted()
    f = DualStageAttentionForecaster(
        past_covariates=["x"], decoder=decoder, horizon=3, **TINY
    )
    f.fit(y.iloc[:-3], X=X.iloc[:-3], fh=FH)
    future = X.iloc[-3:]
    base = f.predict(X=future)
    changed = future.assign(x=[50.0, -50.0, 7.0])
    pd.testing.assert_frame_equal(f.predict(X=changed).to_frame(), base.to_frame())
    pd.testing.assert_series_equal(f.predict(X=future[["h"]]), base)
    pd.testing.assert_frame_equal(
        f.predict_attention(X=changed), f.predict_attention(X=future)
    )
    # the known column is read: changing it changes the forecast
    assert not np.allclose(f.predict(X=future.assign(h=50.0)), base)


def test_training_windows_feed_only_known_columns_to_the_decoder():
    data = np.arange(40.0).reshape(10, 4)  # (L, F): target, then c0, c1, c2
    windows = Windows([data], 3, 2, 1, 0.0, center=False, known=[0, 2])
    past, future, target = windows.batch(np.array([0, 4]), "cpu")
    assert past.shape == (2, 3, 4)  # the encoder reads every column
    np.testing.assert_array_equal(future[0].numpy(), data[3:5][:, [1, 3]])
    assert (
        Windows([data], 3, 2, 1, 0.0, False, known=[]).batch(np.array([0]), "cpu")[1]
        is None
    )


def test_all_past_only_predicts_without_X_and_update_extends_them():
    y, X = planted()
    f = AttentionLSTMForecaster(past_covariates="all", **TINY)
    f.fit(y.iloc[:-2], X=X.iloc[:-2], fh=FH)
    assert f.predict().notna().all()
    # the decoder reads no X, so the cutoff's temporal attention exists
    assert f.attention_weights_.shape == (3, 6)
    np.testing.assert_allclose(f.attention_weights_.sum(axis=1), 1.0, rtol=1e-5)
    other = copy.deepcopy(f)
    f.update(y.iloc[-2:-1], X=X.iloc[-2:-1], update_params=False)
    other.update(y.iloc[-2:-1], X=X.iloc[-2:-1].assign(x=40.0), update_params=False)
    assert f.cutoff[0] == y.index[-2]
    # the x of the update entered the window: the forecasts differ
    assert not np.allclose(f.predict(), other.predict())
    with pytest.raises(ValueError, match=r"`X` is required in update"):
        f.update(y.iloc[-1:], update_params=False)


def test_all_past_only_fits_without_X():
    y, _ = planted()
    f = AttentionLSTMForecaster(past_covariates="all", **TINY).fit(y, fh=FH)
    assert f.predict().notna().all()


@pytest.mark.parametrize(
    "value, error, match",
    [
        ("x", ValueError, r"`past_covariates` must be .*for one column pass \['x'\]"),
        ({"x"}, TypeError, r"`past_covariates` must be None.*got set"),
        (["x", "x"], ValueError, r"`past_covariates` .*repeating \['x'\]"),
        (["x", "z"], ValueError, r"names columns not in `X`: \[.z.\]; `X` has"),
        ([0], ValueError, r"names columns not in `X`: \[0\]; `X` has the columns"),
    ],
)
def test_bad_past_covariates_raise_naming_the_parameter(value, error, match):
    y, X = planted(40)
    with pytest.raises(error, match=match):
        AttentionLSTMForecaster(past_covariates=value, **TINY).fit(y, X=X, fh=FH)


def test_past_covariates_named_without_X_raise():
    y, _ = planted(40)
    with pytest.raises(ValueError, match=r"`past_covariates` names .*no `X`"):
        AttentionLSTMForecaster(past_covariates=["x"], **TINY).fit(y, fh=FH)


@pytest.fixture(scope="module")
def mixed():
    """A fitted model with past-only ``x`` and known ``h``, and the future X."""
    y, X = planted()
    f = AttentionLSTMForecaster(past_covariates=["x"], **TINY)
    return f.fit(y.iloc[:-3], X=X.iloc[:-3], fh=FH), X.iloc[-3:]


def test_missing_known_columns_raise_naming_them(mixed):
    f, future = mixed
    with pytest.raises(ValueError, match=r"the decoder needs the columns \['h'\]"):
        f.predict()
    with pytest.raises(ValueError, match=r"missing \['h'\], unexpected \[\]"):
        f.predict(X=future[["x"]])
    with pytest.raises(ValueError, match=r"unexpected \['z'\]"):
        f.predict(X=future.assign(z=1.0))
    short = future.iloc[:2]
    with pytest.raises(ValueError, match=r"columns \['h'\] are missing at .*1 of 3"):
        f.predict(X=short)


def test_direct_decoder_cannot_roll_past_covariates_beyond_horizon(mixed):
    f, future = mixed
    with pytest.raises(ValueError, match=r"fit with `horizon` >= 4 or `decoder="):
        f.predict(fh=[1, 4], X=future)
    y, X = planted()
    g = AttentionLSTMForecaster(past_covariates="all", decoder="recursive", **TINY)
    g.fit(y, X=X, fh=FH)
    assert len(g.predict(fh=range(1, 9))) == 8  # the recursive decoder has no limit


def test_feature_attention_labels_and_get_attention():
    y, X = planted()
    X = X[["x", "h"]].assign(w=np.sin(np.arange(len(X))))
    f = DualStageAttentionForecaster(past_covariates=["h"], **TINY)
    f.fit(y, X=X, fh=FH)
    assert list(f.feature_attention_.columns) == ["y", "x", "h", "w"]
    tables = f.get_attention()
    assert list(tables["feature"].columns) == ["y", "x", "h", "w"]
    ends = tables["temporal"].index.get_level_values("window_end").unique()
    assert ends[-1] == y.index[-1 - 3]  # the last windows need future x and w
    g = DualStageAttentionForecaster(past_covariates="all", **TINY).fit(y, X=X, fh=FH)
    ends = g.get_attention()["temporal"].index.get_level_values("window_end")
    assert ends.unique()[-1] == y.index[-1]  # no future X needed by any window


def test_panel_and_pretrain_with_past_covariates():
    data = make_panel(n_series=3, n=40)
    rng = np.random.default_rng(0)
    X = pd.DataFrame(
        {"x": rng.normal(size=len(data)), "h": rng.normal(size=len(data))},
        index=data.index,
    )
    f = AttentionLSTMForecaster(past_covariates=["x"], **TINY)
    f.fit(data, X=X, fh=FH)
    later = make_panel(n_series=3, n=43).groupby(level=0).tail(3).index
    future = pd.DataFrame({"h": 0.5}, index=later)
    pred = f.predict(X=future)
    assert pred.shape == (9, 1) and pred.notna().all().all()
    g = AttentionLSTMForecaster(past_covariates=["x"], **TINY)
    g.pretrain(data.drop("s2", level="series"), X=X.drop("s2", level="series"))
    unseen = g.clone().pretrain(data.loc[["s0", "s1"]], X=X.loc[["s0", "s1"]])
    g.fit(data.loc["s2"], X=X.loc["s2"], fh=FH)  # an unseen series
    assert g.predict(X=future.loc["s2"][["h"]]).notna().all().all()
    # the pretrained network reads position 0 as past-only, the new X has h there
    with pytest.raises(ValueError, match=r"reads the `X` columns at positions \[0\]"):
        unseen.fit(data.loc["s2"], X=X.loc["s2"][["h", "x"]], fh=FH)


@settings(max_examples=25, deadline=None)
@given(
    past=st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True),
    order=st.permutations(["a", "b", "c", "d"]),
    keep_past=st.booleans(),
)
def test_known_columns_are_the_rest_of_X_in_fitted_order(past, order, keep_past):
    index = pd.RangeIndex(6)
    y = pd.DataFrame({"y": np.arange(6.0)}, index=index)
    X = pd.DataFrame(np.arange(24.0).reshape(6, 4), index, columns=list("abcd"))
    store = SeriesStore(y, X, "none", past_covariates=past)
    assert store.past_columns == [c for c in "abcd" if c in past]
    assert store.known_columns == [c for c in "abcd" if c not in past]
    assert store.known == [i for i, c in enumerate("abcd") if c not in past]
    later = pd.DataFrame(
        np.arange(100.0, 112.0).reshape(3, 4), pd.RangeIndex(6, 9), list("abcd")
    )
    given_X = later[[c for c in order if keep_past or c not in past]]
    matched = match_known_X(given_X, store, "predict")
    assert list(matched.columns) == store.known_columns
    future = store.future(matched, 0, 3, index[-1:])
    expected = later[store.known_columns].to_numpy() if store.n_known else None
    if expected is None:
        assert future is None
    else:  # scaling "none": the raw values of the known columns, nothing else
        np.testing.assert_array_equal(future, expected)


def test_intervals_and_insample_values_with_past_and_known_columns():
    """Calibration windows feed the decoder only the known column, as fit does."""
    y, X = planted()
    f = AttentionLSTMForecaster(past_covariates=["x"], **TINY)
    f.fit(y.iloc[:-4], X=X.iloc[:-4], fh=FH)
    one_ahead = f.predict(fh=[1], X=X[["h"]].iloc[-4:-3]).iloc[0]
    interval = f.predict_interval(X=X[["h"]].iloc[-4:-1], coverage=0.9)
    assert np.isfinite(interval.to_numpy()).all()
    assert (interval.iloc[:, 0] < interval.iloc[:, 1]).all()
    f.update(y.iloc[-4:-3], X=X.iloc[-4:-3], update_params=False)
    # the in-sample value at the new cutoff is the one-step forecast made before it
    np.testing.assert_allclose(f.predict(fh=[0]).iloc[0], one_ahead, rtol=1e-5)
