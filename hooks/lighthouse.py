"""Lighthouse every page of the built site: `python -m hooks.lighthouse`.

Builds the site (or takes `--site DIR`), serves it on loopback with gzip as a static host would, and
runs Lighthouse 12 (`node_modules/.bin/lighthouse`, from package.json) through Debian's Chromium on
every page, once with the mobile defaults and once with `--preset=desktop`, both in the light scheme,
and its accessibility audit once more in the dark scheme (Material follows prefers-color-scheme).
Prints one table, page by {performance desktop, performance mobile, accessibility, best practices,
SEO, CLS, TBT mobile, LCP mobile}, then every failing audit id per page, and exits non-zero if any
page misses a target: accessibility, best practices and SEO 100; performance 100 on desktop and >= 95 on mobile; CLS 0.

  --pages idea/mse/ reference/glossary/   a subset (`/` or `home` is the home page)
  --record                                rewrite hooks/lighthouse-results.md, the record the
                                          "How this site is built" page includes
  --keep DIR                              save every Lighthouse JSON report in DIR (open one in
                                          Chrome's Lighthouse viewer, or read its audits)

Pages run one at a time. Two at a time on 2 cores was no faster (199 s against 176 s for four pages)
and moved mobile performance by up to 38 points, so there is no --jobs. Run it on an idle machine.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = Path(__file__).resolve().parent / "lighthouse-results.md"
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --no-first-run --disable-sync --disable-component-update"
# What a static host compresses (GitHub Pages, Netlify and nginx's usual gzip_types do much the same).
GZIP_TYPES = ("text/", "application/javascript", "application/json", "application/xml", "image/svg+xml",
              "application/x-ipynb+json")
TARGETS = "accessibility, best practices and SEO 100; performance 100 desktop, >= 95 mobile; CLS 0"


class Missing(SystemExit):
    """A part the tool needs is not installed; the message says how to get it."""


def require_tools() -> None:
    if not Path(CHROMIUM).exists():
        raise Missing(f"Chromium is missing at {CHROMIUM}: apt-get install -y --no-install-recommends chromium "
                      "(or set CHROMIUM to its path)")
    if not LIGHTHOUSE.exists():
        raise Missing(f"Lighthouse is missing at {LIGHTHOUSE.relative_to(ROOT)}: run `npm ci` in {ROOT}")


# ---------------------------------------------------------------------------- serving

class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzipped when the client accepts it, with a short cache lifetime (as GitHub Pages)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".js": "application/javascript", ".svg": "image/svg+xml", ".ipynb": "application/x-ipynb+json",
                      ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".xml": "application/xml"}
    _compressed: dict[tuple[str, float], bytes] = {}
    _lock = threading.Lock()

    def log_message(self, *args):
        pass

    def end_headers(self):
        self.send_header("Cache-Control", "max-age=600")
        super().end_headers()

    def send_head(self):
        path = self.translate_path(self.path)
        if os.path.isdir(path):
            if not self.path.split("?", 1)[0].endswith("/"):
                return super().send_head()  # the redirect to the slash-terminated URL
            path = os.path.join(path, "index.html")
        ctype = self.guess_type(path)
        accepts = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (accepts and os.path.isfile(path) and ctype.startswith(GZIP_TYPES)):
            return super().send_head()
        key = (path, os.path.getmtime(path))
        with self._lock:
            body = self._compressed.get(key)
        if body is None:
            body = gzip.compress(Path(path).read_bytes(), compresslevel=6, mtime=0)
            with self._lock:
                self._compressed[key] = body
        self.send_response(200)
        self.send_header("Content-Type", ctype + ("; charset=utf-8" if ctype.startswith("text/") else ""))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Vary", "Accept-Encoding")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return _Body(body)

    def copyfile(self, source, outputfile):
        if isinstance(source, _Body):
            outputfile.write(source.data)
        else:
            super().copyfile(source, outputfile)


class _Body:
    def __init__(self, data: bytes):
        self.data = data

    def close(self):
        pass


@contextlib.contextmanager
def serve(directory: Path | None = None):
    """A threaded static server on a free loopback port; yields it (set `.directory` before requests)."""
    holder = {"directory": str(directory) if directory else None}

    class Handler(GzipHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=holder["directory"], **kwargs)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.holder = holder
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------------------- Lighthouse

def short_tmp(prefix: str = "lh-") -> Path:
    """A scratch folder with a short path wherever TMPDIR points: Chromium's profile holds a Unix socket,
    and a socket path over 108 bytes kills the browser (as tests/conftest.py's short_tmp)."""
    for base in ("/tmp", "/var/tmp", "/dev/shm"):
        if os.path.isdir(base) and os.access(base, os.W_OK):
            return Path(tempfile.mkdtemp(prefix=prefix, dir=base))
    return Path(tempfile.mkdtemp(prefix=prefix))


def lighthouse(url: str, form_factor: str, categories=CATEGORIES, scheme: str = "light", timeout: float = 300,
               keep: Path | None = None) -> dict:
    """One Lighthouse run; its JSON report (lhr). form_factor is "mobile" (Lighthouse's default) or "desktop";
    scheme is the prefers-color-scheme the browser reports, which picks Material's palette."""
    require_tools()
    scratch = short_tmp()
    try:
        out = scratch / "report.json"
        # Blink's preferredColorScheme: 0 is dark, 1 is light.
        flags = f"{CHROME_FLAGS} --blink-settings=preferredColorScheme={ {'dark': 0, 'light': 1}[scheme] }"
        # No full-page screenshot: on a long notebook page it costs seconds and no audit scores it.
        cmd = [str(LIGHTHOUSE), url, "--output=json", f"--output-path={out}", "--quiet",
               "--disable-full-page-screenshot", f"--chrome-flags={flags}", f"--only-categories={','.join(categories)}"]
        if form_factor == "desktop":
            cmd.append("--preset=desktop")
        # chrome-launcher makes Chromium's profile in the temporary directory: keep it short.
        env = {**os.environ, "CHROME_PATH": CHROMIUM, "TMPDIR": str(scratch)}
        run = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if run.returncode or not out.exists():
            raise RuntimeError(f"lighthouse failed on {url} ({form_factor}), exit {run.returncode}:\n"
                               f"{run.stderr[-2000:]}")
        report = json.loads(out.read_text(encoding="utf-8"))
        if keep:
            keep.mkdir(parents=True, exist_ok=True)
            name = url.split("://", 1)[-1].split("/", 1)[-1].strip("/").replace("/", "_") or "home"
            shutil.copyfile(out, keep / f"{name}-{form_factor}-{scheme}.json")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url} ({form_factor}): {report['runtimeError']}")
    return report


