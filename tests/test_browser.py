"""A real browser (Debian's Chromium via Playwright) visits every page of the built site."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from conftest import PAGES_MD, ROOT, SNIPPETS, chromium
from hooks.lighthouse import site_pages  # the pages of a built site, as the Lighthouse command lists them

# Not grouped: pages are spread over both workers, each with its own build and server.
pytestmark = pytest.mark.browser

SECTION_MARK = re.compile(r"^\s*# -+8<-+ \[(start|end):")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "screenshots"
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic",
]

# Text left in the page that KaTeX should have turned into math.
RAW_TEX_JS = r"""
() => {
  const walker = document.createTreeWalker(document.querySelector('.md-main') || document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (el.closest('code, pre, script, style, .katex, .highlight, .jp-InputArea')) continue;
    if (!el.checkVisibility()) continue;
    const t = n.textContent;
    if (/\$|\\\(|\\\[|\\frac|\\log|\\mathcal/.test(t)) raw.push(t.trim().slice(0, 80));
  }
  return raw;
}
"""


def require_chromium() -> None:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium is missing at {CHROMIUM}; .ci/run must install it")
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")


# Session scope: under xdist a worker can move between modules, and a module fixture would be set up
# again each time it came back.
@pytest.fixture(scope="session")
def browser():
    require_chromium()
    with chromium(CHROMIUM, ARGS) as browser:
        yield browser


def test_the_browser_starts_however_long_the_temporary_folder_path_is(tmp_path, monkeypatch):
    require_chromium()
    # Nested this deep, a profile folder made under TMPDIR would put Chromium's socket past 108 bytes.
    deep = tmp_path.joinpath(*["a-long-folder-name"] * 8)
    deep.mkdir(parents=True)
    assert len(str(deep)) > 150
    monkeypatch.setenv("TMPDIR", str(deep))
    with chromium(CHROMIUM, ARGS) as other:
        page = other.new_page()
        page.set_content("<p id=x>started</p>")
        assert page.inner_text("#x") == "started"
    assert not list(deep.iterdir()), "nothing was left in the temporary folder"


def expected_pages() -> list[str]:
    """Every page the sources promise: each Markdown file, and each chapter's notebook."""
    docs = ROOT / "docs"
    urls = []
    for md in PAGES_MD:
        rel = md.relative_to(docs).with_suffix("").as_posix()
        urls.append("" if rel == "index" else rel + "/")
    urls += [f"notebooks/{d.name}/" for d in sorted((ROOT / "snippets").iterdir()) if d.is_dir()]
    return sorted(urls)


PAGES = expected_pages()


def test_the_site_has_exactly_the_pages_we_expect(built_site):
    assert sorted(site_pages(built_site)) == PAGES


def visit(browser, served: str, path: str, scheme: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    problems: list[str] = []
    host = urlsplit(served).netloc
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.on("request", lambda r: problems.append(f"foreign request: {r.url}")
            if urlsplit(r.url).scheme in ("http", "https") and urlsplit(r.url).netloc != host else None)
    page.goto(f"{served}/{path}", wait_until="networkidle")
    return page, problems


# The KaTeX fonts the page's formulas use, as font files ("Size1-Regular"), once every block is laid out.
USED_FONTS_JS = """async () => {
  document.querySelectorAll('.md-content .md-typeset > *, .jp-Cell').forEach(e => e.style.contentVisibility = 'visible');
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.body.getBoundingClientRect();
  await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  await document.fonts.ready;
  const style = {'400 normal': 'Regular', '700 normal': 'Bold', '400 italic': 'Italic', '700 italic': 'BoldItalic'};
  return [...document.fonts].filter(f => f.status === 'loaded' && f.family.replace(/"/g, '').startsWith('KaTeX_'))
    .map(f => `${f.family.replace(/"/g, '').slice(6)}-${style[`${f.weight} ${f.style}`]}`);
}"""


def fonts_not_preloaded(page) -> list[str]:
    """A font that arrives after the first layout moves the text set in it (layout shift), so the page
    preloads each KaTeX font its formulas use, and only those."""
    used = set(page.evaluate(USED_FONTS_JS))
    preloaded = set(page.evaluate(
        "[...document.querySelectorAll('link[rel=preload][as=font]')].map(l => l.href.split('/').pop().replace(/^KaTeX_|[.]woff2$/g, ''))"))
    return ([f"KaTeX font used but not preloaded: {f}" for f in sorted(used - preloaded)]
            + [f"KaTeX font preloaded but not used: {f}" for f in sorted(preloaded - used)])


# Screenshots are for people to look at: the first screen of each page by default, whole pages
# (slow on long chapters) with LAL_FULL_SCREENSHOTS=1.
FULL_SCREENSHOTS = os.environ.get("LAL_FULL_SCREENSHOTS") == "1"


@pytest.fixture(scope="session")
def screenshots():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.mark.parametrize("path", PAGES, ids=[p or "home" for p in PAGES])
def test_page_renders_cleanly_in_light_and_dark(path, served, browser, screenshots):
    page, problems = visit(browser, served, path, "light")
    # Every image must load: the figures load lazily, as they near the screen, so each is asked for now.
    assert page.evaluate("[...document.querySelectorAll('article figure img, .jp-Notebook img')].every(i => i.loading === 'lazy')")
    # Then wait for the images themselves to say so (up to 15 s), not for their load events: waiting for
    # events, this check once found two figures of a notebook page not loaded, in one suite run of three.
    page.evaluate("document.querySelectorAll('img').forEach(i => i.loading = 'eager')")
    with contextlib.suppress(PlaywrightTimeout):
        page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)", timeout=15_000)
    page.wait_for_load_state("networkidle")
    broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    problems += [f"image not loaded: {src}" for src in broken]
    problems += [f"raw TeX: {t!r}" for t in page.evaluate(RAW_TEX_JS)]
    if page.locator(".arithmatex").count():
        assert page.locator(".arithmatex .katex").count() == page.locator(".arithmatex").count()
    if page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1"):
        problems.append("page overflows horizontally")
    name = path.strip("/").replace("/", "_") or "home"
    page.screenshot(path=str(screenshots / f"{name}-light.png"), full_page=FULL_SCREENSHOTS)
    # The scheme toggle works on every page, and the page still has no errors in the dark.
    page.locator("form[data-lal-palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    broken = page.evaluate("() => [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    problems += [f"dark: image not loaded: {src}" for src in broken]
    problems += [f"dark: raw TeX: {t!r}" for t in page.evaluate(RAW_TEX_JS)]
    page.screenshot(path=str(screenshots / f"{name}-dark.png"), full_page=FULL_SCREENSHOTS)
    # Last: it lays out every block of the page, which would make the scheme switch restyle all of them.
    problems += fonts_not_preloaded(page)
    page.close()
    assert not problems, problems


# A snippet as the page lists it in full: the include drops the section markers.
SNIPPET_TEXTS = {
    "\n".join(ln for ln in p.read_text(encoding="utf-8").splitlines() if not SECTION_MARK.match(ln)).rstrip(): p
    for p in SNIPPETS
}
CODE_PAGES = [p for p in PAGES if p.startswith(("idea/", "losses/", "reference/"))]


# After a copy button is pressed: what it put on the clipboard (polled: a copy is asynchronous, and
# wait_for_function does not await a promise, so a pending readText() would count as done), which snippet
# its block belongs to, whether it is an excerpt and its accessible name; then the clipboard is cleared
# for the next button. One round trip per button.
AFTER_COPY_JS = """async button => {
  let text = "";
  for (let tries = 0; tries < 100 && !text; tries++) {
    text = await navigator.clipboard.readText();
    if (!text) await new Promise(done => setTimeout(done, 50));
  }
  await navigator.clipboard.writeText("");
  const block = button.closest("[data-copy-whole], [data-snippet]");
  return {text, whole: block && (block.dataset.copyWhole || block.dataset.snippet),
          excerpt: button.closest(".excerpt") !== null, label: button.getAttribute("aria-label") || ""};
}"""


@pytest.mark.parametrize("path", CODE_PAGES, ids=[p.strip("/") for p in CODE_PAGES])
def test_every_copy_button_copies_code_that_runs_on_its_own(path, served, browser, tmp_path):
    """Press each code block's copy button and read the clipboard, as a reader would paste it.
    A copy that is a whole snippet runs on its own (test_snippets runs each one from an empty
    folder); anything else is run here, alone, in a fresh interpreter."""
    # A reader who prefers reduced motion: what is copied is the same, and without Material's animations
    # Playwright finds each button stable sooner (a third less time on the longest page).
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"], reduced_motion="reduce")
    page = context.new_page()
    page.goto(f"{served}/{path}")
    page.evaluate("document.querySelectorAll('article details').forEach(d => d.open = true)")
    # Material adds a code block's copy button when the block nears the screen (the content.lazy feature),
    # so each block is brought into view first, as a reader scrolling to it would.
    page.wait_for_function("window.document$ !== undefined")
    blocks = page.locator("article .highlight pre:has(> code)")
    page.evaluate("navigator.clipboard.writeText('')")
    copies = []
    for i in range(blocks.count()):
        blocks.nth(i).scroll_into_view_if_needed()
        button = blocks.nth(i).locator("[data-clipboard-target]")
        # A real click, after Playwright's check that the button is what receives it: with a forced click
        # some buttons on most pages copied nothing, and the old check of the clipboard did not notice.
        button.click(timeout=10_000)
        copy = button.evaluate(AFTER_COPY_JS)
        assert copy["text"], f"copy button {i} put nothing on the clipboard"
        copies.append(copy["text"])
        # An excerpt copies its whole snippet; a full listing copies itself.
        if copy["whole"]:
            assert SNIPPET_TEXTS.get(copy["text"].rstrip()) == ROOT / copy["whole"], f"copy button {i} should copy {copy['whole']}"
        if copy["excerpt"]:
            # Material's tooltips move `title` into their own element on hover; the accessible name stays.
            assert "whole snippet" in copy["label"], "the button says what it copies"
    context.close()
    failures = []
    for n, text in enumerate(dict.fromkeys(copies)):
        if text.rstrip() in SNIPPET_TEXTS:
            continue
        script = tmp_path / f"copied_{n}.py"
        script.write_text(text, encoding="utf-8")
        run = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                             timeout=120, env={**os.environ, "MPLBACKEND": "Agg"})
        if run.returncode:
            failures.append(f"block starting {text[:60]!r} fails alone:\n{run.stderr[-600:]}")
    assert not failures, "\n\n".join(failures)


def test_the_chapter_page_renders_its_math_and_figures(served, browser):
    page, problems = visit(browser, served, "idea/losses-are-nlls/", "light")
    assert page.locator(".katex").count() > 100
    assert page.locator("figure img").count() >= 4
    assert page.locator(".admonition.claim").count() >= 12
    badge = page.evaluate(
        "() => getComputedStyle(document.querySelector('.claim > .admonition-title'), '::after').content"
    )
    assert "checked on every build" in badge
    assert not problems, problems
    page.close()


def test_dark_scheme_toggle_switches_palette_and_keeps_math(served, browser):
    page, problems = visit(browser, served, "idea/losses-are-nlls/", "light")
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "default"
    page.locator("form[data-lal-palette] label:visible").first.click()
    page.wait_for_function("document.body.getAttribute('data-md-color-scheme') === 'slate'")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)"
    assert page.locator(".katex").count() > 100
    assert not problems, problems
    page.close()


def test_math_is_rendered_again_after_instant_navigation(served, browser):
    page, problems = visit(browser, served, "", "light")
    page.wait_for_function("document.querySelector('a.md-nav__link[href^=\"http\"]') !== null")
    loaded_at = page.evaluate("performance.timeOrigin")
    page.locator("a.md-nav__link[href$='idea/losses-are-nlls/']:visible").first.click()
    page.wait_for_url("**/idea/losses-are-nlls/")
    page.wait_for_function("document.querySelectorAll('.arithmatex .katex').length > 100")
    assert page.evaluate("performance.timeOrigin") == loaded_at, "an instant navigation, not a page load"
    assert not page.evaluate(RAW_TEX_JS)
    assert not problems, problems
    page.close()


# The page with the most sections: blocks past the first screen are laid out lazily (site.css,
# content-visibility), so a deep link is where a wrong height above the target would show.
LONG_PAGE = "idea/not-a-likelihood/"
HEADING_TOP_JS = """id => {
  const header = document.querySelector('.md-header').getBoundingClientRect().height;
  return [document.getElementById(id).getBoundingClientRect().top, header];
}"""


def landed_on(page, target: str) -> str | None:
    """None if the heading `target` comes to rest just below the header (Material scrolls smoothly, and a
    busy machine is slow to: allow it 5 s), else where it is."""
    on_it = f"() => {{ const [top, header] = ({HEADING_TOP_JS})({target!r}); return top >= 0 && top <= header + 24 }}"
    try:
        page.wait_for_function(on_it, timeout=5000, polling=100)
        page.wait_for_timeout(300)  # and stays there
        if page.evaluate(on_it):
            return None
    except PlaywrightTimeout:
        pass
    return f"heading at {page.evaluate(HEADING_TOP_JS, target)[0]:.0f} px"


@pytest.mark.parametrize("width,height", [(412, 823), (1280, 900)], ids=["phone", "desktop"])
def test_a_link_to_any_section_of_a_long_page_lands_on_it(served, browser, width, height):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(f"{served}/{LONG_PAGE}")
    ids = page.evaluate("[...document.querySelectorAll('article :is(h2, h3)[id]')].map(h => h.id)")
    assert len(ids) >= 10
    ids = ids[1::4] + ids[-1:]  # a quarter of them, spread down the page (each costs a page load), and the last
    missed = []
    for target in ids:  # a link from elsewhere: a fresh load of the page at the fragment
        page.goto("about:blank")
        page.goto(f"{served}/{LONG_PAGE}#{target}")
        page.wait_for_function("document.querySelector('.md-nav--secondary a[href^=\"http\"]') !== null")
        if where := landed_on(page, target):
            missed.append(f"load #{target}: {where}")
    page.goto(f"{served}/{LONG_PAGE}")
    # Material follows a link within the page itself once its instant navigation is ready (it has read
    # the sitemap and made the links absolute), and a moment after: Material now starts after the first
    # paint, and in this suite a contents click made once Material's script had run, while the other worker
    # ran, left the page at its top or short of the heading in 4 of 7 runs (1 of 5 when waiting for instant
    # navigation only; none in 6 with the wait below; none in 23 clicks of the same sequence outside the
    # suite). A reader reaches the contents later than that, on a phone through the menu.
    page.wait_for_function("document.querySelector('.md-nav--secondary a[href^=\"http\"]') !== null")
    page.wait_for_timeout(500)
    for target in reversed(ids):  # the table of contents, through Material's instant navigation
        page.evaluate("id => document.querySelector(`.md-nav--secondary a[href$='#${id}']`).click()", target)
        if where := landed_on(page, target):
            missed.append(f"contents #{target}: {where}")
    page.close()
    assert not missed, missed


LAYOUT_SHIFTS_JS = """() => { window.__shifts = [];
  new PerformanceObserver(list => { for (const e of list.getEntries()) window.__shifts.push(
    [e.value, e.sources.map(s => s.node ? (s.node.className || s.node.nodeName) + ': ' + (s.node.textContent || '').trim().slice(0, 30) : '?')]
  ) }).observe({type: 'layout-shift', buffered: true}); }"""


FONT_DELAY = 0.15  # seconds added to each KaTeX font response, one after another


@pytest.mark.parametrize("width,height", [(412, 823), (1350, 940)], ids=["phone", "desktop"])
def test_nothing_moves_while_a_page_loads(served, browser, width, height):
    """Layout shift is 0 on the home page, a long chapter, a notebook page and the math-table page, with
    scrollbars shown (Playwright hides them, and a scrollbar that comes and goes moved the sidebar) and
    with every KaTeX font arriving late, as on a busy phone: the fonts come 0.15 s apart, after the first
    layout, and without the page's wait for them the table rows and text lines beside formulas moved."""

    def late(route):
        time.sleep(FONT_DELAY)
        route.continue_()

    with contextlib.closing(browser.browser_type.launch(
            executable_path=CHROMIUM, args=ARGS, ignore_default_args=["--hide-scrollbars"])) as browser:
        shifts = {}
        for path in ("", LONG_PAGE, "notebooks/not-a-likelihood/", "reference/notation/"):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.route("**/*.woff2", late)
            page.add_init_script(f"({LAYOUT_SHIFTS_JS})()")
            page.goto(f"{served}/{path}", wait_until="networkidle")
            page.wait_for_timeout(500)
            if moved := page.evaluate("window.__shifts"):
                shifts[path or "home"] = moved
            page.close()
    assert not shifts, shifts


def test_a_page_whose_fonts_never_come_shows_after_three_seconds(served, browser):
    """The wait for fonts has an end: with KaTeX's fonts stalled the page below the header is hidden at
    first and shown by 3 s (what Chromium waits for a font anyway), with its text and formulas there."""
    page = browser.new_page()
    page.route("**/*.woff2", lambda route: None)  # never answered
    page.add_init_script("""new MutationObserver(() => {  // on document: <html> does not exist yet
        const on = document.documentElement.classList.contains('lal-fonts-loading');
        (window.__hold ||= []).push([on, performance.now()]);
      }).observe(document, {subtree: true, attributes: true, attributeFilter: ['class']})""")
    page.goto(f"{served}/reference/notation/", wait_until="domcontentloaded")
    visibility = "getComputedStyle(document.querySelector('.md-container')).visibility"
    assert page.evaluate(f"[document.documentElement.classList.contains('lal-fonts-loading'), {visibility}]") == [
        True, "hidden"]
    # Shown again: a record without the class after one with it (<html> changes class before that too).
    page.wait_for_function("(window.__hold || []).some(([on], i, all) => !on && all.slice(0, i).some(([was]) => was))",
                           timeout=6000)
    hold = page.evaluate("window.__hold")
    start = next((t for on, t in hold if on), None)
    assert start is not None, f"the page never hid its content: {hold}"
    end = next(t for on, t in hold if not on and t > start)
    assert 2900 <= end - start <= 4500, f"hidden for {end - start:.0f} ms"
    assert page.evaluate(visibility) == "visible"
    assert page.locator("article .katex").count() > 20
    page.close()
