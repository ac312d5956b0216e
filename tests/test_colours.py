"""Each distribution keeps one colour on every figure (the convention in hooks/site.mplstyle and docs/reference/notation.md).

What this covers: every legend entry of every figure of the snippets whose source names a distribution of the
convention (or a loss that is one's NLL). When the runner runs a snippet it records, at ``plt.show()``, each
legend's texts paired with their handles' colours, the swatches a reader matches against the curves; the test reads
those records (from the cache the site build filled, so nothing runs twice). The runner draws with the site style,
which keeps matplotlib's default colour cycle, so the colours are the ones a reader's copy draws; a test checks that
the style leaves the cycle alone. A legend text that names a distribution must have that distribution's colour.

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

sys.path.insert(0, str(ROOT))
from hooks import runner  # noqa: E402

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

def legends_of(paths: list[Path], cache: Path) -> dict[Path, list[tuple[str, str, str]]]:
    """(figure, legend text, hex colour) rows per snippet, as the runner recorded them when it ran the
    snippet (from its cache when the site has been built, so nothing runs twice)."""
    results = runner.run_snippets(paths, cache, root=ROOT)
    rows = {}
    for path in paths:
        result = results[runner.relative(path.resolve(), ROOT)] if path.is_relative_to(ROOT) else next(iter(results.values()))
        assert result.ok, str(result.failure)
        rows[path] = [(fig.name, text, colour) for fig in result.figures for text, colour in fig.legends]
    return rows


def test_the_site_style_leaves_the_colour_cycle_alone():
    # The runner draws with hooks/site.mplstyle, a reader without it; their colours agree only while the
    # style keeps matplotlib's default cycle.
    style = (ROOT / "hooks" / "site.mplstyle").read_text(encoding="utf-8")
    assert not re.search(r"^\s*axes\.prop_cycle\s*:", style, re.M), "the site style must not change the colour cycle"


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


def test_every_legend_entry_that_names_a_distribution_has_its_colour(built_site):
    # After the site build (built_site), every snippet's record is in the cache.
    recorded = legends_of(CHECKED, ROOT / ".cache" / "snippets")
    assert sum(map(len, recorded.values())) >= len(CHECKED), "the runner recorded (almost) no legend entries"
    found = [v for rows in recorded.values() for v in violations(rows)]
    assert not found, "\n".join(found)


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
    found = violations(legends_of([planted], tmp_path / "cache")[planted])
    assert len(found) == 3, found
    assert "'Gaussian $\\\\sigma = 1$' is drawn in #ff7f0e" in found[0], found
    assert "Poisson" in found[1] and "MSE residuals" in found[2], found