def score(report: dict, category: str) -> int | None:
    value = report["categories"].get(category, {}).get("score")
    return None if value is None else round(value * 100)


def failing(report: dict, category: str) -> list[str]:
    """The audits that count towards a category's score (weight > 0) and that Lighthouse shows as not
    passed (score < 0.9), or that errored. For performance these are the metrics; the report saved
    with --keep has the diagnostics behind them."""
    ids = []
    for ref in report["categories"].get(category, {}).get("auditRefs", []):
        audit = report["audits"][ref["id"]]
        if audit.get("scoreDisplayMode") == "error":
            ids.append(f"{ref['id']} (error)")
        elif ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 0.9:
            ids.append(ref["id"])
    return ids


def audit_page(base: str, page: str, keep: Path | None = None) -> dict:
    """Both form factors of one page in the light scheme, and its accessibility in the dark one, summarized."""
    url = base.rstrip("/") + "/" + page
    mobile = lighthouse(url, "mobile", keep=keep)
    desktop = lighthouse(url, "desktop", keep=keep)
    dark = lighthouse(url, "desktop", categories=("accessibility",), scheme="dark", keep=keep)
    row = {"page": page or "/", "perf desktop": score(desktop, "performance"),
           "perf mobile": score(mobile, "performance")}
    for cat, name in (("accessibility", "a11y"), ("best-practices", "best practices"), ("seo", "SEO")):
        runs = [score(r, cat) for r in (desktop, mobile, dark) if cat in r["categories"]]
        row[name] = None if None in runs else min(runs)
    row["CLS"] = max(r["audits"]["cumulative-layout-shift"]["numericValue"] for r in (desktop, mobile))
    row["TBT mobile"] = mobile["audits"]["total-blocking-time"]["numericValue"]
    row["LCP mobile"] = mobile["audits"]["largest-contentful-paint"]["numericValue"]
    fails = {}
    for cat in ("accessibility", "best-practices", "seo"):
        ids = sorted(set(failing(desktop, cat)) | set(failing(mobile, cat)))
        if ids:
            fails[cat] = ids
    if failing(dark, "accessibility"):
        fails["accessibility dark"] = failing(dark, "accessibility")
    for form, report in (("desktop", desktop), ("mobile", mobile)):
        if failing(report, "performance"):
            fails[f"performance {form}"] = failing(report, "performance")
    row["failing"] = fails
    row["misses"] = misses(row)
    row["lighthouse"] = mobile.get("lighthouseVersion")
    row["chromium"] = mobile.get("environment", {}).get("hostUserAgent", "")
    return row


