"""Regenerate the figures and quoted numbers of the estimator pages.

Each page of ``docs/user_guide`` has a module here (``fig_<page>.py``) that fits
its worked example, writes its figures and returns the numbers the page quotes.
This script runs them (fixed seeds, one torch thread), writes the PNGs and
``numbers.json`` into ``docs/_static/figures`` and prints every number; the pages
read the numbers from ``numbers.json`` (MyST substitutions, ``docs/conf.py``), so
they are never copied by hand. Run from the repository root (about 25 s of CPU
time on one core)::

    OMP_NUM_THREADS=1 python docs/figures/make_figures.py

``--quick`` runs the same code paths with tiny settings (the test suite does, into
a temporary folder); ``--only hmm`` regenerates one page.
"""

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the page modules sit next to this script

import fig_attention_lstm  # noqa: E402
import fig_dual_stage  # noqa: E402
import fig_hmm  # noqa: E402
import fig_hybrid  # noqa: E402
import torch  # noqa: E402

PAGES = {
    "attention_lstm": fig_attention_lstm,
    "dual_stage": fig_dual_stage,
    "hmm": fig_hmm,
    "hybrid": fig_hybrid,
}
DEFAULT_OUT = HERE.parent / "_static" / "figures"
NUMBERS = "numbers.json"
QUIET = "The default of config ``remember_data``"


def make(out=DEFAULT_OUT, quick=False, only=None):
    """Write the figures of the pages into ``out`` and return their numbers.

    Parameters
    ----------
    out : str or pathlib.Path, default="docs/_static/figures"
        Folder of the figures and of ``numbers.json``.
    quick : bool, default=False
        Tiny settings (each module's ``QUICK``): checks the code paths in seconds;
        the figures and numbers are then not the pages' ones.
    only : list of str, optional
        Pages to regenerate (keys of ``PAGES``); the numbers of the others are kept
        from an existing ``numbers.json`` in ``out``.

    Returns
    -------
    numbers : dict of str -> str
        Every page's numbers, by substitution key (sorted).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    torch.set_num_threads(1)
    path = out / NUMBERS
    numbers = json.loads(path.read_text()) if only and path.exists() else {}
    for name, module in PAGES.items():
        if only and name not in only:
            continue
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            numbers.update(module.run(out, **(module.QUICK if quick else module.FULL)))
        print(f"{name}: {time.perf_counter() - start:.1f} s", file=sys.stderr)
        for message in sorted({str(w.message) for w in caught} - {""}):
            # sktime 1.2 announces a change of its remember_data default on each fit
            if not message.startswith(QUIET):
                print(f"{name}: warning: {message}", file=sys.stderr)
    numbers = dict(sorted(numbers.items()))
    path.write_text(json.dumps(numbers, indent=1) + "\n")
    return numbers


def main(argv=None):
    """Parse the command line, regenerate, print the numbers.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--quick", action="store_true", help="tiny settings")
    parser.add_argument("--only", nargs="+", choices=sorted(PAGES))
    args = parser.parse_args(argv)
    for key, value in make(args.out, args.quick, args.only).items():
        print(f"{key:28s} {value}")


if __name__ == "__main__":
    main()
