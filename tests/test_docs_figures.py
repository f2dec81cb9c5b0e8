"""The estimator pages' figures and numbers come from ``docs/figures/make_figures.py``.

The pages quote numbers only as MyST substitutions (``{{ key }}``) filled from the
committed ``docs/_static/figures/numbers.json``, which the script writes with the
figures. These tests run the script's code paths with tiny settings into a
temporary folder (a few seconds), and check that the pages, the committed outputs
and the script agree on the names of the figures and numbers. Whether the committed
values are current is the script's to say: rerun it after changing an estimator.
"""

import importlib.util
import json
import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
FIGURES = DOCS / "_static" / "figures"


@pytest.fixture(scope="module")
def make_figures():
    path = DOCS / "figures" / "make_figures.py"
    spec = importlib.util.spec_from_file_location("make_figures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _figure_names(make_figures):
    return {name for page in make_figures.PAGES.values() for name in page.FIGURES}


def _pages():
    return sorted(p for p in DOCS.rglob("*.md") if "_build" not in p.parts)


def _used_keys():
    keys = set()
    for page in _pages():
        keys |= set(re.findall(r"\{\{\s*(\w+)\s*\}\}", page.read_text()))
    return keys


def _used_figures():
    names = set()
    for page in _pages():
        names |= set(re.findall(r"_static/figures/([\w.-]+\.png)", page.read_text()))
    return names


def test_quick_run_writes_every_figure_and_number(make_figures, tmp_path):
    import matplotlib.pyplot as plt

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        numbers = make_figures.make(tmp_path, quick=True)
    plt.close("all")
    written = {p.name for p in tmp_path.glob("*.png")}
    assert written == _figure_names(make_figures)
    assert json.loads((tmp_path / make_figures.NUMBERS).read_text()) == numbers
    committed = json.loads((FIGURES / make_figures.NUMBERS).read_text())
    assert set(numbers) == set(committed), "rerun docs/figures/make_figures.py"
    assert all(isinstance(v, str) and v for v in numbers.values())


def test_only_keeps_the_other_pages_numbers(make_figures, tmp_path):
    (tmp_path / make_figures.NUMBERS).write_text('{"lstm_mape": "kept"}')
    numbers = make_figures.make(tmp_path, quick=True, only=["hmm"])
    assert numbers["lstm_mape"] == "kept"
    assert numbers["hmm_n_states"] in {"1", "2"}  # QUICK compares 1 and 2 states
    assert {p.name for p in tmp_path.glob("*.png")} == set(make_figures.fig_hmm.FIGURES)


def test_pages_quote_exactly_the_committed_numbers(make_figures):
    committed = json.loads((FIGURES / make_figures.NUMBERS).read_text())
    used = _used_keys()
    assert used, "no page quotes a number of the script"
    assert used <= set(committed), sorted(used - set(committed))
    assert set(committed) <= used, f"unused numbers {sorted(set(committed) - used)}"


def test_pages_show_exactly_the_committed_figures(make_figures):
    names = _figure_names(make_figures)
    assert _used_figures() == names
    committed = {p.name for p in FIGURES.glob("*.png")}
    assert committed == names, "rerun docs/figures/make_figures.py"
