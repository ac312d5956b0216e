"""Bad input fails loudly and precisely: each fault, injected into a copy of the fixture site,
aborts `mkdocs build` with a message naming the file and the line."""

from __future__ import annotations

import re
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import build, free_port, line_of, replace



def test_the_untouched_fixture_site_builds(fixture_site):
    result = build(fixture_site)
    assert result.returncode == 0, result.stderr
    site = fixture_site / "site"
    assert (site / "figures" / "demo-line.svg").is_file()
    assert (site / "downloads" / "demo.ipynb").is_file()
    assert 'src="../figures/demo-line.svg"' in (site / "demo" / "index.html").read_text()
    assert not (fixture_site / "docs" / "figures").exists(), "nothing is written into docs/"
    assert sorted(p.name for p in (fixture_site / "docs").iterdir()) == ["demo.md", "index.md"]


def test_quoted_values_are_filled_in_from_the_snippet_and_follow_it(fixture_site):
    page = fixture_site / "site" / "demo" / "index.html"
    assert build(fixture_site).returncode == 0
    html = page.read_text()
    assert 'alt="A straight line of slope 2"' in html, "in alt text"
    assert "rises by 2.00 per step" in html, "in a caption, with a format"
    assert "whose total is 45." in html, "in prose"
    assert "The slope is 2.0. Checked by" in html, "in an admonition"
    assert "<td>25.0%</td>" in html, "in a table, by chapter/stem"
    assert "<code>{{ other.total }}</code>" in html, "code shows the syntax literally"
    replace(fixture_site / "snippets/demo/other.py", "share = total / 180", "share = total / 60")
    replace(fixture_site / "snippets/demo/line_plot.py", "slope = np.float64(2.0)", "slope = np.float64(0.5)")
    assert build(fixture_site).returncode == 0
    html = page.read_text()
    assert "<td>75.0%</td>" in html and "rises by 0.50 per step" in html and "slope 0.5" in html
    assert "25.0%" not in html and "rises by 2.00" not in html, "no stale value"


def test_an_excerpts_copy_button_gets_the_whole_snippet(fixture_site):
    """An excerpt alone does not run: its block names its snippet, and carries the snippet's text
    itself unless the page lists that snippet in full (then javascripts/copy.js copies that listing)."""
    import html as html_lib

    page = fixture_site / "site" / "demo" / "index.html"
    lines = (fixture_site / "snippets/demo/line_plot.py").read_text().splitlines()
    whole = "\n".join(ln for ln in lines if "--8<-- [" not in ln).rstrip()
    assert len(whole.splitlines()) < len(lines), "the fixture snippet has sections"
    assert build(fixture_site).returncode == 0
    excerpt = re.search(r'<div class="highlight excerpt" data-copy-whole="snippets/demo/line_plot.py" '
                        r'data-copy="([^"]*)"', page.read_text())
    assert excerpt and html_lib.unescape(excerpt.group(1)) == whole
    demo = fixture_site / "docs" / "demo.md"
    demo.write_text(demo.read_text() + '\n??? example "Full snippet"\n\n    ```python\n'
                    '    --8<-- "snippets/demo/line_plot.py"\n    ```\n')
    assert build(fixture_site).returncode == 0
    html = page.read_text()
    assert '<div class="highlight excerpt" data-copy-whole="snippets/demo/line_plot.py">' in html
    assert 'data-snippet="snippets/demo/line_plot.py"' in html and "data-copy=" not in html


@pytest.mark.parametrize("quote, message", [
    ("{{ other.totl }}", "snippets/demo/other.py has no top-level value 'totl' (it has: share, total)"),
    ("{{ other.total:.2q }}", "cannot format total = 45 with '.2q'"),
    ("{{ nowhere.total }}", "there is no snippet nowhere.py"),
    ("{{ other total }}", "cannot read"),
])
def test_a_bad_quoted_value_fails_the_build_with_page_and_line(fixture_site, quote, message):
    page = fixture_site / "docs/demo.md"
    replace(page, "whose total is {{ other.total }}.", f"whose total is {quote}.")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, quote)}: {quote}: {message}" in result.stderr, result.stderr


def test_line_numbers_count_the_front_matter(fixture_site):
    page = fixture_site / "docs/demo.md"
    page.write_text("---\ndescription: A page with front matter.\n---\n\n" + page.read_text())
    replace(page, "whose total is {{ other.total }}.", "whose total is {{ other.totl }}.")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, 'other.totl')}: " in result.stderr, result.stderr


def test_front_matter_that_is_not_yaml_fails_the_build_instead_of_showing_as_text(fixture_site):
    page = fixture_site / "docs/demo.md"
    page.write_text("---\ndescription: Two things: this colon makes it invalid.\n---\n\n" + page.read_text())
    result = build(fixture_site)
    assert result.returncode != 0
    assert "docs/demo.md:1: the front matter is not valid YAML" in result.stderr, result.stderr


def test_a_snippet_that_raises_aborts_the_build_with_file_and_line(fixture_site):
    snippet = fixture_site / "snippets/demo/line_plot.py"
    replace(snippet, 'print("checked")', 'print("checked")\nvalues = {}["missing"]')
    result = build(fixture_site)
    assert result.returncode != 0
    line = line_of(snippet, '{}["missing"]')
    assert f"snippets/demo/line_plot.py:{line}: KeyError" in result.stderr


def test_every_failed_snippet_is_listed_not_just_the_first(fixture_site):
    replace(fixture_site / "snippets/demo/line_plot.py", "2 + 2 == 4", "2 + 2 == 5")
    replace(fixture_site / "snippets/demo/other.py", "total == 45", "total == 46")
    result = build(fixture_site)
    assert "2 snippet(s) failed" in result.stderr
    assert f"snippets/demo/line_plot.py:{line_of(fixture_site / 'snippets/demo/line_plot.py', '2 + 2 ==')}: AssertionError: arithmetic" in result.stderr
    assert "snippets/demo/other.py:5: AssertionError: the sum of 0..9" in result.stderr


