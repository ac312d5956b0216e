"""Two cold builds give byte-identical sites, and a corrupted cache entry is rebuilt, never served."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import mkdocs


def tree(site: Path) -> dict[str, str]:
    return {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def test_two_cold_builds_in_different_folders_are_byte_identical(fixture_site, tmp_path):
    other = tmp_path / "elsewhere" / "copy"
    shutil.copytree(fixture_site, other)
    for src in (fixture_site, other):
        shutil.rmtree(src / ".cache", ignore_errors=True)
        result = mkdocs("build", "--strict", cwd=src)
        assert result.returncode == 0, result.stderr
    first, second = tree(fixture_site / "site"), tree(other / "site")
    assert "sitemap.xml.gz" in first and "figures/demo-line.svg" in first and "downloads/demo.ipynb" in first
    assert first == second, [k for k in first if first[k] != second.get(k)]


def test_a_corrupted_cache_entry_is_detected_and_rebuilt_not_served(fixture_site):
    assert mkdocs("build", "--strict", cwd=fixture_site).returncode == 0
    figure = fixture_site / "site" / "figures" / "demo-line.svg"
    good = figure.read_bytes()
    cached = next((fixture_site / ".cache" / "snippets").glob("*/demo-line.svg"))
    cached.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'><text>stale</text></svg>")

    result = mkdocs("build", "--strict", cwd=fixture_site)
    assert result.returncode == 0, result.stderr
    assert "discarding corrupt entry for snippets/demo/line_plot.py" in result.stderr
    assert "running snippets/demo/line_plot.py" in result.stderr
    assert figure.read_bytes() == good
