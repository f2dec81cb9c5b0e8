"""Helpers shared by the figure scripts of the estimator pages."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

DPI = 80  # small PNGs: the docs are read on screens


def save(fig, out, name):
    """Write ``fig`` as ``out / name`` and close it.

    Parameters
    ----------
    fig : matplotlib Figure
        The figure.
    out : pathlib.Path
        Folder of the figures.
    name : str
        File name, ``.png``.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    path = out / name
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def fmt(value, digits=3):
    """Format a number as quoted on the pages.

    Parameters
    ----------
    value : float
        The number.
    digits : int, default=3
        Decimals.

    Returns
    -------
    text : str
        ``value`` with ``digits`` decimals.
    """
    return f"{float(value):.{digits}f}"


def percent(value):
    """Format a share (0..1) as a whole percentage, ``"95%"``.

    Parameters
    ----------
    value : float
        The share.

    Returns
    -------
    text : str
        The percentage, rounded to a whole number.
    """
    return f"{100 * float(value):.0f}%"
