"""Benchmark the site build: `python -m hooks.bench`.

Prints, from one run on this machine:
  floor     the same pages built with every generated file already in place and no hook at all
  cold      a build after clearing the snippet-result cache (each snippet runs once, in parallel);
            mkdocs-jupyter's own HTML cache is kept, since the regenerated notebooks are identical
  fresh     a build with every cache cleared, as on a fresh clone (reported, not in a ratio)
  warm      a build with everything cached (nothing executes)
            (warm and floor run three times each, interleaved; the fastest of each counts)
  one edit  a build after changing one snippet (only that snippet runs)
plus the per-snippet compute seconds, the page weight of each page, and the ratios
warm/floor and cold/(floor + Σ compute / cores). Writes the figures to hooks/bench-results.md,
which the "How this site is built" page includes (commit it: it is the record), and to
bench-report.json (git-ignored).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache"
RECORD = Path(__file__).resolve().parent / "bench-results.md"
TARGETS = {"warm/floor": 1.15, "cold ratio": 1.5}
REPEATS = 3  # warm and floor builds, interleaved; the fastest of each is reported


def timed_build(config: Path, site: Path, cwd: Path = ROOT) -> float:
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--quiet", "-f", str(config), "--site-dir", str(site)],
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if out.returncode:
        sys.exit(f"build failed:\n{out.stderr}")
    return elapsed


def export_floor(workdir: Path) -> Path:
    """Write the site as plain files (resolved Markdown + every generated file) and a config without the hook."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    config = load_config(str(ROOT / "mkdocs.yml"), site_dir=str(workdir / "export-site"))
    hook = next(iter(config["hooks"].values()))
    docs = workdir / "docs"
    shutil.copytree(ROOT / "docs", docs)
    on_files, on_page_markdown = hook.on_files, hook.on_page_markdown

    def record_files(files, config):
        before = set(files.src_uris)
        files = on_files(files, config)
        for f in files:
            if f.src_uri not in before:
                target = docs / f.src_uri
                target.parent.mkdir(parents=True, exist_ok=True)
                if f.abs_src_path:
                    shutil.copyfile(f.abs_src_path, target)
                else:
                    target.write_bytes(f.content_bytes)
        return files

    def record_markdown(markdown, page, config, files):
        markdown = on_page_markdown(markdown, page, config, files)
        if page.file.src_uri.endswith(".md"):
            (docs / page.file.src_uri).write_text(markdown, encoding="utf-8")
        return markdown

    # MkDocs registered the hook's functions when it loaded the config; swap them there.
    events = config.plugins.events
    events["files"] = [record_files if f is on_files else f for f in events["files"]]
    events["page_markdown"] = [record_markdown if f is on_page_markdown else f for f in events["page_markdown"]]
    build(config)

    text = (ROOT / "mkdocs.yml").read_text()
    text = text.replace("hooks:\n  - hooks/site_hook.py\n", "")
    text = text.replace("watch:\n  - snippets\n  - hooks\n", "")
    text = text.replace("base_path: [\".\"]", f"base_path: [{json.dumps(str(ROOT))}]")
    text = text.replace("custom_dir: overrides", f"custom_dir: {json.dumps(str(ROOT / 'overrides'))}")
    text += f"\ndocs_dir: {json.dumps(str(docs))}\n"
    floor_config = workdir / "mkdocs.yml"
    floor_config.write_text(text)
    return floor_config


# Compressible types a static host (GitHub Pages) sends gzipped; images and fonts go as they are.
GZIPPED = (".html", ".css", ".js", ".svg", ".json", ".xml")
PAGE_WEIGHT_TARGET = 1024 * 1024  # bytes a first visit transfers, per page


