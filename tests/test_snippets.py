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


# Importing torch, numpy and matplotlib takes a fresh Python about 2 s, longer than most snippets run,
# and this test used to start 115 of them. So each snippet runs in a child forked from a Python that has
# imported some of the heavy modules the snippet itself imports (never one it does not), and nothing
# else: once the snippet's own import lines have run, the child holds the modules a fresh
# `python snippet.py` would hold. Everything else is as in a fresh run: an empty working folder, the
# snippet's folder first on sys.path, `__name__ == "__main__"`, fresh globals, one thread.
HEAVY = ("numpy", "matplotlib.pyplot", "torch")
ZYGOTE = r"""
import os, runpy, signal, sys, traceback
for name in sys.argv[1:]:
    __import__(name)
for line in sys.stdin:
    path, folder, log, timeout = line.rstrip("\n").split("\t")
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(out, 1), os.dup2(out, 2)
            os.chdir(folder)
            sys.argv, sys.path[0] = [path], os.path.dirname(path)
            signal.alarm(int(timeout))
            runpy.run_path(path, run_name="__main__")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else int(exc.code is not None)
        except BaseException:
            traceback.print_exc()
        finally:
            sys.stdout.flush(), sys.stderr.flush()
            os._exit(code)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


def heavy_imports(path) -> tuple[str, ...]:
    """The heavy modules the snippet imports at its top level, in the order of HEAVY."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    return tuple(m for m in HEAVY if m in names)


@pytest.fixture(scope="session")
def standalone(tmp_path_factory):
    """run(path, folder) -> (exit code, output): the snippet run as `python path` from `folder`."""
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONPATH": "", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    zygotes: dict[tuple[str, ...], subprocess.Popen] = {}
    logs = tmp_path_factory.mktemp("standalone-logs")

    def run(path, folder, timeout=120):
        key = heavy_imports(path)
        if key not in zygotes:
            zygotes[key] = subprocess.Popen([sys.executable, "-c", ZYGOTE, *key], cwd=tmp_path_factory.mktemp("zygote"),
                                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        zygote, log = zygotes[key], logs / f"{path.stem}.log"
        zygote.stdin.write(f"{path}\t{folder}\t{log}\t{timeout}\n")
        zygote.stdin.flush()
        answer = zygote.stdout.readline()
        assert answer, f"the Python that imported {key} died (exit {zygote.wait()})"
        return int(answer), log.read_text(encoding="utf-8", errors="replace")

    yield run
    for zygote in zygotes.values():
        zygote.stdin.close()
        zygote.wait(timeout=30)


def test_a_standalone_run_fails_on_what_a_fresh_python_fails_on(standalone, tmp_path):
    """The forked run is as strict as a fresh one: a module the snippet did not import is not there
    (torch is preloaded, matplotlib is not), a relative read finds an empty folder, and an error,
    an exit code and a hang are reported."""
    cases = {
        "uses_plt.py": ("import torch\nimport matplotlib\nmatplotlib.pyplot.figure()\n", "has no attribute 'pyplot'"),
        "uses_np.py": ("import torch\nnp.zeros(1)\n", "name 'np' is not defined"),
        "reads.py": ("import torch\nopen('data.csv')\n", "No such file or directory: 'data.csv'"),
        "exits.py": ("import torch\nraise SystemExit(3)\n", ""),
        "hangs.py": ("import torch\nwhile True:\n    pass\n", ""),
    }
    codes = {}
    for name, (source, message) in cases.items():
        script = tmp_path / "code" / name
        script.parent.mkdir(exist_ok=True)
        script.write_text(source)
        folder = tmp_path / name.removesuffix(".py")
        folder.mkdir()
        codes[name], output = standalone(script, folder, timeout=2 if name == "hangs.py" else 120)
        assert message in output, (name, output)
    assert codes == {"uses_plt.py": 1, "uses_np.py": 1, "reads.py": 1, "exits.py": 3, "hangs.py": -14}, codes
    script.with_name("ok.py").write_text("import torch\nimport numpy as np\nprint(np.ones(2) @ torch.ones(2).numpy())\n")
    assert standalone(script.with_name("ok.py"), tmp_path / "exits")[0] == 0


@pytest.mark.parametrize("path", SNIPPETS, ids=IDS)
def test_snippet_runs_standalone_from_a_temporary_directory(path, tmp_path, standalone):
    code, output = standalone(path, tmp_path)
    assert code == 0, f"{path.name} failed (exit {code}):\n{output[-3000:]}"
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
