"""Every snippet is a standalone script a learner can copy: it runs on its own and keeps the contract."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys

import pytest

from conftest import ROOT, SNIPPETS

IDS = [p.relative_to(ROOT).as_posix() for p in SNIPPETS]


def test_there_are_snippets():
    assert len(SNIPPETS) >= 12


@pytest.mark.parametrize("path", SNIPPETS, ids=IDS)
def test_snippet_runs_standalone_from_a_temporary_directory(path, tmp_path):
    # One thread each: pytest already runs one test per core.
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": "", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, str(path)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, f"{path.name} failed:\n{result.stderr[-3000:]}"
    assert not [p for p in tmp_path.iterdir()], "a snippet must not write files"


@pytest.mark.parametrize("path", SNIPPETS, ids=IDS)
def test_snippet_keeps_the_contract(path):
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    doc = ast.get_docstring(tree)
    assert doc and doc.strip().splitlines()[0].endswith("."), "the docstring's first line states what it shows"
    assert source.lstrip().startswith('"""'), "the docstring comes first"
    assert "# %%" in source, "jupytext percent cells"

    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    assert not imported & {"hooks", "snippets", "tests"}, "imports nothing from the project"
    assert imported <= {"math", "numpy", "matplotlib", "torch", "itertools", "functools", "dataclasses", "warnings", "io", "pathlib"}, (
        f"unexpected imports {imported}"
    )
    asserts = [node for node in ast.walk(tree) if isinstance(node, ast.Assert)]
    assert asserts, "states at least one claim as an assert"
    bare = [node.lineno for node in asserts if node.msg is None]
    assert not bare, f"every assert says what it checks: lines {bare} have no message"
    assert "savefig" not in source, "the runner collects figures; snippets never save them"
    figure_calls = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in {"subplots", "figure", "subplot_mosaic"}
    ]
    for call in figure_calls:
        assert any(k.arg == "num" for k in call.keywords), f"line {call.lineno}: name the figure with num=..."
        # The site's style is not there when a reader runs the copy: the snippet sets its own layout.
        assert any(k.arg == "layout" for k in call.keywords), f'line {call.lineno}: set layout="constrained"' 
    if figure_calls:
        assert source.rstrip().endswith("plt.show()"), "a snippet with figures ends with plt.show()"
    if re.search(r"torch\.(rand|randn|randint|distributions\.\w+\(.*\)\.sample)|\.sample\(", source):
        assert "torch.manual_seed(" in source, "seeds torch explicitly"
    if "np.random" in source or "default_rng" in source:
        assert "np.random.default_rng(" in source, "seeds numpy with default_rng"
    assert not re.search(r"\btime\.time\(|datetime\.now|urllib|requests\b|http", source), "no clock, no network"


@pytest.mark.parametrize("path", SNIPPETS, ids=IDS)
def test_snippet_sections_are_balanced_and_uniquely_named(path):
    source = path.read_text(encoding="utf-8")
    starts = re.findall(r"# --8<-- \[start:([a-z][-_0-9a-z]*)\]", source)
    ends = re.findall(r"# --8<-- \[end:([a-z][-_0-9a-z]*)\]", source)
    assert starts == ends, "every [start:x] has a matching [end:x], in order"
    assert len(set(starts)) == len(starts), "section names are unique in a file"
