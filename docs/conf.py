"""Sphinx configuration of the sktime_attention documentation.

Build (warnings are errors)::

    sphinx-build -W --keep-going -b html docs docs/_build/html
"""

import json
import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
# document the checkout these docs belong to, not another installed copy
sys.path.insert(0, str(DOCS.parent))
# one torch / BLAS thread while autodoc imports the package (2-core CI machines)
os.environ.setdefault("OMP_NUM_THREADS", "1")

import sktime_attention  # noqa: E402

project = "sktime_attention"
author = "sktime_attention developers"
copyright = "sktime_attention developers"  # noqa: A001
release = sktime_attention.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store", "**.ipynb_checkpoints"]
templates_path = ["_templates"]

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autosummary_ignore_module_all = False  # a module's API is its ``__all__``
autosummary_imported_members = True  # the public modules re-export private ones
# Every class page lists the public methods, properties and fitted attributes the
# package defines, including those on its private base classes (for example
# ``predict_attention``); members that sktime, skbase or torch define are left to
# their own references (see ``_skip_foreign_member``).
autodoc_default_options = {}
autodoc_typehints = "none"  # the numpydoc "Parameters" sections hold the types
autoclass_content = "class"

# Where each name of the top-level package is documented: the first public
# submodule whose ``__all__`` lists it (computed, so new exports appear by
# themselves).
_PUBLIC_MODULES = [
    "sktime_attention.forecasting",
    "sktime_attention.plotting",
    "sktime_attention.networks",
]


def _canonical_names():
    import importlib

    canonical = {}
    for name in _PUBLIC_MODULES:
        module = importlib.import_module(name)
        for item in getattr(module, "__all__", []):
            canonical.setdefault(item, name)
    return canonical


autosummary_context = {"canonical": _canonical_names()}

# -- numpydoc -------------------------------------------------------------------
numpydoc_show_class_members = False  # autodoc lists the members (no inherited ones)
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False
# Checks run on every documented docstring; a failure is a warning, hence an
# error under -W. These are structural errors (a parameter missing or misnamed,
# an unknown section, a docstring missing); style checks (summary punctuation,
# "Returns" for methods returning self, "See Also" descriptions) are left to
# ruff's pydocstyle rules, which run on the source.
numpydoc_validation_checks = {
    "GL06",  # unknown section
    "GL07",  # sections in the wrong order
    "GL08",  # the object has no docstring
    "PR01",  # a parameter of the signature is not documented
    "PR02",  # a documented parameter is not in the signature
    "PR03",  # parameters documented in the wrong order
    "PR10",  # "name: type" without a space before the colon
}
# Known gaps, excluded one by one until their docstrings are fixed (each lacks a
# "Parameters" section; see the docs issue's report). Remove an entry once fixed.
numpydoc_validation_exclude = {
    # helpers the forecasters build on; their methods lack "Parameters" sections
    r"^sktime_attention\.data\.SeriesStore\.",
    r"^sktime_attention\.networks\.AttentionSeq2Seq\.(encode|forward)$",
    r"^sktime_attention\.networks\.InputAttentionEncoder\.forward$",
    r"^sktime_attention\.training\.Windows\.batch$",
}

# -- Markdown (MyST) --------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "dollarmath", "substitution"]
# The numbers quoted on the estimator pages ({{ key }}), written with their figures
# by ``docs/figures/make_figures.py``: never copied into the pages by hand.
myst_substitutions = json.loads((DOCS / "_static/figures/numbers.json").read_text())
myst_heading_anchors = 3

# -- HTML ---------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"sktime_attention {release}"
html_static_path = ["_static"] if (DOCS / "_static").is_dir() else []
html_theme_options = {
    "description": "Attention LSTM, HMM and hybrid forecasters for sktime",
    "fixed_sidebar": True,
}


def _data_docstring(app, what, name, obj, options, lines):
    """Describe module data by the ``#`` comment above its assignment.

    autodoc reads ``#:`` doc-comments only; without one it shows the docstring of
    the value's type ("Built-in mutable sequence." for a list). Plain comments
    right above ``NAME = ...`` are used instead, else nothing.
    """
    if what != "data" or getattr(obj, "__doc__", None) != type(obj).__doc__:
        return
    import importlib
    import inspect

    module_name, _, attr = name.rpartition(".")
    try:
        source = inspect.getsource(importlib.import_module(module_name))
    except (ImportError, OSError, TypeError):
        source = ""
    comment = []
    for line in source.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("#:").strip())
        elif line.startswith(f"{attr} =") or line.startswith(f"{attr}: "):
            break
        else:
            comment = []
    else:
        comment = []
    lines[:] = comment


def _skip_foreign_member(app, what, name, obj, skip, options):
    """Skip class members defined outside the package (sktime, skbase, torch).

    Class pages use ``:inherited-members:`` so that methods on the package's
    private base classes are listed; this drops what those classes inherit from
    other libraries (``fit``, ``clone``, ``nn.Module.train`` ...).
    """
    if what != "class":
        return None
    target = obj.fget if isinstance(obj, property) else getattr(obj, "__func__", obj)
    owner = getattr(target, "__objclass__", None)  # methods written in C (tuple.count)
    module = getattr(owner if owner is not None else target, "__module__", None)
    if isinstance(module, str) and not module.startswith("sktime_attention"):
        return True
    return None


def setup(app):
    """Register the hooks that describe module data and skip foreign members."""
    app.connect("autodoc-process-docstring", _data_docstring)
    app.connect("autodoc-skip-member", _skip_foreign_member)
