"""Run snippets: each in a fresh process, in parallel, cached by a content hash.

This is the one place that executes snippet code. The MkDocs hook, the tests
and the benchmark all call `run_snippets`.

How a snippet runs
    A fork server with numpy, matplotlib and torch already imported forks one
    fresh child per snippet, so each snippet has clean global state but pays no
    import cost. The child executes the file cell by cell (`# %%` markers),
    keeping the file's own line numbers, captures stdout/stderr per cell, and
    collects every figure when `plt.show()` is called (or at the end), named by
    the figure's label. Line art is saved as SVG, images as PNG. When the file
    has run, its top-level scalar values (numbers, 0-d arrays and tensors, short
    strings) are recorded, so that a page can quote them by name.

What is cached
    A successful result (cell outputs plus figure files) is stored under
    `<cache>/<key>/`, where the key hashes the snippet's bytes, the site's
    matplotlib style, this file, and the Python and package versions. Failures
    are never cached. A cache entry whose files do not match their recorded
    hashes is discarded and the snippet re-runs.
"""

from __future__ import annotations

import faulthandler
import functools
import hashlib
import io
import json
import multiprocessing
import multiprocessing.connection
import multiprocessing.forkserver
import os
import platform
import re
import shutil
import signal
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STYLE = Path(__file__).resolve().parent / "site.mplstyle"
DEFAULT_CACHE = ROOT / ".cache" / "snippets"
DEFAULT_TIMEOUT = float(os.environ.get("SNIPPET_TIMEOUT", "60"))

# Packages whose version can change a snippet's output (pillow writes PNGs; fonttools and
# kiwisolver shape text and layout). BLAS kernels and the CPU beyond its architecture are not in the key.
_VERSIONED = ("numpy", "matplotlib", "torch", "jupytext", "pillow", "fonttools", "kiwisolver")
# Preloaded once in the fork server; children inherit them already imported.
# torch._dynamo is what the first torch.optim optimiser would otherwise import (about 1 s).
_PRELOAD = ("numpy", "matplotlib", "matplotlib.pyplot", "torch", "torch._dynamo")
_FIGURE_NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CELL_MARKER = re.compile(r"^# %%")
# A figure with more drawn points than this is "mostly pixels": PNG, not SVG.
_DENSE_POINTS = 5000
_SVG_SALT = "losses-as-likelihoods"


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Failure:
    """Why a snippet failed, pointing at the line in the snippet that failed."""

    file: str
    line: int
    kind: str
    message: str
    details: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.kind}: {self.message}"


@dataclass(frozen=True)
class FigureFile:
    name: str
    ext: str  # "svg" or "png"
    path: Path
    cell: int  # index of the cell that showed it
    # Each legend entry as (text, colour as #rrggbb), in order: what a reader matches to the curves.
    legends: tuple = ()

    @property
    def filename(self) -> str:
        return f"{self.name}.{self.ext}"


@dataclass
class Result:
    snippet: str  # path relative to the project root, with forward slashes
    key: str
    cells: list[dict] = field(default_factory=list)  # {"line", "source", "stdout", "stderr"}
    figures: list[FigureFile] = field(default_factory=list)
    values: dict = field(default_factory=dict)  # top-level name -> number or short string
    seconds: float = 0.0  # compute time in the child, excluding imports
    cached: bool = False
    failure: Failure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


# --------------------------------------------------------------------------- keys


