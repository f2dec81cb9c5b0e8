"""The API reference builds strict and lists every public method and fitted attribute.

The docs are built once per run (Sphinx, warnings as errors, about 15 s) into a
temporary folder; the class pages of the four forecasters are then searched for
the anchors Sphinx gives each documented method (``id="<class path>.<name>"``)
and for the fitted attributes of their numpydoc ``Attributes`` sections.
"""

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from sktime_attention.forecasting import ALL_FORECASTERS

pytest.importorskip("sphinx")
pytest.importorskip("numpydoc")
pytest.importorskip("myst_parser")

ROOT = Path(__file__).resolve().parents[1]
GENERATED = "generated"  # autosummary's output folder (docs/api.rst)


@pytest.fixture(scope="module")
def html(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "MPLBACKEND": "Agg",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b"]
    command += ["html", "-d", str(out / "doctrees"), "docs", str(out / "html")]
    result = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return out / "html"


def _page(html, cls):
    return (
        html / GENERATED / f"sktime_attention.forecasting.{cls.__name__}.html"
    ).read_text()


def _documented_methods(page, cls):
    prefix = re.escape(f"sktime_attention.forecasting.{cls.__name__}.")
    return set(re.findall(rf'id="{prefix}(\w+)"', page))


def _package_methods(cls):
    """Public callables and properties the package defines for ``cls`` (any base)."""
    names = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("sktime_attention"):
            continue
        for name, value in vars(klass).items():
            value = getattr(value, "__func__", value)
            if name.startswith("_") or not (
                callable(value) or isinstance(value, property)
            ):
                continue
            names.add(name)
    return names


def test_reference_lists_the_methods_the_issue_names(html):
    pages = {cls.__name__: _page(html, cls) for cls in ALL_FORECASTERS}
    expected = {
        "AttentionLSTMForecaster": {
            "predict_attention",
            "get_attention",
            "get_history",
        },
        "DualStageAttentionForecaster": {"predict_attention", "get_attention"},
        "HMMForecaster": {"filter_states", "predict_state_probs", "sample_paths"},
        "HybridForecaster": {"get_member"},
    }
    for cls in ALL_FORECASTERS:
        documented = _documented_methods(pages[cls.__name__], cls)
        missing = expected[cls.__name__] - documented
        assert not missing, f"{cls.__name__} page lacks {sorted(missing)}"


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_reference_lists_every_public_method_and_no_foreign_one(html, cls):
    documented = _documented_methods(_page(html, cls), cls)
    assert _package_methods(cls) <= documented, sorted(
        _package_methods(cls) - documented
    )
    # sktime's own interface is left to sktime's reference
    assert not {"fit", "predict", "clone", "get_tags"} & documented


def _fit_test_instance(cls):
    from sktime.datasets import load_airline

    y = load_airline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return cls.create_test_instance().fit(y, fh=[1, 2])


@pytest.mark.parametrize("cls", ALL_FORECASTERS, ids=lambda c: c.__name__)
def test_reference_lists_every_fitted_attribute(html, cls):
    page = _page(html, cls)
    fitted = _fit_test_instance(cls)
    attributes = {
        name for name in vars(fitted) if name.endswith("_") and not name.startswith("_")
    }
    assert attributes  # a fitted estimator has fitted attributes
    missing = {name for name in attributes if f"<strong>{name}</strong>" not in page}
    assert not missing, f"{cls.__name__} page lacks fitted attributes {sorted(missing)}"


def test_every_substitution_was_filled(html):
    # numbers quoted as MyST substitutions ({{ key }}, from
    # docs/_static/figures/numbers.json) are filled in text, not in code spans
    left = {
        str(page.relative_to(html)): re.findall(r"\{\{[^}]*\}\}", page.read_text())
        for page in html.rglob("*.html")
    }
    assert not {page: keys for page, keys in left.items() if keys}
