"""Shared fixtures: an isolated environment, the project's paths, and the site built once per run."""

from __future__ import annotations

import contextlib
import fcntl
import http.server
import threading
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hooks import runner  # noqa: E402

SNIPPETS = runner.discover(ROOT / "snippets")
# The site's pages: every Markdown file under docs/ except the included fragments (excluded from the build).
PAGES_MD = sorted(p for p in (ROOT / "docs").rglob("*.md") if "includes" not in p.relative_to(ROOT / "docs").parts)


def pytest_addoption(parser):
    parser.addoption("--all-notebooks", action="store_true",
                     help="run every companion notebook (the suite runs a sample; tests/test_notebooks.py)")


def pytest_configure(config):
    # Nothing a test runs may write into the home directory.
    scratch = Path(tempfile.mkdtemp(prefix="lal-tests-"))
    for var, sub in (("MPLCONFIGDIR", "mpl"), ("TMPDIR", "tmp")):
        (scratch / sub).mkdir()
        os.environ[var] = str(scratch / sub)
    config.lal_scratch = scratch
    os.environ["MPLBACKEND"] = "Agg"
    os.environ["NO_MKDOCS_2_WARNING"] = "1"


def pytest_unconfigure(config):
    scratch = getattr(config, "lal_scratch", None)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)


def mkdocs(*args: str, cwd: Path, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run the real mkdocs CLI of this environment."""
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def build(site: Path, **env) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of a (fixture) site folder."""
    return mkdocs("build", "--strict", cwd=site, env=env, timeout=300)


def replace(path: Path, old: str, new: str) -> None:
    """Edit a file in place; the text to replace must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The first line of a file that contains needle (1-based)."""
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if needle in line)


def short_tmp(prefix: str = "lal-") -> Path:
    """A new scratch folder with a short path, wherever TMPDIR points.

    Chromium keeps a Unix socket in its profile folder, and Playwright makes that folder in the
    temporary directory; a socket path longer than the Unix limit (108 bytes) kills the browser.
    So the browser gets a folder of about 20 bytes: under /tmp if it exists, else TMPDIR as is.
    """
    for base in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(base) and os.access(base, os.W_OK):
            return Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    return Path(tempfile.mkdtemp(prefix=prefix))


@contextlib.contextmanager
def chromium(executable: str, args: list[str]):
    """Debian's Chromium through Playwright, with its profile in a short folder (see short_tmp)."""
    from playwright.sync_api import sync_playwright

    scratch = short_tmp()
    saved = os.environ.get("TMPDIR")
    os.environ["TMPDIR"] = str(scratch)  # the Playwright driver copies the environment when it starts
    try:
        playwright = sync_playwright().start()
    finally:
        if saved is None:
            del os.environ["TMPDIR"]
        else:
            os.environ["TMPDIR"] = saved
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def site_server():
    """The server the browser tests use, bound now to a free port so that nothing else can take it
    between building the site for that address and serving it."""
    holder: dict[str, str] = {}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=holder["directory"], **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.holder = holder
    yield server
    server.server_close()


@pytest.fixture(scope="session")
def site_port(site_server) -> int:
    """The port the browser tests serve the built site on; the site is built for that address."""
    return site_server.server_address[1]


@pytest.fixture(scope="session")
def served(built_site, site_server) -> str:
    """The built site, served on loopback; its base URL."""
    site_server.holder["directory"] = str(built_site)
    thread = threading.Thread(target=site_server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{site_server.server_address[1]}"
    site_server.shutdown()


@pytest.fixture(scope="session")
def built_site(tmp_path_factory, site_port) -> Path:
    """`mkdocs build --strict` of the real site, once per test worker.

    Built with site_url at the local server, so that Material's instant navigation, which
    only follows links listed in the sitemap, works in the browser tests as it does when hosted.
    Workers take turns (a file lock), so on a cold cache the first runs every snippet and the
    second finds them all cached.
    """
    site = tmp_path_factory.mktemp("built") / "site"
    env = {"SITE_URL": f"http://127.0.0.1:{site_port}/"}
    lock_path = tmp_path_factory.getbasetemp().parent / "site-build.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            result = mkdocs("build", "--strict", "--site-dir", str(site), cwd=ROOT, env=env)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    assert result.returncode == 0, f"mkdocs build --strict failed:\n{result.stdout}\n{result.stderr}"
    return site


FIXTURE = Path(__file__).resolve().parent / "fixture_site"


@pytest.fixture
def fixture_site(tmp_path) -> Path:
    """A writable copy of the small fixture site, wired to the project's real hook."""
    target = tmp_path / "site-src"
    shutil.copytree(FIXTURE, target)
    config = (target / "mkdocs.yml").read_text()
    config = config.replace("HOOK_PATH", str(ROOT / "hooks" / "site_hook.py"))
    (target / "mkdocs.yml").write_text(config)
    return target