def page_weights(site: Path) -> dict[str, tuple[int, int]]:
    """Per page, the bytes a first visit downloads for the HTML plus the images, scripts and styles it
    links, as (transferred, raw): transferred counts text gzipped as a static host sends it."""
    import gzip
    from html.parser import HTMLParser

    class Refs(HTMLParser):
        def __init__(self):
            super().__init__()
            self.refs = []

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag in ("img", "script") and a.get("src"):
                self.refs.append(a["src"])
            if tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
                self.refs.append(a["href"])

    sizes: dict[Path, tuple[int, int]] = {}

    def size(path: Path) -> tuple[int, int]:
        if path not in sizes:
            data = path.read_bytes()
            sent = len(gzip.compress(data, 6, mtime=0)) if path.suffix in GZIPPED else len(data)
            sizes[path] = (sent, len(data))
        return sizes[path]

    weights = {}
    for html in sorted(site.rglob("index.html")):
        parser = Refs()
        parser.feed(html.read_text(encoding="utf-8"))
        sent, raw = size(html)
        for ref in set(parser.refs):
            if ref.startswith(("data:", "http:", "https:")):
                continue
            path = (html.parent / ref.split("#")[0].split("?")[0]).resolve()
            if path.is_file():
                sent, raw = sent + size(path)[0], raw + size(path)[1]
        weights[html.parent.relative_to(site).as_posix() + "/"] = (sent, raw)
    return weights


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from hooks import runner

    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="lal-bench-"))
    config = ROOT / "mkdocs.yml"
    try:
        shutil.rmtree(CACHE, ignore_errors=True)
        fresh = timed_build(config, work / "fresh")
        for sub in ("snippets", "notebooks"):
            shutil.rmtree(CACHE / sub)
        cold = timed_build(config, work / "cold")

        results = runner.run_snippets(runner.discover(ROOT / "snippets"))
        compute = {rel: r.seconds for rel, r in sorted(results.items())}

        floor_config = export_floor(work / "floor-src")
        timed_build(floor_config, work / "floor-warmup")  # let mkdocs-jupyter cache the same notebooks
        # The two builds whose ratio is a target differ by under a second: on a shared machine one
        # pair of builds is mostly noise. Interleave REPEATS of each and keep each one's fastest.
        warms, floors = [], []
        for _ in range(REPEATS):
            warms.append(timed_build(config, work / "warm"))
            floors.append(timed_build(floor_config, work / "floor"))
        warm, floor = min(warms), min(floors)

        victim = max(compute, key=compute.get)
        path = ROOT / victim
        original = path.read_bytes()
        try:
            path.write_bytes(original + f"\n# bench edit {time.time_ns()}\n".encode())
            edit = timed_build(config, work / "edit")
        finally:
            path.write_bytes(original)
        timed_build(config, work / "restore")

        weights = page_weights(work / "warm")
        total_compute = sum(compute.values())
        report = {
            "cores": cores,
            "floor_s": floor,
            "cold_s": cold,
            "fresh_clone_s": fresh,
            "warm_s": warm,
            "warm_runs_s": warms,
            "floor_runs_s": floors,
            "one_edit_s": edit,
            "edited_snippet": victim,
            "compute_s": compute,
            "compute_total_s": total_compute,
            "warm/floor": warm / floor,
            "cold ratio": cold / (floor + total_compute / cores),
            "page_weight_bytes": weights,
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print(f"Bench on {cores} cores, one run (times are wall-clock seconds; warm and floor: fastest of {REPEATS})\n")
    print(f"  floor (no hook, files in place)  {floor:7.2f}")
    print(f"  cold (snippet cache cleared)     {cold:7.2f}")
    print(f"  fresh clone (every cache)        {fresh:7.2f}")
    print(f"  warm (everything cached)         {warm:7.2f}")
    print(f"  one edit ({Path(victim).name})".ljust(35) + f"{edit:7.2f}")
    print("\n  per-snippet compute")
    for rel, seconds in compute.items():
        print(f"    {seconds:6.2f}  {rel}")
    print(f"    {total_compute:6.2f}  total")
    print("\n  page weight (HTML + linked images, scripts, styles): transferred (gzip) and raw")
    for page, (sent, raw) in weights.items():
        print(f"    {sent / 1024:8.1f} KiB {raw / 1024:8.1f} KiB  {page}")
    heaviest = max(weights.items(), key=lambda kv: kv[1][0])
    verdict = "ok" if heaviest[1][0] <= PAGE_WEIGHT_TARGET else "MISSED"
    print(f"\n  heaviest page {heaviest[0]}: {heaviest[1][0] / 1024:.0f} KiB transferred (target <= 1024)  {verdict}")
    for name, target in TARGETS.items():
        verdict = "ok" if report[name] <= target else "MISSED"
        print(f"\n  {name:<11} = {report[name]:.3f}   (target <= {target})  {verdict}", end="")
    print()
    (ROOT / "bench-report.json").write_text(json.dumps(report, indent=1, sort_keys=True) + "\n")
    RECORD.write_text(markdown(report))
    print(f"\n  wrote {RECORD.relative_to(ROOT)}")


def markdown(report: dict) -> str:
    """The record shown on the site: written by `python -m hooks.bench`, never by hand."""
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%h %cs"], capture_output=True, text=True
    ).stdout.strip() or "unknown"
    rows = [
        ("Floor: the same pages, every generated file in place, no hook", report["floor_s"]),
        ("Cold: snippet cache cleared, every snippet runs once", report["cold_s"]),
        ("Fresh clone: every cache cleared", report["fresh_clone_s"]),
        ("Warm: everything cached, nothing runs", report["warm_s"]),
        (f"One edit: `{report['edited_snippet']}` changed", report["one_edit_s"]),
    ]
    lines = [
        f"Measured by `python -m hooks.bench` at commit {commit}, on {report['cores']} cores, in one run. "
        "Times are wall-clock seconds of a whole `mkdocs build`. The warm and floor builds ran "
        f"{len(report['warm_runs_s'])} times each, interleaved, and the fastest of each is shown "
        f"(warm: {', '.join(f'{s:.2f}' for s in report['warm_runs_s'])}; "
        f"floor: {', '.join(f'{s:.2f}' for s in report['floor_runs_s'])}).",
        "",
        "| Build | Seconds |",
        "|---|---:|",
        *[f"| {name} | {secs:.2f} |" for name, secs in rows],
        "",
        "| Ratio | Measured | Target |",
        "|---|---:|---:|",
        *[f"| {name} | {report[name]:.2f} | ≤ {target} |" for name, target in TARGETS.items()],
        "",
        f"Snippet compute, {report['compute_total_s']:.2f} s in total:",
        "",
        "| Snippet | Seconds |",
        "|---|---:|",
        *[f"| `{rel}` | {secs:.2f} |" for rel, secs in report["compute_s"].items()],
        "",
        "Page weight: what a first visit downloads for the HTML and the images, scripts and stylesheets "
        "it links (not the fonts, of which a browser fetches only those a page uses). *Transferred* "
        "counts HTML, CSS, JavaScript and SVG gzipped, as a static host such as GitHub Pages sends them; "
        "*raw* is the bytes on disk. The target is 1 MiB transferred.",
        "",
        "| Page | KiB transferred | KiB raw |",
        "|---|---:|---:|",
        *[f"| `{page}` | {sent / 1024:.0f} | {raw / 1024:.0f} |" for page, (sent, raw) in report["page_weight_bytes"].items()],
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
