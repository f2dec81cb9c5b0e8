"""Reliability of the torch forecasters on awkward but legal input.

Columns matched by name in update/predict/get_attention, revisions in update,
extreme magnitudes, non-finite parameters, irregular time indexes and streamed
attention aggregates.
"""

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