def misses(row: dict) -> list[str]:
    out = []
    for name in ("a11y", "best practices", "SEO"):
        if row[name] != 100:
            out.append(f"{name} {row[name]}")
    if row["perf desktop"] != 100:
        out.append(f"perf desktop {row['perf desktop']}")
    if row["perf mobile"] is None or row["perf mobile"] < 95:
        out.append(f"perf mobile {row['perf mobile']}")
    if row["CLS"] != 0:
        out.append(f"CLS {row['CLS']:.3f}")
    return out


# ---------------------------------------------------------------------------- the site

def site_pages(site: Path) -> list[str]:
    """Every page of a built site, as URL paths relative to its root ("" is the home page)."""
    urls = []
    for html in sorted(site.rglob("index.html")):
        rel = html.relative_to(site).parent.as_posix()
        urls.append("" if rel == "." else rel + "/")
    return urls


def build(site: Path, site_url: str) -> None:
    """`mkdocs build --strict` for the address it will be served at (Material's instant navigation and
    the canonical links use site_url)."""
    env = {**os.environ, "SITE_URL": site_url, "NO_MKDOCS_2_WARNING": "1"}
    run = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if run.returncode:
        sys.exit(f"mkdocs build --strict failed:\n{run.stdout}\n{run.stderr}")


def normalize(page: str) -> str:
    page = page.strip().lstrip("/")
    if page in ("", "home", "index.html"):
        return ""
    return page if page.endswith("/") else page + "/"


# ---------------------------------------------------------------------------- output

COLUMNS = ("page", "perf desktop", "perf mobile", "a11y", "best practices", "SEO", "CLS", "TBT mobile", "LCP mobile")


def cell(row: dict, col: str) -> str:
    value = row[col]
    if value is None:
        return "–"
    if col == "CLS":
        return f"{value:.3f}"
    if col in ("TBT mobile", "LCP mobile"):
        return f"{value / 1000:.1f} s" if col == "LCP mobile" else f"{value:.0f} ms"
    return f"`{value}`" if col == "page" else str(value)


def table(rows: list[dict]) -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |",
             "|---|" + "---:|" * (len(COLUMNS) - 1)]
    for row in rows:
        mark = "" if not row["misses"] else " ✗"
        lines.append("| " + " | ".join(cell(row, c) + (mark if c == "page" else "") for c in COLUMNS) + " |")
    return "\n".join(lines)


def failures(rows: list[dict]) -> str:
    lines = []
    for row in rows:
        if not row["failing"]:
            continue
        lines.append(f"- `{row['page']}`: " + "; ".join(f"{cat}: {', '.join(ids)}"
                                                         for cat, ids in row["failing"].items()))
    return "\n".join(lines) or "No failing audits."


