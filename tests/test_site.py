"""The built site (`mkdocs build --strict`, once per run): complete, self-contained and honest."""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import PAGES_MD, ROOT, SNIPPETS

pytestmark = pytest.mark.xdist_group("site")


def test_the_tests_of_a_group_run_on_one_worker(request):
    """These tests share one parse of the site on one worker, and the mutant tests one run of every mutant,
    only if pytest-xdist can tag the tests of an `xdist_group`. With pytest 9.2 it silently could not (it
    renames a node id attribute pytest had moved), every group was split and each worker did the work."""
    if not request.config.getoption("loadgroup", False):
        pytest.skip("not run by pytest-xdist with --dist loadgroup")
    assert request.node.nodeid.endswith("@site"), request.node.nodeid


# Attributes that make a browser fetch something. Outbound <a href> links (citations) and
# <link rel="canonical"> fetch nothing; everything else must come from the site itself.
FETCHING = {"script": "src", "img": "src", "source": "src", "iframe": "src", "video": "src", "audio": "src",
            "embed": "src", "object": "data", "link": "href"}
NOT_FETCHED_LINKS = {"canonical"}


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


@functools.lru_cache(maxsize=None)
def soup(path: Path) -> BeautifulSoup:
    """A page parsed once per test run (pages are large, and several tests read every one); read-only."""
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
        if any("plt.show()" in p.read_text() for p in SNIPPETS if p.parent.name == slug):
            assert any(o.get("output_type") == "display_data" for c in code for o in c.outputs), "figures embedded"
        assert not json.dumps(nb.metadata).count("/"), "no paths in notebook metadata"
        rendered = built_site / "notebooks" / slug / "index.html"
        assert rendered.is_file(), "rendered by mkdocs-jupyter"
        chapter = next(p for p in built_site.rglob(f"{slug}/index.html") if p.parent.parent.name != "notebooks")
        hrefs = [a["href"] for a in soup(chapter).find_all("a", href=True)]
        assert any(h.endswith(f"downloads/{slug}.ipynb") for h in hrefs)
        assert any(h.rstrip("/").endswith(f"notebooks/{slug}") for h in hrefs)
        assert 'href="' in rendered.read_text() and f"downloads/{slug}.ipynb" in rendered.read_text()


def config() -> dict:
    from mkdocs.config import load_config

    return load_config(str(ROOT / "mkdocs.yml"))


def test_each_chapter_says_how_to_run_it_yourself_and_links_colab(built_site):
    cfg = config()
    owner_repo = urlsplit(cfg["repo_url"]).path.strip("/")
    branch = cfg["extra"]["notebooks_branch"]
    for slug in sorted({p.parent.name for p in SNIPPETS}):
        colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{branch}/{slug}.ipynb"
        chapter = next(p for p in built_site.rglob(f"{slug}/index.html") if p.parent.parent.name != "notebooks")
        box = next(d for d in soup(chapter).select("div.admonition.notebook")
                   if "Run it yourself" in d.get_text())
        hrefs = [a["href"] for a in box.find_all("a", href=True)]
        mine = sorted(p.name for p in SNIPPETS if p.parent.name == slug)
        assert sorted(h.rsplit("/", 1)[-1] for h in hrefs if h.endswith(".py")) == mine, "every snippet listed"
        assert colab in hrefs and any(h.endswith(f"downloads/{slug}.ipynb") for h in hrefs)
        notebook_page = built_site / "notebooks" / slug / "index.html"
        assert colab in [a["href"] for a in soup(notebook_page).find_all("a", href=True)]


def test_notebooks_are_reached_from_their_chapters_not_the_navigation(built_site):
    nav = soup(built_site / "index.html").select_one("nav.md-nav--primary")
    assert nav and not [a["href"] for a in nav.find_all("a", href=True) if "notebooks/" in a["href"]]


def test_every_page_has_its_own_description_and_link_preview(built_site):
    default = config()["site_description"]
    for md in PAGES_MD:
        rel = md.relative_to(ROOT / "docs").with_suffix("").as_posix()
        page = built_site / ("index.html" if rel == "index" else f"{rel}/index.html")
        head = soup(page).head
        description = head.find("meta", attrs={"name": "description"})["content"]
        assert description != default and 50 <= len(description) <= 170, f"{rel}: give it a description"
        assert "$" not in description and "\\" not in description, f"{rel}: plain text, no TeX"
        for prop in ("og:title", "og:description", "og:url", "og:type"):
            assert head.find("meta", attrs={"property": prop}), f"{rel}: {prop}"
        assert head.find("meta", attrs={"property": "og:description"})["content"] == description


def test_the_404_page_offers_search_and_every_page_in_the_navigation(built_site):
    page = soup(built_site / "404.html")
    assert page.find(id="page-not-found") and page.find("form", attrs={"name": "search"})
    hrefs = {a["href"] for a in page.select("article a[href]")}
    for md in PAGES_MD:
        rel = md.relative_to(ROOT / "docs").with_suffix("").as_posix()
        if rel != "index":
            assert f"/{rel}/" in hrefs, f"the 404 page links {rel}"


def test_the_publishing_workflow_builds_strictly_deploys_the_site_and_pushes_the_notebooks():
    import yaml

    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "publish.yml").read_text())
    steps = flow["jobs"]["build"]["steps"]
    runs = "\n".join(step.get("run", "") for step in steps)
    assert "pip install -r requirements.txt" in runs and "npm ci" in runs
    assert "mkdocs build --strict --site-dir site" in runs
    assert f"push -f" in runs and config()["extra"]["notebooks_branch"] in runs
    # The suite runs a sample of the notebooks; every one runs before any is published.
    order = [step.get("run", "") for step in steps]
    run_all = next(i for i, r in enumerate(order) if "pytest tests/test_notebooks.py --all-notebooks" in r)
    assert run_all < next(i for i, r in enumerate(order) if "push -f" in r)
    upload = next(s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in flow["jobs"]["deploy"]["steps"])


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


def test_every_abbreviation_is_defined_in_the_glossary_and_used_on_the_site(built_site):
    abbreviations = dict(re.findall(r"^\*\[(.+?)\]: (.+)$", (ROOT / "docs/includes/abbreviations.md").read_text(), re.M))
    assert len(abbreviations) >= 20
    glossary = soup(built_site / "reference/glossary/index.html")
    defined = {dt.get_text(" ", strip=True).split(" — ")[0] for dt in glossary.select("article dt")}
    assert defined == set(abbreviations), set(abbreviations) ^ defined
    used = {abbr.get_text() for page in html_pages(built_site) if "glossary" not in page.parts
            for abbr in soup(page).select("article abbr[title]")}
    assert not set(abbreviations) - used, f"defined but used on no page: {set(abbreviations) - used}"
