"""The runner: execution in fresh processes, caching, failure reporting, timeouts, determinism."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import ROOT
from hooks import runner

LINE_PLOT = '''\
"""A figure with a name."""

# %%
import matplotlib.pyplot as plt
import numpy as np

COUNTER = {counter!r}
with open(COUNTER, "a") as f:
    f.write("ran\\n")

# %%
fig, ax = plt.subplots(num="a-line")
ax.plot(np.arange(5), np.arange(5) ** 2)
print("drawn")
plt.show()
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path):
    """A scratch project: snippets/, a cache, a style file and an execution counter."""
    root = tmp_path / "proj"
    (root / "snippets" / "ch").mkdir(parents=True)
    style = root / "style.mplstyle"
    style.write_text(runner.STYLE.read_text())
    counter = tmp_path / "runs.txt"

    def run(*paths, **kw):
        kw.setdefault("timeout", 60)
        return runner.run_snippets(list(paths), root / ".cache", root=root, style=style, **kw)

    return root, style, counter, run


def runs(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def test_a_second_run_is_served_from_the_cache_without_executing(project):
    root, _, counter, run = project
    snippet = write(root / "snippets/ch/plot.py", LINE_PLOT.format(counter=str(counter)))
    first = run(snippet)["snippets/ch/plot.py"]
    second = run(snippet)["snippets/ch/plot.py"]
    assert first.ok and not first.cached
    assert second.ok and second.cached
    assert runs(counter) == 1
    assert [f.filename for f in second.figures] == ["a-line.svg"]
    assert second.figures[0].path.read_bytes() == first.figures[0].path.read_bytes()
    assert "drawn" in "".join(c["stdout"] for c in second.cells)


def test_editing_a_snippet_invalidates_only_its_cache_entry(project):
    root, _, counter, run = project
    a = write(root / "snippets/ch/a.py", LINE_PLOT.format(counter=str(counter)))
    b = write(root / "snippets/ch/b.py", LINE_PLOT.format(counter=str(counter)).replace("a-line", "b-line"))
    run(a, b)
    assert runs(counter) == 2
    a.write_text(a.read_text().replace("** 2", "** 3"))
    results = run(a, b)
    assert runs(counter) == 3
    assert not results["snippets/ch/a.py"].cached
    assert results["snippets/ch/b.py"].cached


def test_changing_the_style_invalidates_every_entry(project):
    root, style, counter, run = project
    snippet = write(root / "snippets/ch/plot.py", LINE_PLOT.format(counter=str(counter)))
    before = run(snippet)["snippets/ch/plot.py"]
    style.write_text(style.read_text() + "\nlines.linewidth: 4\n")
    after = run(snippet)["snippets/ch/plot.py"]
    assert runs(counter) == 2
    assert after.key != before.key
    assert after.figures[0].path.read_bytes() != before.figures[0].path.read_bytes()


def test_a_failure_names_the_file_and_line_and_is_never_cached(project):
    root, _, counter, run = project
    snippet = write(
        root / "snippets/ch/bad.py",
        f'''\
        """Fails on line 6."""
        with open({str(counter)!r}, "a") as f:
            f.write("ran\\n")
        x = 1

        assert x == 2, "x should be two"
        ''',
    )
    for attempt in (1, 2):
        result = run(snippet)["snippets/ch/bad.py"]
        assert not result.ok and not result.cached
        assert (result.failure.file, result.failure.line) == ("snippets/ch/bad.py", 6)
        assert result.failure.kind == "AssertionError"
        assert str(result.failure) == "snippets/ch/bad.py:6: AssertionError: x should be two"
        assert runs(counter) == attempt
    assert not [p for p in (root / ".cache").iterdir()], "nothing of a failed run stays in the cache"


def test_an_exception_inside_a_function_points_at_the_innermost_snippet_line(project):
    root, _, _, run = project
    snippet = write(
        root / "snippets/ch/deep.py",
        '''\
        """Raises inside a helper."""


        def helper(n):
            return 1 / n


        helper(0)
        ''',
    )
    failure = run(snippet)["snippets/ch/deep.py"].failure
    assert (failure.line, failure.kind) == (5, "ZeroDivisionError")
    assert "deep.py" in failure.details and str(ROOT) not in failure.details


def test_a_syntax_error_names_its_line(project):
    root, _, _, run = project
    snippet = write(root / "snippets/ch/syntax.py", '"""Broken."""\n\nx = (1,\ny = 2 +\n')
    failure = run(snippet)["snippets/ch/syntax.py"].failure
    assert failure.kind == "SyntaxError" and failure.line in (3, 4)


def test_a_snippet_that_hangs_is_stopped_with_a_timeout_naming_the_line(project):
    root, _, _, run = project
    snippet = write(
        root / "snippets/ch/hang.py",
        '''\
        """Never finishes."""
        import time

        while True:
            time.sleep(0.01)
        ''',
    )
    result = run(snippet, timeout=3)["snippets/ch/hang.py"]
    assert result.failure.kind == "Timeout"
    assert result.failure.line in (4, 5)
    assert "after 3 s" in result.failure.message


def test_other_snippets_still_finish_when_one_hangs(project):
    root, _, counter, run = project
    hang = write(root / "snippets/ch/hang.py", "import time\nwhile True:\n    time.sleep(0.01)\n")
    fine = write(root / "snippets/ch/fine.py", LINE_PLOT.format(counter=str(counter)))
    results = run(hang, fine, timeout=3, jobs=2)
    assert results["snippets/ch/fine.py"].ok
    assert results["snippets/ch/hang.py"].failure.kind == "Timeout"


def test_figures_are_byte_identical_across_two_processes(tmp_path):
    """Two separate interpreters, each with a cold cache, produce the same SVG and PNG bytes."""
    (tmp_path / "snippets/ch").mkdir(parents=True)
    write(
        tmp_path / "snippets/ch/art.py",
        '''\
        """A line figure and an image figure."""
        import matplotlib.pyplot as plt
        import numpy as np

        rng = np.random.default_rng(0)
        fig, ax = plt.subplots(num="line-art")
        ax.plot(rng.normal(size=50), label="noise")
        ax.legend()
        fig, ax = plt.subplots(num="pixels")
        ax.imshow(rng.random((32, 32)))
        plt.show()
        ''',
    )
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from hooks import runner
        root = Path({str(tmp_path)!r})
        res = runner.run_snippets([root / "snippets/ch/art.py"], Path(sys.argv[1]), root=root)
        r = res["snippets/ch/art.py"]
        assert r.ok, r.failure
        for f in r.figures:
            print(f.filename, f.path)
        """
    )
    outputs = []
    for i in range(2):
        out = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / f"cache{i}")], capture_output=True, text=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        outputs.append({line.split()[0]: Path(line.split()[1]).read_bytes() for line in out.stdout.splitlines()})
    assert sorted(outputs[0]) == ["line-art.svg", "pixels.png"], "line art as SVG, an image as PNG"
    assert outputs[0] == outputs[1]
    assert b"<dc:date>" not in outputs[0]["line-art.svg"], "no timestamp in the SVG"


