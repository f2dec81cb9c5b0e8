"""Intervals and in-sample predictions of the attention forecasters."""

import numpy as np
import pandas as pd
import pytest

from sktime_attention import (
    AttentionLSTMForecaster,
    DualStageAttentionForecaster,
    synthetic,
)
from sktime_attention.forecasting._seq2seq_intervals import conformal_widths

FAST = dict(window_length=6, hidden_size=4, max_epochs=3, batch_size=32)


def make(cls=AttentionLSTMForecaster, **kwargs):
    return cls(**{**FAST, "random_state": 0, **kwargs})


def random_walk(n=80, seed=0):
    rng = np.random.default_rng(seed)
    index = pd.period_range("2000-01", periods=n, freq="M")
    return pd.Series(100 + np.cumsum(rng.standard_normal(n)), index=index, name="y")


@pytest.fixture(scope="module")
def fitted():
    return make().fit(random_walk(), fh=[1, 2, 3, 4])


def test_quantiles_increase_with_alpha_around_the_point_forecast(fitted):
    alpha = [0.025, 0.1, 0.5, 0.9, 0.975]
    q = fitted.predict_quantiles(alpha=alpha)
    assert list(q.columns) == [("y", a) for a in alpha]
    assert (np.diff(q.to_numpy(), axis=1) >= 0).all()
    np.testing.assert_allclose(q[("y", 0.5)], fitted.predict())
    # strictly wider at higher coverage
    assert (q[("y", 0.975)] > q[("y", 0.9)]).all()
    interval = fitted.predict_interval(coverage=[0.8, 0.95])
    point = fitted.predict()
    for c in (0.8, 0.95):
        assert (interval[("y", c, "lower")] < point).all()
        assert (point < interval[("y", c, "upper")]).all()


def test_widths_never_shrink_on_a_random_walk_even_past_the_horizon(fitted):
    interval = fitted.predict_interval(fh=range(1, 9), coverage=0.9)
    width = interval[("y", 0.9, "upper")] - interval[("y", 0.9, "lower")]
    assert (np.diff(width.to_numpy()) >= 0).all()
    var = fitted.predict_var(fh=range(1, 9))["y"].to_numpy()
    assert (var > 0).all() and (np.diff(var) >= 0).all()


def test_conformal_width_is_the_finite_sample_rank_of_the_errors():
    errors = [np.arange(1.0, 20.0)[:, None]]  # 19 errors at one step
    widths = conformal_widths(errors, np.array([0.0, 0.9, 0.95, 0.99]))
    # ceil(20 * 0.9) = 18th, ceil(20 * 0.95) = 19th; 0.99 needs more: Gaussian
    assert widths[0, :3, 0].tolist() == [0.0, 18.0, 19.0]
    assert widths[0, 3, 0] > 19.0


def test_a_step_whose_width_dips_is_pooled_with_the_steps_before():
    # 19 errors at step 1 (rank 18 at 90%: 18), 39 at step 2 (rank 36: 9):
    # the non-decreasing fit weighted by the counts is their weighted mean
    errors = [np.arange(1.0, 20.0)[:, None], np.arange(0.25, 10.0, 0.25)[:, None]]
    widths = conformal_widths(errors, np.array([0.9]))[:, 0, 0]
    pooled = (19 * 18.0 + 39 * 9.0) / 58
    np.testing.assert_allclose(widths, [pooled, pooled])


def test_widths_follow_each_series_scale_in_a_panel():
    panel = synthetic.make_panel(2, 60, 0, level_step=0.0)
    big = panel.loc["s0"] * 1000.0
    panel = pd.concat(
        [panel.loc["s0"], big], keys=["small", "big"], names=["series", "time"]
    )
    forecaster = make().fit(panel, fh=[1, 2])
    interval = forecaster.predict_interval(coverage=0.8)
    assert interval.index.equals(forecaster.predict().index)
    width = interval.iloc[:, 1] - interval.iloc[:, 0]
    np.testing.assert_allclose(width.loc["big"], 1000.0 * width.loc["small"])