@functools.lru_cache(maxsize=1)
def _versions() -> tuple[bytes, ...]:
    """The versions of the packages that shape a snippet's output (slow to read, so read once)."""
    found = []
    for name in _VERSIONED:
        try:
            found.append(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            found.append(f"{name} missing".encode())
    return tuple(found)


def _fingerprint(style: Path) -> str:
    parts = [
        Path(__file__).read_bytes(),
        Path(style).read_bytes(),
        sys.version.encode(),
        platform.machine().encode(),
        *_versions(),
    ]
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def _no_machine_paths(text: str) -> str:
    """A library's warning names its file: show it from the package on (torch/nn/...), not from
    wherever this machine installed it; and the project's own files relative to the project."""
    text = re.sub(r"(?<![\w.-])/\S*?/(?:site|dist)-packages/", "", text)
    return text.replace(str(ROOT) + "/", "")


def relative(path: Path, root: Path = ROOT) -> str:
    """A path as shown to people: relative to the project, with forward slashes."""
    path = Path(path).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# --------------------------------------------------------------------------- cache


def _load_cached(entry: Path, snippet: str, key: str) -> Result | None:
    """Load a cache entry, or None if it is missing or fails its integrity check."""
    meta_path = entry / "result.json"
    if not meta_path.is_file():
        return None
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        figures = []
        for f in meta["figures"]:
            path = entry / f"{f['name']}.{f['ext']}"
            if hashlib.sha256(path.read_bytes()).hexdigest() != f["sha256"]:
                raise ValueError(f"{path.name} does not match its recorded hash")
            figures.append(FigureFile(f["name"], f["ext"], path, f["cell"], tuple(map(tuple, f.get("legends", [])))))
        return Result(snippet, key, meta["cells"], figures, meta["values"], meta["seconds"], cached=True)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"snippet cache: discarding corrupt entry for {snippet} ({exc})", file=sys.stderr)
        shutil.rmtree(entry, ignore_errors=True)
        return None


# --------------------------------------------------------------------------- child


def _split_cells(source: str) -> list[tuple[int, str]]:
    """Split percent-format source into (first line number, code) chunks.

    Each chunk is padded so that compiling it reports the file's own line numbers.
    """
    lines = source.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if _CELL_MARKER.match(line)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    bounds = starts + [len(lines)]
    return [(a + 1, "".join(lines[a:b])) for a, b in zip(bounds, bounds[1:]) if "".join(lines[a:b]).strip()]


def _is_dense(fig) -> bool:
    """True for figures that are mostly pixels: images, or very many drawn points."""
    points = 0
    for ax in fig.axes:
        if ax.images:
            return True
        for coll in ax.collections:
            points += len(coll.get_offsets())
        for line in ax.lines:
            if line.get_marker() not in (None, "None", "", " "):
                points += len(line.get_xdata())
    return points > _DENSE_POINTS


_MAX_STRING = 200  # longer strings are not "values" a page would quote


def scalar_values(namespace: dict) -> dict:
    """The snippet's top-level scalars, as JSON-ready Python numbers and strings.

    Python and numpy numbers, 0-d numpy arrays and 0-d torch tensors become int,
    float or bool; strings up to _MAX_STRING characters are kept. Names starting
    with an underscore, and everything else (arrays, modules, functions), are not.
    """
    np = sys.modules.get("numpy")
    torch = sys.modules.get("torch")
    values = {}
    for name, value in namespace.items():
        if name.startswith("_"):
            continue
        if torch is not None and isinstance(value, torch.Tensor):
            if value.dim() != 0 or value.is_complex():
                continue
            value = value.item()
        elif np is not None and isinstance(value, (np.generic, np.ndarray)):
            if value.ndim != 0 or np.iscomplexobj(value) or value.dtype.kind not in "biuf":
                continue
            value = value.item()
        if isinstance(value, str) and len(value) <= _MAX_STRING:
            values[name] = value
        elif isinstance(value, (bool, int, float)):
            values[name] = value
    return values


def _swatch(handle) -> str:
    """The colour of a legend handle, as a reader sees it: a line's colour, a marker's fill (or its edge
    if hollow), a patch's face (or its edge if it is an outline)."""
    import matplotlib.colors as mcolors

    if hasattr(handle, "get_color") and not hasattr(handle, "get_facecolor"):  # a line
        colour = handle.get_color()
        if handle.get_linestyle() in ("None", "", " ", "none") and handle.get_marker() not in (None, "None", ""):
            face = handle.get_markerfacecolor()
            hollow = mcolors.to_rgba(face)[3] == 0 or mcolors.to_hex(face) == "#ffffff"
            colour = handle.get_markeredgecolor() if hollow else face
        return mcolors.to_hex(colour)
    face = handle.get_facecolor()
    face = face[0] if len(face) and not isinstance(face[0], float) else face
    if len(face) == 0 or mcolors.to_rgba(face)[3] == 0:  # an outline only
        edge = handle.get_edgecolor()
        face = edge[0] if len(edge) and not isinstance(edge[0], float) else edge
    return mcolors.to_hex(face)


