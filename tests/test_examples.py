"""Examples must run: docstring examples, the docs' code blocks, ``examples/*.py``.

- Every ``>>>`` example in the package's modules runs as a doctest (default run).
- Every public class and function (the ``__all__`` of the public modules) has a
  numpydoc ``Examples`` section with a ``>>>`` line; the known gaps are strict
  xfails, listed in ``MISSING_EXAMPLES``.
- Slow: the ``python`` code blocks of every docs page run top to bottom, and every
  script in ``examples/`` runs with ``--out tmp_path`` in under 60 s.
"""

import doctest
import importlib
import inspect
import io
import os
import pkgutil
import re
import subprocess
import sys
import time
import warnings
from pathlib import Path

import pytest

import sktime_attention

ROOT = Path(__file__).resolve().parents[1]
SKIP_MODULES = {"sktime_attention.__main__"}  # importing it runs the main job
PUBLIC_MODULES = [
    "sktime_attention",
    "sktime_attention.forecasting",
    "sktime_attention.plotting",
    "sktime_attention.networks",
    "sktime_attention.training",
    "sktime_attention.data",
    "sktime_attention.synthetic",
]
# public objects without an Examples section yet (strict xfails: remove an entry
# when its docstring gains examples)
MISSING_EXAMPLES = {}


def _module_names():
    names = ["sktime_attention"]
    for info in pkgutil.walk_packages(sktime_attention.__path__, "sktime_attention."):
        if info.name not in SKIP_MODULES:
            names.append(info.name)
    return names


def _doctests():
    finder = doctest.DocTestFinder(exclude_empty=True)
    tests = {}
    for name in _module_names():
        for test in finder.find(importlib.import_module(name)):
            if test.examples:
                tests[test.name] = test
    return tests


DOCTESTS = _doctests()


@pytest.mark.parametrize("name", sorted(DOCTESTS))
def test_docstring_examples_run(name):
    import matplotlib.pyplot as plt

    test = DOCTESTS[name]
    test.globs = dict(test.globs)  # a fresh namespace per run
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    runner = doctest.DocTestRunner(optionflags=flags)
    out = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = runner.run(test, out=out.write)
    plt.close("all")
    assert result.failed == 0, out.getvalue()


def test_doctests_were_found():
    classes = {"AttentionLSTMForecaster", "HMMForecaster"}
    found = {name.rsplit(".", 1)[-1] for name in DOCTESTS}
    assert classes <= found


def _public_objects():
    objects = {}
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            if inspect.isclass(obj) and issubclass(obj, Warning):
                continue  # warning classes: the docstring says when they are raised
            objects.setdefault(id(obj), (f"{module_name}.{name}", obj))
    return sorted(objects.values(), key=lambda item: item[0])


def _public_params():
    return [
        pytest.param(
            obj,
            id=path,
            marks=(
                [pytest.mark.xfail(strict=True, reason=MISSING_EXAMPLES[path])]
                if path in MISSING_EXAMPLES
                else []
            ),
        )
        for path, obj in _public_objects()
    ]


@pytest.mark.parametrize("obj", _public_params())
def test_public_object_has_a_runnable_examples_section(obj):
    doc = inspect.getdoc(obj) or ""
    assert re.search(r"^Examples\n-{8}$", doc, flags=re.M), "no Examples section"
    examples = doc.split("Examples\n--------", 1)[1]
    assert ">>>" in examples, "the Examples section has no >>> line"


# -- docs pages ----------------------------------------------------------------------
# pages whose code blocks are fragments, not meant to run top to bottom
FRAGMENT_PAGES = {
    "attention.md": "illustrative fragments: `y` comes from the example scripts",
}


def _doc_pages():
    docs = ROOT / "docs"
    pages = sorted(p for p in docs.rglob("*.md") if "_build" not in p.parts)
    return [p for p in pages if "```python" in p.read_text()]


def _python_blocks(text):
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def _page_params():
    docs = ROOT / "docs"
    return [
        pytest.param(
            page,
            id=str(page.relative_to(docs)),
            marks=(
                [pytest.mark.skip(reason=FRAGMENT_PAGES[page.name])]
                if page.name in FRAGMENT_PAGES
                else []
            ),
        )
        for page in _doc_pages()
    ]


@pytest.mark.slow
@pytest.mark.parametrize("page", _page_params())
def test_docs_code_blocks_run(page, tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)  # pages may write plots
    # run as a script would: blocks behind an `if __name__ == "__main__":` guard
    # (a dask LocalCluster needs one) run too
    namespace = {"__name__": "__main__"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, block in enumerate(_python_blocks(page.read_text())):
            exec(compile(block, f"{page.name}[block {i}]", "exec"), namespace)
    plt.close("all")


def test_quickstart_runs_without_warnings(tmp_path):
    # the page a new user copies first: all its blocks, as one script, with
    # warnings as errors (python -W error)
    page = ROOT / "docs" / "quickstart.md"
    script = tmp_path / "quickstart.py"
    script.write_text("\n".join(_python_blocks(page.read_text())))
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    result = subprocess.run(
        [sys.executable, "-W", "error", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert result.stderr == ""
    assert (tmp_path / "attention.png").exists()


# -- example scripts ---------------------------------------------------------------
EXAMPLE_SCRIPTS = sorted((ROOT / "examples").glob("*.py"))
SCRIPT_SECONDS = 60


@pytest.mark.slow
@pytest.mark.parametrize(
    "script",
    EXAMPLE_SCRIPTS
    or [pytest.param(None, marks=pytest.mark.skip(reason="examples/ has no scripts"))],
    ids=lambda p: p.name if p else "none",
)
def test_example_script_runs_within_a_minute(script, tmp_path):
    env = {
        **os.environ,
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(script), "--out", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=2 * SCRIPT_SECONDS,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-3000:]
    assert seconds < SCRIPT_SECONDS, f"{script.name} took {seconds:.0f} s"