def test_multivariate_panel_quantiles_have_a_column_per_target_and_alpha():
    panel = synthetic.make_panel(3, 50, 0)
    panel["z"] = panel["y"] * 2.0 + 1.0
    forecaster = make(DualStageAttentionForecaster).fit(panel, fh=[1, 2])
    q = forecaster.predict_quantiles(alpha=[0.1, 0.9])
    assert list(q.columns) == [("y", 0.1), ("y", 0.9), ("z", 0.1), ("z", 0.9)]
    assert q.index.equals(forecaster.predict().index)
    assert len(q) == 3 * 2 and np.isfinite(q.to_numpy()).all()


def test_calibration_leaves_the_point_forecast_alone():
    y = random_walk()
    holdout = make(interval_calibration="holdout").fit(y, fh=[1, 2])
    insample = make(interval_calibration="insample").fit(y, fh=[1, 2])
    np.testing.assert_array_equal(holdout.predict(), insample.predict())


def test_unknown_calibration_is_named():
    with pytest.raises(ValueError, match="interval_calibration"):
        make(interval_calibration="bootstrap").fit(random_walk(), fh=[1])


@pytest.mark.parametrize("cls", [AttentionLSTMForecaster, DualStageAttentionForecaster])
def test_insample_value_is_the_one_step_forecast_from_the_point_before(cls):
    y = random_walk()
    forecaster = make(cls).fit(y.iloc[:60], fh=[1, 2])
    expected = forecaster.predict(fh=[1]).iloc[0]  # forecast of point 60
    forecaster.update(y.iloc[60:65], update_params=False)
    fitted = forecaster.predict(fh=[-4, 1])  # point 60, then 66
    assert fitted.index[0] == y.index[60]
    assert fitted.iloc[0] == pytest.approx(expected, rel=1e-6)
    assert fitted.iloc[1] == pytest.approx(forecaster.predict(fh=[1]).iloc[0])
    # in-sample intervals are those of one step ahead
    interval = forecaster.predict_interval(fh=[-4, 1], coverage=0.8).to_numpy()
    np.testing.assert_allclose(
        interval[0, 1] - interval[0, 0], interval[1, 1] - interval[1, 0]
    )


def test_insample_points_without_a_full_window_before_are_nan(fitted):
    n = len(random_walk())
    steps = -np.arange(n)[::-1]  # every fitted point, oldest first
    values = fitted.predict(fh=steps)
    window = FAST["window_length"]
    assert values.iloc[:window].isna().all()
    assert values.iloc[window:].notna().all()
    interval = fitted.predict_interval(fh=steps)
    assert interval.iloc[:window].isna().all().all()


def test_insample_values_of_a_panel_with_covariates():
    panel = synthetic.make_panel(2, 40, 0)
    X = panel[["y"]].rename(columns={"y": "x"}).groupby(level=0).shift(1).bfill()
    forecaster = make().fit(panel, X=X, fh=[1])
    values = forecaster.predict(fh=[-2, -1, 0])  # no future X needed
    assert values.index.equals(
        pd.MultiIndex.from_product(
            [["s0", "s1"], panel.loc["s0"].index[-3:]], names=["series", "time"]
        )
    )
    assert values.notna().all().all()


def test_predict_attention_rejects_insample_steps(fitted):
    with pytest.raises(ValueError, match="in-sample steps"):
        fitted.predict_attention(fh=[-1, 1])


def test_a_pretrained_network_is_calibrated_on_points_after_its_pretraining():
    panel = synthetic.make_panel(3, 50, 0)
    early = panel.groupby(level=0).head(40)
    forecaster = make().pretrain(early, fh=[1, 2])
    forecaster.fit(panel, fh=[1, 2])  # 10 new points per series
    step1, step2 = forecaster._interval_errors
    assert len(step1) == len(step2) == 3 * 10  # each unseen point, each step
    unseen = make().pretrain(early.drop("s2", level=0), fh=[1, 2])
    unseen.fit(panel.loc[["s2"]], fh=[1, 2])  # every origin of s2 counts
    assert len(unseen._interval_errors[0]) == 50 - FAST["window_length"]


def test_holdout_scores_each_step_on_the_last_fifth_of_the_series(fitted):
    # 80 points, horizon 4: the last ceil(0.2 * 80) = 16 points are held out
    assert [len(e) for e in fitted._interval_errors] == [16] * 4