def _legends(fig) -> list[list[str]]:
    legends = list(fig.legends) + [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
    return [[text.get_text(), _swatch(handle)]
            for legend in legends for text, handle in zip(legend.get_texts(), legend.legend_handles)]


def _child(path: str, outdir: str, style: str, rel: str) -> None:
    """Execute one snippet in this (fresh, forked) process and write result.json into outdir."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # One thread per worker (there is one worker per core already), whether torch was preloaded
    # or the snippet imports it itself.
    os.environ["OMP_NUM_THREADS"] = "1"
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)

    out = Path(outdir)
    src_path = Path(path)
    # On SIGUSR1 (sent when the snippet times out) write the stack, so the error can name the line.
    faulthandler.register(signal.SIGUSR1, file=open(out / "stack.txt", "w"), all_threads=False)
    shown: list[dict] = []
    cells: list[dict] = []
    current = {"cell": 0}

    def capture(where: str) -> None:
        for num in list(plt.get_fignums()):
            fig = plt.figure(num)
            name = fig.get_label()
            if not _FIGURE_NAME.match(name or ""):
                raise ValueError(
                    f"figure {num} is named {name!r}; name every figure with a slug, "
                    'e.g. plt.subplots(num="loss-shapes")'
                )
            if any(s["name"] == name for s in shown):
                raise ValueError(f"two figures are named {name!r}")
            ext = "png" if _is_dense(fig) else "svg"
            buf = io.BytesIO()
            if ext == "svg":
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            else:
                fig.savefig(buf, format="png", metadata={"Software": None})
            data = buf.getvalue()
            (out / f"{name}.{ext}").write_bytes(data)
            shown.append(
                {"name": name, "ext": ext, "cell": current["cell"], "sha256": hashlib.sha256(data).hexdigest(),
                 "legends": _legends(fig)}
            )
            plt.close(fig)

    plt.rcdefaults()
    plt.style.use(style)
    matplotlib.rcParams["svg.hashsalt"] = _SVG_SALT
    plt.show = lambda *a, **k: capture("show")

    source = src_path.read_text(encoding="utf-8")
    namespace = {"__name__": "__main__", "__file__": rel, "__builtins__": __builtins__}
    failure = None
    values: dict = {}
    started = time.perf_counter()
    real_stdout, real_stderr = sys.stdout, sys.stderr
    try:
        os.chdir(outdir)  # a snippet must not depend on, or write into, the project
        for index, (line, chunk) in enumerate(_split_cells(source)):
            current["cell"] = index
            stdout, stderr = io.StringIO(), io.StringIO()
            sys.stdout, sys.stderr = stdout, stderr
            try:
                # Compiled under its project-relative name, so that tracebacks and warnings
                # (which end up in notebooks) never show a path of the build machine.
                code = compile("\n" * (line - 1) + chunk, rel, "exec")
                exec(code, namespace)
            finally:
                sys.stdout, sys.stderr = real_stdout, real_stderr
                cells.append({"line": line, "source": chunk, "stdout": _no_machine_paths(stdout.getvalue()),
                              "stderr": _no_machine_paths(stderr.getvalue())})
        capture("end")
        values = scalar_values(namespace)
    except BaseException as exc:  # noqa: BLE001 - every failure is reported, SystemExit included
        failure = _describe(exc, rel)
    seconds = time.perf_counter() - started

    result = {"cells": cells, "figures": shown, "values": values, "seconds": seconds}
    if failure is not None:
        result["failure"] = failure.__dict__
    (out / "result.json").write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


def _describe(exc: BaseException, rel: str) -> Failure:
    """Turn an exception into a Failure at the innermost line of the snippet itself."""
    line = 0
    if isinstance(exc, SyntaxError) and exc.filename == rel:
        line = exc.lineno or 0
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename == rel:
            line = frame.lineno or line
    kind = type(exc).__name__
    if isinstance(exc, SystemExit) and exc.code in (0, None):
        kind, message = "SystemExit", "the snippet called sys.exit(); a snippet must run to its end"
    else:
        message = str(exc) or "(no message)"
    # The traceback from the snippet's first frame on.
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != rel:
        tb = tb.tb_next
    details = "".join(traceback.format_exception(type(exc), exc, tb or exc.__traceback__))
    return Failure(rel, line, kind, message, details)


# --------------------------------------------------------------------------- parent

_CONTEXT = None


def _context(paths=(), torch: bool = True):
    """The fork-server context, with the heavy modules preloaded once.

    torch is preloaded unless the caller says that no snippet it will ever run imports it (the build
    does, from all of a project's snippets: a small project's build then starts in 2 s less). It is not
    decided from the snippets to run now: a long-lived process, such as a test worker whose first
    snippets had no torch, then imported torch again in every later child, and the suite's mutants
    took four times as long."""
    global _CONTEXT
    if _CONTEXT is None:
        os.environ.setdefault("MPLBACKEND", "Agg")
        # The fork server copies sys.path when it starts; it must be able to import hooks.runner.
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        ctx = multiprocessing.get_context("forkserver")
        preload = [m for m in _PRELOAD if _importable(m) and (torch or not m.startswith("torch"))]
        ctx.set_forkserver_preload([*preload, "hooks.runner"])
        _CONTEXT = ctx
    return _CONTEXT


def _importable(module: str) -> bool:
    from importlib.util import find_spec

    try:
        return find_spec(module.split(".")[0]) is not None
    except (ImportError, ValueError):
        return False


def _collect(snippet: str, key: str, outdir: Path, cache: Path, exitcode: int | None) -> Result:
    meta_path = outdir / "result.json"
    if not meta_path.is_file():
        why = "killed by a signal" if exitcode and exitcode < 0 else f"exit code {exitcode}"
        failure = Failure(snippet, 0, "WorkerDied", f"the worker process died without a result ({why})")
        shutil.rmtree(outdir, ignore_errors=True)
        return Result(snippet, key, failure=failure)
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if "failure" in meta:
        shutil.rmtree(outdir, ignore_errors=True)
        return Result(snippet, key, meta["cells"], [], meta.get("values", {}), meta["seconds"],
                      failure=Failure(**meta["failure"]))
    (outdir / "stack.txt").unlink(missing_ok=True)
    entry = cache / key
    if entry.exists():  # another build stored it meanwhile; theirs is as good as ours
        shutil.rmtree(outdir, ignore_errors=True)
    else:
        os.replace(outdir, entry)
    loaded = _load_cached(entry, snippet, key)
    if loaded is None:
        return Result(snippet, key, failure=Failure(snippet, 0, "CacheError", "result vanished from the cache"))
    loaded.cached = False
    return loaded


def _keys(paths, root: Path, style: Path):
    """(rel, path, key) for each snippet: the key hashes its bytes and everything else that shapes its output."""
    fingerprint = _fingerprint(style)
    for path in paths:
        path = Path(path).resolve()
        key = hashlib.sha256(fingerprint.encode() + b"\0" + path.read_bytes()).hexdigest()[:32]
        yield relative(path, root), path, key


def _plan(paths, cache: Path, root: Path, style: Path):
    """Split snippets into cached results and (rel, path, key) still to run."""
    hits: dict[str, Result] = {}
    todo: list[tuple[str, Path, str]] = []
    for rel, path, key in _keys(paths, root, style):
        hit = _load_cached(cache / key, rel, key)
        if hit is not None:
            hits[rel] = hit
        else:
            todo.append((rel, path, key))
    return hits, todo


def imports_torch(paths) -> bool:
    """Whether any of these snippets imports torch (at the start of a line, as the snippets do)."""
    return any(re.search(r"^(import|from) torch\b", Path(p).read_text(encoding="utf-8"), re.M) for p in paths)


def start_workers_if_needed(paths, cache_dir: Path = DEFAULT_CACHE, *, root: Path = ROOT, style: Path = STYLE,
                            torch: bool = True) -> bool:
    """Start the fork server now if some snippet will have to run, so its imports overlap other work.

    Only looks for each entry's result.json: run_snippets verifies the entries once, later.
    """
    todo = [path for _, path, key in _keys(paths, root, style) if not (Path(cache_dir) / key / "result.json").is_file()]
    if todo:
        _context(todo, torch)
        multiprocessing.forkserver.ensure_running()
    return bool(todo)


def run_snippets(
    paths: list[Path],
    cache_dir: Path = DEFAULT_CACHE,
    *,
    root: Path = ROOT,
    style: Path = STYLE,
    jobs: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    log=None,
    torch: bool = True,
) -> dict[str, Result]:
    """Return a Result for every snippet, executing only those not in the cache.

    Keys of the returned dict are paths relative to `root`. Never raises for a
    failing snippet: its Result carries a Failure instead. `torch=False` promises that no
    snippet this process runs imports torch, so the fork server does not preload it.
    """
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    results, todo = _plan(paths, cache, root, style)
    if not todo:
        return results

    jobs = jobs or os.cpu_count() or 1
    ctx = _context([path for _, path, _ in todo], torch)
    running: dict[int, tuple] = {}  # sentinel -> (process, rel, key, outdir, deadline)
    # Longest first, so that no long snippet starts last while the other cores sit idle.
    # Durations of earlier runs are kept beside the cache; an unknown snippet goes first.
    timings_path = cache.parent / f"{cache.name}-timings.json"
    try:
        timings = json.loads(timings_path.read_text())
    except (OSError, ValueError):
        timings = {}
    queue = sorted(todo, key=lambda t: (t[0] in timings, -timings.get(t[0], t[1].stat().st_size)))
    while queue or running:
        while queue and len(running) < jobs:
            rel, path, key = queue.pop(0)
            outdir = Path(tempfile.mkdtemp(prefix=f".run-{key[:8]}-", dir=cache))
            proc = ctx.Process(target=_child, args=(str(path), str(outdir), str(style), rel), daemon=True)
            proc.start()
            if log:
                log(f"running {rel}")
            running[proc.sentinel] = (proc, rel, key, outdir, time.monotonic() + timeout)
        now = time.monotonic()
        wait_for = max(0.0, min(r[4] for r in running.values()) - now)
        ready = multiprocessing.connection.wait(list(running), timeout=wait_for)
        for sentinel in ready:
            proc, rel, key, outdir, _ = running.pop(sentinel)
            proc.join()
            results[rel] = _collect(rel, key, outdir, cache, proc.exitcode)
        now = time.monotonic()
        for sentinel, (proc, rel, key, outdir, deadline) in list(running.items()):
            if now >= deadline:
                line = _stuck_line(proc, outdir, rel)
                proc.kill()
                proc.join()
                del running[sentinel]
                shutil.rmtree(outdir, ignore_errors=True)
                message = f"still running after {timeout:g} s; it was stopped"
                results[rel] = Result(rel, key, seconds=timeout, failure=Failure(rel, line, "Timeout", message))
    timings.update({rel: round(results[rel].seconds, 3) for rel, _, _ in todo})
    try:
        timings_path.write_text(json.dumps(timings, indent=0, sort_keys=True))
    except OSError:
        pass  # a scheduling hint only
    return results


def _stuck_line(proc, outdir: Path, rel: str) -> int:
    """Ask a hung child where it is (faulthandler on SIGUSR1) and return the snippet's line."""
    stack = outdir / "stack.txt"
    try:
        os.kill(proc.pid, signal.SIGUSR1)
    except ProcessLookupError:
        return 0
    for _ in range(50):
        if stack.is_file() and f'"{rel}"' in stack.read_text(errors="replace"):
            break
        time.sleep(0.02)
    if not stack.is_file():
        return 0
    # faulthandler lists the innermost frame first.
    for m in re.finditer(r'File "(.*)", line (\d+)', stack.read_text(errors="replace")):
        if m.group(1) == rel:
            return int(m.group(2))
    return 0


def discover(snippets_dir: Path) -> list[Path]:
    """Every snippet: snippets/<chapter>/<concept>.py, skipping files starting with '_'."""
    return sorted(p for p in Path(snippets_dir).glob("*/*.py") if not p.name.startswith("_"))