def git_commit() -> str:
    run = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return run.stdout.strip() or "unknown"


def record(rows: list[dict], seconds: float, commit: str, site_pages_count: int | None = None) -> None:
    missed = [r for r in rows if r["misses"]]
    chromium = next((r["chromium"] for r in rows if r["chromium"]), "")
    chromium = next((part for part in chromium.split() if part.startswith(("HeadlessChrome/", "Chrome/"))), chromium)
    text = (
        f"Measured by `python -m hooks.lighthouse --record` at commit {commit} {time.strftime('%Y-%m-%d')}, "
        f"Lighthouse {rows[0]['lighthouse']} through Debian's Chromium ({chromium}), {os.cpu_count()} cores, "
        f"one page at a time, {seconds / 60:.0f} min. The site is served on loopback with "
        "gzip, as a static host serves it. Mobile is Lighthouse's default (simulated slow 4G and a 4× slower CPU); "
        "desktop is `--preset=desktop`. Both run in the light scheme, and accessibility runs once more in the dark "
        "one (desktop). Accessibility, best practices and SEO show the lowest of the runs; "
        "CLS the larger. TBT is total blocking time, LCP largest contentful paint.\n\n"
        + (f"These are {len(rows)} of the site's {site_pages_count} pages (`--pages`), not all of them. "
           if site_pages_count and len(rows) < site_pages_count else "")
        + f"Targets: {TARGETS}. {len(rows) - len(missed)} of {len(rows)} pages meet them all"
        + (f"; ✗ marks the {len(missed)} that do not." if missed else ".") + "\n\n"
        + table(rows) + "\n\nFailing audits (score below 0.9, as Lighthouse reports them):\n\n" + failures(rows) + "\n"
    )
    RECORD.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------- command

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hooks.lighthouse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="an already built site to serve (default: build one)")
    parser.add_argument("--pages", nargs="+", metavar="PAGE", help="URL paths to audit, e.g. idea/mse/ (default: all)")
    parser.add_argument("--record", action="store_true", help=f"rewrite {RECORD.relative_to(ROOT)}")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="save each Lighthouse JSON report in DIR")
    args = parser.parse_args(argv)
    require_tools()

    started, commit = time.perf_counter(), git_commit()
    scratch = None
    with serve() as server:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        if args.site:
            site = args.site.resolve()
            if not (site / "index.html").exists():
                sys.exit(f"{args.site} is not a built site (no index.html)")
        else:
            scratch = Path(tempfile.mkdtemp(prefix="lal-lighthouse-"))
            site = scratch / "site"
            print(f"building the site for {base} ...", file=sys.stderr)
            build(site, base)
        server.holder["directory"] = str(site)
        try:
            available = site_pages(site)
            pages = available if not args.pages else [normalize(p) for p in args.pages]
            unknown = [p for p in pages if p not in available]
            if unknown:
                sys.exit(f"no such page in {site}: {', '.join(unknown)}")
            rows = []
            for page in pages:
                row = audit_page(base, page, args.keep)
                rows.append(row)
                print(f"  {row['page']}: perf {row['perf desktop']}/{row['perf mobile']}, a11y {row['a11y']}, "
                      f"BP {row['best practices']}, SEO {row['SEO']}"
                      + (f"  MISSES {', '.join(row['misses'])}" if row["misses"] else ""), file=sys.stderr)
        finally:
            if scratch:
                shutil.rmtree(scratch, ignore_errors=True)
    seconds = time.perf_counter() - started
    print(table(rows))
    print()
    print(failures(rows))
    missed = [r for r in rows if r["misses"]]
    print()
    print(f"{len(rows) - len(missed)} of {len(rows)} pages meet every target ({TARGETS}); {seconds:.0f} s.")
    if args.record:
        record(rows, seconds, commit, len(available))
        print(f"wrote {RECORD.relative_to(ROOT)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