def test_an_unnamed_figure_is_a_failure_that_says_how_to_name_it(project):
    root, _, _, run = project
    snippet = write(
        root / "snippets/ch/anon.py",
        '''\
        """An anonymous figure."""
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots()
        ax.plot([0, 1])
        plt.show()
        ''',
    )
    failure = run(snippet)["snippets/ch/anon.py"].failure
    assert failure.line == 6, "the line of plt.show()"
    assert 'plt.subplots(num="' in failure.message


def test_figures_are_named_by_their_label_and_attached_to_the_cell_that_showed_them(project):
    root, _, counter, run = project
    snippet = write(root / "snippets/ch/plot.py", LINE_PLOT.format(counter=str(counter)))
    result = run(snippet)["snippets/ch/plot.py"]
    (fig,) = result.figures
    assert fig.name == "a-line" and fig.ext == "svg"
    assert result.cells[fig.cell]["source"].lstrip().startswith("# %%\nfig, ax")
    assert result.cells[fig.cell]["stdout"] == "drawn\n"


def test_a_corrupted_cache_entry_is_detected_and_rebuilt(project):
    root, _, counter, run = project
    snippet = write(root / "snippets/ch/plot.py", LINE_PLOT.format(counter=str(counter)))
    first = run(snippet)["snippets/ch/plot.py"]
    good = first.figures[0].path.read_bytes()
    first.figures[0].path.write_bytes(b"<svg>tampered</svg>")
    again = run(snippet)["snippets/ch/plot.py"]
    assert not again.cached and runs(counter) == 2
    assert again.figures[0].path.read_bytes() == good


