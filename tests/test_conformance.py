"""sktime's own conformance suite for every public forecaster of the package."""

import warnings

import pytest
from sktime.utils.estimator_checks import check_estimator, parametrize_with_checks

from sktime_attention.forecasting import ALL_FORECASTERS


@parametrize_with_checks(ALL_FORECASTERS)
def test_sktime_conformance(obj, test_name):
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True)


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_construction_emits_no_future_warning(cls):
    # built outside the check: sktime's own forecasters used as hybrid members
    # warn about remember_data themselves
    all_params = cls.get_test_params()
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)
        cls()
        for params in all_params:
            cls(**params)
