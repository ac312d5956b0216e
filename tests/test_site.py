"""The built site (`mkdocs build --strict`, once per run): complete, self-contained and honest."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SNIPPETS

pytestmark = pytest.mark.xdist_group("site")

# Attributes that make a browser fetch something. Outbound <a href> links (citations) and
# <link rel="canonical"> fetch nothing; everything else must come from the site itself.
FETCHING = {"script": "src", "img": "src", "source": "src", "iframe": "src", "video": "src", "audio": "src",
            "embed": "src", "object": "data", "link": "href"}
NOT_FETCHED_LINKS = {"canonical"}


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def resolve(page: Path, site: Path, url: str) -> Path:
    target = (page.parent / urlsplit(url).path).resolve()
    return target / "index.html" if target.is_dir() else target


def test_every_snippet_is_used_by_some_page(built_site):
    linked = set()
    for page in html_pages(built_site):
        for a in soup(page).find_all("a", href=True):
            if a["href"].endswith(".py"):
                linked.add(resolve(page, built_site, a["href"]).relative_to(built_site.resolve()).as_posix())
    unused = [p.relative_to(ROOT).as_posix() for p in SNIPPETS if p.relative_to(ROOT).as_posix() not in linked]
    assert not unused, f"snippets no page links to: {unused}"


def test_every_image_on_every_page_exists(built_site):
    seen = 0
    for page in html_pages(built_site):
        for img in soup(page).find_all("img"):
            src = img.get("src", "")
            if src.startswith("data:"):
                continue
            seen += 1
            assert resolve(page, built_site, src).is_file(), f"{page.relative_to(built_site)}: missing {src}"
            assert img.get("alt"), f"{page.relative_to(built_site)}: image {src} has no alt text"
    assert seen >= 4


def test_every_claim_box_names_exactly_one_snippet_that_asserts(built_site):
    claims = 0
    for page in html_pages(built_site):
        for box in soup(page).select("div.admonition.claim, details.claim"):
            claims += 1
            links = [a["href"] for a in box.find_all("a", href=True) if a["href"].endswith(".py")]
            title = box.select_one(".admonition-title, summary").get_text(" ", strip=True)
            assert len(links) == 1, f"claim {title!r} names {len(links)} snippets"
            snippet = resolve(page, built_site, links[0])
            assert snippet.is_file(), f"claim {title!r}: {links[0]} is not in the site"
            source = snippet.read_text(encoding="utf-8")
            assert re.search(r"^\s*assert\b", source, re.M), f"claim {title!r}: {snippet.name} asserts nothing"
            assert "checked" in box.get_text().lower()
    assert claims >= 12


def test_no_page_fetches_anything_from_another_host(built_site, site_port):
    own = f"http://127.0.0.1:{site_port}/"  # the site_url the test build uses
    offenders = []
    for page in html_pages(built_site):
        for el in soup(page).find_all(list(FETCHING)):
            tag, attr = el.name, FETCHING[el.name]
            url = el.get(attr, "")
            if tag == "link" and set(el.get("rel", [])) & NOT_FETCHED_LINKS:
                continue
            if re.match(r"^(https?:)?//", url) and not url.startswith(own):
                offenders.append(f"{page.relative_to(built_site)}: <{tag} {attr}={url}>")
        text = page.read_text(encoding="utf-8")
        for m in re.finditer(r"import\(\s*[\"'](https?:)?//|<script[^>]*src=[\"'](https?:)?//", text):
            offenders.append(f"{page.relative_to(built_site)}: {m.group(0)}")
    for css in built_site.rglob("*.css"):
        for m in re.finditer(r"url\(\s*[\"']?((?:https?:)?//[^)\"']+)", css.read_text(encoding="utf-8")):
            offenders.append(f"{css.relative_to(built_site)}: url({m.group(1)})")
    for js in built_site.rglob("*.js"):
        text = js.read_text(encoding="utf-8", errors="replace")
        for m in re.finditer(r"\bimport\(\s*[\"'](https?://[^\"']+)", text):
            offenders.append(f"{js.relative_to(built_site)}: import({m.group(1)})")
    assert not offenders, "\n".join(offenders)


def test_no_absolute_path_of_the_build_machine_leaks_into_the_output(built_site):
    needles = {str(ROOT), str(built_site), "/root/", "/home/", "/tmp/", str(Path.home())}
    leaks = []
    for path in built_site.rglob("*"):
        if path.is_file() and path.suffix in {".html", ".ipynb", ".json", ".xml", ".svg", ".py", ".js", ".css"}:
            text = path.read_text(encoding="utf-8", errors="replace")
            leaks += [f"{path.relative_to(built_site)}: {n}" for n in needles if n in text]
    assert not leaks, "\n".join(leaks)


def test_every_chapter_has_a_valid_downloadable_notebook_linked_from_its_page(built_site):
    chapters = sorted({p.parent.name for p in SNIPPETS})
    for slug in chapters:
        download = built_site / "downloads" / f"{slug}.ipynb"
        nb = nbformat.read(download, as_version=4)
        nbformat.validate(nb)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code and all(c.execution_count for c in code)
        assert any(o.get("output_type") == "display_data" for c in code for o in c.outputs), "figures embedded"
        assert not json.dumps(nb.metadata).count("/"), "no paths in notebook metadata"
        rendered = built_site / "notebooks" / slug / "index.html"
        assert rendered.is_file(), "rendered by mkdocs-jupyter"
        chapter = next(built_site.rglob(f"{slug}/index.html"))
        hrefs = [a["href"] for a in soup(chapter).find_all("a", href=True)]
        assert any(h.endswith(f"downloads/{slug}.ipynb") for h in hrefs)
        assert any(h.rstrip("/").endswith(f"notebooks/{slug}") for h in hrefs)
        assert 'href="' in rendered.read_text() and f"downloads/{slug}.ipynb" in rendered.read_text()


def test_notebook_pages_load_no_mathjax_or_cdn_script(built_site):
    for page in (built_site / "notebooks").rglob("index.html"):
        text = page.read_text(encoding="utf-8")
        assert "mathjax" not in text.lower() and "cdnjs" not in text, page


def test_figures_are_svg_for_line_art_and_deterministic_files(built_site):
    figures = sorted((built_site / "figures").iterdir())
    assert figures and all(f.suffix in {".svg", ".png"} for f in figures)
    for svg in (f for f in figures if f.suffix == ".svg"):
        head = svg.read_text(encoding="utf-8")[:2000]
        assert "<dc:date>" not in head and "Matplotlib v" not in head