def test_captured_output_names_no_path_of_this_machine(project):
    root, _, _, run = project
    snippet = write(root / "snippets/ch/warns.py", (
        '"""A library warning names its own file."""\n'
        "import torch\n"
        'torch.nn.KLDivLoss(reduction="mean")(torch.zeros(2, 3), torch.full((2, 3), 1 / 3))  # torch warns\n'
        "print(__file__)\n"
    ))
    result = run(snippet)["snippets/ch/warns.py"]
    assert result.ok, result.failure
    out = "".join(c["stdout"] + c["stderr"] for c in result.cells)
    assert "torch/nn/modules/loss.py:" in out and "UserWarning" in out
    assert "snippets/ch/warns.py" in out and str(root) not in out, out
    assert sys.prefix not in out and "site-packages" not in out, out


def test_a_snippet_runs_with_its_own_fresh_globals(project):
    """State left by one snippet is invisible to the next, even in the same worker pool."""
    root, _, _, run = project
    a = write(root / "snippets/ch/a.py", "import numpy as np\nnp.LEAKED = 1\nLEFT = 1\n")
    b = write(
        root / "snippets/ch/b.py",
        "import numpy as np\nassert not hasattr(np, 'LEAKED'), 'module state leaked'\n"
        "assert 'LEFT' not in globals(), 'globals leaked'\n",
    )
    results = run(a, b, jobs=1)
    assert results["snippets/ch/b.py"].ok, results["snippets/ch/b.py"].failure


def test_a_warm_build_never_imports_torch_in_the_mkdocs_process(built_site):
    """With every result cached, building the site runs nothing and leaves torch unimported."""
    script = textwrap.dedent(
        f"""
        import sys
        from mkdocs.__main__ import cli
        try:
            cli(["build", "--quiet", "--site-dir", {str(built_site.parent / "warm")!r}], standalone_mode=False)
        finally:
            print("TORCH_IMPORTED" if "torch" in sys.modules else "TORCH_ABSENT")
        """
    )
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "TORCH_ABSENT" in out.stdout
    assert "running snippets/" not in out.stderr, "a warm build executes nothing"
    shutil.rmtree(built_site.parent / "warm", ignore_errors=True)


test_a_warm_build_never_imports_torch_in_the_mkdocs_process = pytest.mark.xdist_group("site")(
    test_a_warm_build_never_imports_torch_in_the_mkdocs_process
)


THREADS_PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from hooks import runner
    base = Path({base!r})
    order = [base / name for name in sys.argv[1:]]
    results = {{}}
    for path in order:  # one at a time: the first decides what the fork server preloads
        results.update(runner.run_snippets([path], base / "cache", root=base))
    print({{rel: (r.ok and r.values.get("threads"), str(r.failure)) for rel, r in results.items()}})
    """
)


def test_torch_runs_one_thread_per_worker(tmp_path):
    order = ["numpy_only.py", "uses_torch.py"]
    write(tmp_path / "numpy_only.py", '"""No torch here."""\nimport numpy as np\nx = float(np.ones(3).sum())\n')
    write(tmp_path / "uses_torch.py", '"""Torch here."""\nimport torch\nthreads = torch.get_num_threads()\n')
    probe = THREADS_PROBE.format(root=str(ROOT), base=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", probe, *order], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "'uses_torch.py': (1, 'None')" in out.stdout, out.stdout


PRELOAD_PROBE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from hooks import runner
    base = Path({base!r})
    result = runner.run_snippets([base / "probe.py"], base / "cache", root=base, torch={torch})["probe.py"]
    print(result.ok and result.values["preloaded"], result.failure)
    """
)


@pytest.mark.parametrize("torch", [True, False])
def test_torch_is_preloaded_unless_the_caller_says_no_snippet_uses_it(tmp_path, torch):
    """A build of a project without torch snippets skips torch's 2 s import; everything else keeps it."""
    write(tmp_path / "probe.py", '"""What the fork server imported."""\nimport sys\npreloaded = "torch" in sys.modules\n')
    probe = PRELOAD_PROBE.format(root=str(ROOT), base=str(tmp_path), torch=torch)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[0] == str(torch), out.stdout


def test_a_project_imports_torch_if_a_snippet_has_an_import_line_for_it(tmp_path):
    cases = {"a.py": ("import torch\n", True), "b.py": ("from torch import nn\n", True),
             "c.py": ("import torchvision_like\n", False), "d.py": ("x = 1  # import torch\n", False)}
    for name, (source, _) in cases.items():
        write(tmp_path / name, source)
    assert {name: runner.imports_torch([tmp_path / name]) for name in cases} == {n: w for n, (_, w) in cases.items()}
