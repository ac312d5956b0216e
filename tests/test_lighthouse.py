"""A sample of the Lighthouse audit (`python -m hooks.lighthouse` runs every page): the glossary in the
light scheme and a notebook page in the dark one score 100 in accessibility, best practices and SEO.

Performance is left to the command: its scores move with the machine's load, these do not."""

from __future__ import annotations

import os

import pytest

from hooks import lighthouse

pytestmark = pytest.mark.browser

# The glossary has links in prose, abbreviations and a definition list; a notebook page has mkdocs-jupyter's
# highlighted code, its table of contents and the download links. Both have Material's header, search and
# footer. One scheme each keeps the cost to two audits (about 20 s each on 2 busy cores); chapter pages
# take three times as long while KaTeX typesets in the browser.
SAMPLE = [("reference/glossary/", "light"), ("notebooks/cheat-sheet/", "dark")]
CATEGORIES = ("accessibility", "best-practices", "seo")


def require_lighthouse() -> None:
    missing = []
    if not os.path.exists(lighthouse.CHROMIUM):
        missing.append(f"Chromium at {lighthouse.CHROMIUM} (apt-get install chromium)")
    if not lighthouse.LIGHTHOUSE.exists():
        missing.append(f"Lighthouse at {lighthouse.LIGHTHOUSE} (npm ci)")
    if missing:
        if os.environ.get("CI"):
            pytest.fail("missing: " + "; ".join(missing) + "; .ci/run must install them")
        pytest.skip("missing: " + "; ".join(missing))


@pytest.mark.parametrize("path, scheme", SAMPLE, ids=[f"{p.strip('/')}-{s}" for p, s in SAMPLE])
def test_a_page_scores_100_in_accessibility_best_practices_and_seo(path, scheme, served):
    require_lighthouse()
    report = lighthouse.lighthouse(f"{served}/{path}", "desktop", categories=CATEGORIES, scheme=scheme)
    scores = {category: lighthouse.score(report, category) for category in CATEGORIES}
    failing = {category: lighthouse.failing(report, category) for category in CATEGORIES}
    assert scores == dict.fromkeys(CATEGORIES, 100), f"{path} ({scheme}): {scores}, failing audits {failing}"
