"""Each distribution keeps one colour on every figure (the convention in hooks/site.mplstyle and docs/reference/notation.md).

What this covers: every legend entry of every figure of the snippets whose source names a distribution of the
convention (or a loss that is one's NLL). The snippet is run as a reader would run it, with no site style, and at
``plt.show()`` each legend's texts are paired with their handles, the swatches a reader matches against the curves.
A legend text that names a distribution must have that distribution's colour.

What it does not cover: curves without a legend entry (named only in a title, a caption or an annotation), colours
inside colormaps, and whether the caption's words ("the blue curve") match; those are looked at by people.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import matplotlib.colors as mcolors
import pytest

from conftest import ROOT, SNIPPETS

# The convention, as (colour, pattern a legend text matches). Loss names count as their distribution's NLL.
CONVENTION = {
    "Gaussian": ("C0", r"Gaussian|\bnormal\b|\\mathcal\{?N\}?\s*\(|(?<![\w\\])N\(|\bMSE\b|squared error"),
    "Laplace": ("C1", r"(?<!asymmetric )\bLaplace\b|\bMAE\b|\bL1\b|absolute error"),
    "Huber": ("C2", r"\bHuber\b"),
    "Student-t": ("C3", r"Student"),
    "Cauchy": ("C4", r"\bCauchy\b"),
    # The continuous Bernoulli (CB) is the Bernoulli's relative on [0, 1] and shares its colour.
    "Bernoulli/categorical": ("C5", r"Bernoulli|categorical|cross-entropy|\bBCE|\bCB\(|logistic"),
    "Poisson": ("C6", r"Poisson"),
    "data": ("C7", r"^data\b"),
    "asymmetric Laplace": ("C8", r"asymmetric Laplace|pinball|quantile loss"),
    "von Mises": ("C9", r"von Mises"),
}
ANY_NAME = re.compile("|".join(f"(?:{pattern})" for _, pattern in CONVENTION.values()))

# Run at plt.show(): pair each legend's texts with its handles and print (figure, text, colour) as JSON.
PROBE = textwrap.dedent(
    """
    import json, runpy, sys
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.colors as mcolors
    import matplotlib.pyplot as plt

    def swatch(handle):
        if hasattr(handle, "get_color") and not hasattr(handle, "get_facecolor"):   # Line2D
            colour = handle.get_color()
            if handle.get_linestyle() in ("None", "", " ", "none") and handle.get_marker() not in (None, "None", ""):
                face = handle.get_markerfacecolor()
                colour = face if mcolors.to_rgba(face)[3] > 0 and mcolors.to_hex(face) != "#ffffff" else handle.get_markeredgecolor()
            return colour
        face = handle.get_facecolor()
        face = face[0] if len(face) and not isinstance(face[0], float) else face
        if len(face) == 0 or mcolors.to_rgba(face)[3] == 0:                           # an outline only
            edge = handle.get_edgecolor()
            face = edge[0] if len(edge) and not isinstance(edge[0], float) else edge
        return face

    def show(*args, **kwargs):
        rows = []
        for num in plt.get_fignums():
            fig = plt.figure(num)
            legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
            for legend in legends:
                for text, handle in zip(legend.get_texts(), legend.legend_handles):
                    rows.append([str(fig.get_label()), text.get_text(), mcolors.to_hex(swatch(handle))])
        print("LEGENDS " + json.dumps(rows))

    plt.show = show
    sys.argv = [sys.argv[1]]
    runpy.run_path(sys.argv[0], run_name="__main__")
    """
)


def legends_of(path: Path, cwd: Path) -> list[tuple[str, str, str]]:
    """Run a snippet as a reader would (no site style) and return (figure, legend text, hex colour) rows."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": "", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE, str(path)], cwd=cwd, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, f"{path.name} failed:\n{result.stderr[-3000:]}"
    lines = [line for line in result.stdout.splitlines() if line.startswith("LEGENDS ")]
    assert lines, f"{path.name}: plt.show() was never reached"
    return [tuple(row) for line in lines for row in json.loads(line.removeprefix("LEGENDS "))]


def violations(rows) -> list[str]:
    found = []
    for fig, text, colour in rows:
        named = {name: c for name, (c, pattern) in CONVENTION.items() if re.search(pattern, text)}
        allowed = {mcolors.to_hex(c) for c in named.values()}
        if named and colour not in allowed:
            found.append(f"figure {fig!r}: legend entry {text!r} is drawn in {colour}, "
                         f"but {' / '.join(named)} is {' / '.join(named.values())}")
    return found


def names_a_distribution(path: Path) -> bool:
    """A snippet with a legend and a string in its code (not its docstrings, asserts or prints) naming a distribution."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    prose = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert) or (
            isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        ):
            prose |= {id(n) for n in ast.walk(node)}
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(node):
            prose.add(id(node.body[0].value))
    strings = [
        n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in prose
    ]
    return "legend" in source and any(ANY_NAME.search(s) for s in strings)


CHECKED = [p for p in SNIPPETS if names_a_distribution(p)]


def test_the_colour_check_covers_the_snippets_that_name_distributions_in_legends():
    # A broken pattern or filter would silently check nothing; today about thirty snippets qualify.
    assert len(CHECKED) >= 20, [p.name for p in CHECKED]


@pytest.mark.parametrize("path", CHECKED, ids=[p.relative_to(ROOT).as_posix() for p in CHECKED])
def test_every_legend_entry_that_names_a_distribution_has_its_colour(path, tmp_path):
    rows = legends_of(path, tmp_path)
    assert not violations(rows), "\n".join(violations(rows))


def test_a_gaussian_drawn_in_the_laplace_colour_is_caught(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        textwrap.dedent(
            '''
            """A planted violation: the Gaussian in orange."""
            import numpy as np
            import matplotlib.pyplot as plt
            x = np.linspace(-3, 3, 50)
            fig, ax = plt.subplots(num="planted", layout="constrained")
            ax.plot(x, np.exp(-x**2 / 2), color="C1", label="Gaussian $\\\\sigma = 1$")
            ax.plot(x, np.exp(-abs(x)), "C1--", label="Laplace")
            ax.fill_between(x, 0, np.exp(-x**2), color="C3", alpha=0.3, label="Poisson band")
            ax.hist(np.random.default_rng(0).normal(size=100), density=True, color="C7", label="MSE residuals")
            ax.plot([0], [1], "o", color="C0", mfc="white", label="not a distribution")
            ax.legend()
            fig2, ax2 = plt.subplots(num="planted-2", layout="constrained")
            ax2.plot(x, x, color="C5", label="BCE")
            fig2.legend(loc="outside lower center")
            plt.show()
            '''
        )
    )
    found = violations(legends_of(planted, tmp_path))
    assert len(found) == 3, found
    assert "'Gaussian $\\\\sigma = 1$' is drawn in #ff7f0e" in found[0], found
    assert "Poisson" in found[1] and "MSE residuals" in found[2], found