def test_a_failed_claim_assert_aborts_the_build_with_its_message(fixture_site):
    snippet = fixture_site / "snippets/demo/line_plot.py"
    replace(snippet, "2 + 2 == 4", "2 + 2 == 5")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"snippets/demo/line_plot.py:{line_of(snippet, '2 + 2 == 5')}: AssertionError: arithmetic" in result.stderr


def test_a_snippet_that_hangs_is_stopped_and_reported_with_its_line(fixture_site):
    snippet = fixture_site / "snippets/demo/other.py"
    replace(snippet, "print(total)", "import time\nwhile True:\n    time.sleep(0.05)")
    started = time.monotonic()
    result = build(fixture_site, SNIPPET_TIMEOUT="4")
    assert result.returncode != 0
    assert time.monotonic() - started < 60
    assert re.search(r"snippets/demo/other\.py:(7|8): Timeout: still running after 4 s", result.stderr), result.stderr


def test_an_include_of_a_missing_file_names_the_page_and_line(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, 'snippets/demo/line_plot.py:claim"', 'snippets/demo/nowhere.py:claim"')
    result = build(fixture_site)
    assert result.returncode != 0
    line = line_of(page, "nowhere.py")
    assert f"docs/demo.md:{line}: include of 'snippets/demo/nowhere.py', which does not exist" in result.stderr


def test_an_include_of_a_missing_section_names_the_page_line_and_known_sections(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, "line_plot.py:claim", "line_plot.py:nope")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, ':nope')}: include of section 'nope'" in result.stderr
    assert "['claim']" in result.stderr


def test_a_figure_reference_with_no_figure_behind_it_names_the_page_and_line(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, "figure:demo-line", "figure:demo-circle")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, 'demo-circle')}: figure 'demo-circle' is not made by any snippet" in result.stderr


def test_a_claim_box_that_names_no_snippet_fails_with_its_line(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, "Checked by [`line_plot.py`](snippet:demo/line_plot.py).", "Trust me.")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, '!!! claim')}: a claim box must name exactly one snippet" in result.stderr


def test_a_link_to_a_missing_snippet_names_the_page_and_line(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, "snippet:demo/other.py", "snippet:demo/gone.py")
    result = build(fixture_site)
    assert result.returncode != 0
    assert f"docs/demo.md:{line_of(page, 'gone.py')}: link to snippet 'snippets/demo/gone.py'" in result.stderr


def test_a_broken_internal_link_fails_the_strict_build(fixture_site):
    (fixture_site / "docs/index.md").write_text("# Fixture\n\nSee [nothing](missing.md) and [demo](demo.md#no-such-anchor).\n")
    result = build(fixture_site)
    assert result.returncode != 0
    assert "missing.md" in result.stderr
    assert "no-such-anchor" in result.stderr


def fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for(url: str, predicate, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if predicate(last):
                return last
        except OSError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"timed out waiting on {url}; last page:\n{last[:2000]}")


def test_serve_shows_a_failure_box_keeps_serving_and_recovers(fixture_site):
    port = free_port()
    log = fixture_site / "serve.log"
    with open(log, "w") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"],
            cwd=fixture_site, stdout=out, stderr=subprocess.STDOUT,
        )
    try:
        url = f"http://127.0.0.1:{port}/demo/"
        wait_for(url, lambda html: "demo-line.svg" in html)
        snippet = fixture_site / "snippets/demo/line_plot.py"
        good = snippet.read_text()
        ran_before = log.read_text().count("running snippets/demo/other.py")

        snippet.write_text(good.replace("2 + 2 == 4", "2 + 2 == 5"))
        broken = wait_for(url, lambda html: "Snippet failed" in html)
        assert f"snippets/demo/line_plot.py:{line_of(snippet, '2 + 2 ==')}: AssertionError: arithmetic" in broken
        assert "demo-line.svg" not in broken, "no stale figure is served"
        assert server.poll() is None, "serve keeps running"

        snippet.write_text(good)
        wait_for(url, lambda html: "demo-line.svg" in html and "Snippet failed" not in html)

        page = fixture_site / "docs/demo.md"
        text = page.read_text()
        page.write_text(text.replace("{{ other.total }}", "{{ other.totl }}"))
        boxed = wait_for(url, lambda html: "Quoted value unavailable" in html)
        assert f"docs/demo.md:{line_of(page, 'other.totl')}:" in boxed and "value unavailable" in boxed
        assert server.poll() is None, "serve keeps running"
        page.write_text(text)
        wait_for(url, lambda html: "whose total is 45." in html and "Quoted value unavailable" not in html)

        page.write_text(text.replace("and a sum has", "and $\\fracc{1}{2}$ a sum has"))
        boxed = wait_for(url, lambda html: "TeX error" in html)
        assert f"docs/demo.md:{line_of(page, 'fracc')}: TeX error in $\\fracc{{1}}{{2}}$" in boxed
        assert 'class="math-error"' in boxed and "Undefined control sequence" in boxed, "the formula shows as source"
        assert server.poll() is None, "serve keeps running"
        page.write_text(text)
        wait_for(url, lambda html: "TeX error" not in html and 'class="katex"' in html)
        text = log.read_text()
        assert text.count("running snippets/demo/other.py") == ran_before, "only the edited snippet re-ran"
        assert text.count("running snippets/demo/line_plot.py") >= 2
    finally:
        server.terminate()
        server.wait(timeout=20)
