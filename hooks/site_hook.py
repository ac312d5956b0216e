"""MkDocs hook: glue between the snippet runner and the pages. It executes nothing itself.

on_files           asks the runner for every snippet's result and adds, as generated
                   files, the figures (figures/<name>.svg|png), the snippet sources
                   (snippets/<chapter>/<file>.py), each chapter's notebook, and KaTeX.
on_page_markdown   fills in quoted values (`{{ snippet.name:format }}`) from the runner's
                   results, resolves `figure:<name>` and `snippet:<chapter>/<file>.py`
                   links, checks includes and claim boxes, and in `mkdocs serve` puts a
                   failure box where a failed snippet's output would be.
on_post_page       renders every formula with KaTeX at build time (hooks/formulas.py), so pages
                   carry math as HTML and MathML and no math JavaScript.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from html import escape as html_escape
import re
import subprocess
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError
from mkdocs.plugins import event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # MkDocs loads this file by path; make `hooks` importable
    sys.path.insert(0, str(ROOT))

from hooks import formulas, notebooks, runner  # noqa: E402

log = get_plugin_logger("snippets")

KATEX = ROOT / "node_modules" / "katex" / "dist"

_INCLUDE = re.compile(r'^(\s*)(?:```\w*\s*)?-{1,}8<-{1,}\s+"([^"]+)"\s*$')
_FIGURE_LINK = re.compile(r"\]\(figure:([a-z0-9-]+)\)")
_SNIPPET_LINK = re.compile(r"\]\(snippet:([A-Za-z0-9_./-]+)\)")
_CLAIM = re.compile(r'^(\s*)[!?]{3}\+?\s+claim\b')
_SECTION_LINE = re.compile(r"^\s*# -+8<-+ \[(start|end):")
_SECTION = re.compile(r"-+8<-+\s+\[start:([a-z][-_0-9a-z]*)\]")
# {{ stem.name }}, {{ stem.name:.3f }} or {{ chapter/stem.name:.1% }}: a value a snippet computed.
_QUOTE = re.compile(r"\{\{(.*?)\}\}")
_QUOTE_REF = re.compile(r"^\s*(?:([a-z0-9-]+)/)?([A-Za-z_]\w*)\.([A-Za-z_]\w*)\s*(?::(.*?))?\s*$")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")

state: dict = {"command": "build", "results": {}, "figures": {}, "chapters": {}, "project": ROOT, "torch": True}


def on_startup(command, dirty):
    state["command"] = command


def on_config(config):
    # Includes (--8<--) resolve against the site's folder, wherever mkdocs is started from.
    project = Path(config.config_file_path).resolve().parent
    _pin_build_date(project)
    config["mdx_configs"].setdefault("pymdownx.snippets", {})["base_path"] = [str(project)]
    _close_math()
    try:
        state["math"] = formulas.Renderer(project / ".cache" / "katex")
    except formulas.MathUnavailable as exc:
        raise PluginError(str(exc)) from None
    # If anything must run, let the fork server import numpy, matplotlib and (if a snippet uses it) torch
    # while MkDocs collects files.
    snippets = runner.discover(project / "snippets")
    state["torch"] = runner.imports_torch(snippets)
    runner.start_workers_if_needed(snippets, project / ".cache" / "snippets", root=project, torch=state["torch"])
    return config


def _pin_build_date(project: Path) -> None:
    """Make the build date (sitemap, its .gz) the last commit's, so rebuilds are byte-identical."""
    if os.environ.get("SOURCE_DATE_EPOCH"):
        return
    try:
        out = subprocess.run(
            ["git", "-C", str(project), "log", "-1", "--format=%ct"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        out = ""
    os.environ["SOURCE_DATE_EPOCH"] = out if out.isdigit() else "0"


# ----------------------------------------------------------------------------- files


@event_priority(100)  # before mkdocs-jupyter, which must see the notebooks we add
def on_files(files: Files, config) -> Files:
    # Everything is relative to the site's own folder: the project, or a test's fixture copy.
    project = Path(config.config_file_path).resolve().parent
    state["project"] = project
    paths = runner.discover(project / "snippets")
    results = runner.run_snippets(paths, project / ".cache" / "snippets", root=project, log=log.info,
                                  torch=state["torch"])
    state["results"] = results
    failed = [r.failure for r in results.values() if not r.ok]
    if failed:
        listing = "\n".join(f"  {f}" for f in sorted(failed, key=str))
        if state["command"] == "serve":
            log.error(f"{len(failed)} snippet(s) failed; their pages show the error:\n{listing}")
        else:
            raise PluginError(f"{len(failed)} snippet(s) failed:\n{listing}")

    figures: dict[str, tuple[str, runner.FigureFile]] = {}
    for rel, result in sorted(results.items()):
        for fig in result.figures:
            if fig.name in figures:
                raise PluginError(
                    f"figure name {fig.name!r} is made by both {figures[fig.name][0]} and {rel}; "
                    "figure names are unique across the site"
                )
            figures[fig.name] = (rel, fig)
            files.append(File.generated(config, f"figures/{fig.filename}", abs_src_path=str(fig.path)))
    state["figures"] = figures

    for path in paths:
        files.append(File.generated(config, runner.relative(path, project), abs_src_path=str(path)))

    _add_notebooks(files, config, paths, results)
    _add_katex(files, config)
    return files


def _chapter_pages(files: Files) -> dict[str, File]:
    pages = {}
    for f in files.documentation_pages():
        if f.src_uri.endswith(".md"):
            pages.setdefault(Path(f.src_uri).stem, []).append(f)
    return pages


def _add_notebooks(files: Files, config, paths, results) -> None:
    pages = _chapter_pages(files)
    by_chapter: dict[str, list[Path]] = {}
    for path in paths:
        by_chapter.setdefault(path.parent.name, []).append(path)
    state["chapters"] = {}
    for slug, chapter_paths in sorted(by_chapter.items()):
        found = pages.get(slug, [])
        if len(found) != 1:
            raise PluginError(
                f"snippets/{slug}/ needs exactly one chapter page named {slug}.md under docs/, found {len(found)}"
            )
        page = found[0]
        text = page.content_string
        # The notebook follows the chapter: snippets in the order the page first mentions them.
        order = {p: text.find(f"{slug}/{p.name}") for p in chapter_paths}
        ordered = sorted(chapter_paths, key=lambda p: (order[p] < 0, order[p], p.name))
        state["chapters"][slug] = page.src_uri
        rel = {p: runner.relative(p, state["project"]) for p in ordered}
        if any(not results[rel[p]].ok for p in ordered):
            continue  # no notebook with missing outputs; the page shows the failure
        title = next((ln[2:].strip() for ln in text.splitlines() if ln.startswith("# ")), slug)
        cache = state["project"] / ".cache" / "notebooks"
        chapter_results = [(p, results[rel[p]]) for p in ordered]
        # The download stands alone (figures embedded); the page links the figures the site serves.
        download = cache / "downloads" / f"{slug}.ipynb"
        notebooks.write(slug, title, chapter_results, download)
        notebooks.write(slug, title, chapter_results, cache / "notebooks" / f"{slug}.ipynb",
                        linked=_figure_alts(text, page.src_uri, results))
        files.append(File(f"notebooks/{slug}.ipynb", str(cache), config["site_dir"], config["use_directory_urls"]))
        # Given as content: mkdocs-jupyter would turn a file under notebooks/ into a page.
        files.append(File.generated(config, f"downloads/{slug}.ipynb", content=download.read_bytes()))


_FIGURE_ALT = re.compile(r"!\[([^\]]*)\]\(figure:([a-z0-9-]+)\)")


def _figure_alts(markdown: str, src_uri: str, results: dict) -> dict[str, str]:
    """Each figure's alt text as the chapter gives it, quoted values filled in, for the notebook page."""
    chapter = Path(src_uri).stem
    alts = {}
    for alt, name in _FIGURE_ALT.findall(markdown):
        alts[name] = _fill_quotes(alt, [], chapter, results, [], f"docs/{src_uri}")
    return alts


def _add_katex(files: Files, config) -> None:
    """KaTeX's stylesheet and fonts: math is rendered at build time, so no KaTeX script is served."""
    if not (KATEX / "katex.min.css").is_file():
        raise PluginError(f"KaTeX is not installed at {runner.relative(KATEX)}; run `npm ci` in the project root")
    wanted = ["katex.min.css"] + [f"fonts/{p.name}" for p in sorted((KATEX / "fonts").iterdir())]
    for name in wanted:
        files.append(File.generated(config, f"assets/katex/{name}", abs_src_path=str(KATEX / name)))


# ----------------------------------------------------------------------------- pages


def _rel(page, target_uri: str) -> str:
    return posixpath.relpath(target_uri, posixpath.dirname(page.file.src_uri) or ".")


def _failure_box(failure: runner.Failure, indent: str = "") -> str:
    body = str(failure).replace("\n", " ")
    return f'{indent}!!! failure "Snippet failed: `{failure.file}`"\n{indent}    `{body}`\n'


class QuoteError(Exception):
    """A quoted value that cannot be filled in; the message says why."""


def quote(ref: str, chapter: str, results: dict) -> str:
    """The text for one `{{ ref }}`: a snippet's recorded value, formatted.

    `ref` is `stem.name[:format]`, or `chapter/stem.name[:format]` for a snippet of
    another chapter when the stem is ambiguous. The format is Python's format spec;
    floats without one are shown with 3 significant digits.
    """
    m = _QUOTE_REF.match(ref)
    if not m:
        raise QuoteError(f"{{{{{ref}}}}}: cannot read it; write {{{{ snippet.name }}}} or {{{{ snippet.name:.3f }}}}")
    folder, stem, name, spec = m.groups()
    if folder:
        candidates = [f"snippets/{folder}/{stem}.py"] if f"snippets/{folder}/{stem}.py" in results else []
    else:
        same_stem = _by_stem(results).get(stem, [])
        candidates = [rel for rel in same_stem if rel.split("/")[-2] == chapter] or same_stem
    if not candidates:
        raise QuoteError(f"{{{{{ref}}}}}: there is no snippet {stem}.py" + (f" in snippets/{folder}/" if folder else ""))
    if len(candidates) > 1:
        raise QuoteError(f"{{{{{ref}}}}}: {stem}.py is ambiguous ({', '.join(sorted(candidates))}); name its chapter")
    result = results[candidates[0]]
    if not result.ok:
        raise QuoteError(f"{{{{{ref}}}}}: {candidates[0]} failed")
    if name not in result.values:
        known = ", ".join(sorted(result.values)) or "none"
        raise QuoteError(f"{{{{{ref}}}}}: {candidates[0]} has no top-level value {name!r} (it has: {known})")
    value = result.values[name]
    if spec is None:
        spec = ".3g" if isinstance(value, float) else ""
    try:
        return format(value, spec)
    except (ValueError, TypeError) as exc:
        raise QuoteError(f"{{{{{ref}}}}}: cannot format {name} = {value!r} with {spec!r} ({exc})") from None


_STEMS: dict = {"results": None, "index": {}}


def _by_stem(results: dict) -> dict[str, list[str]]:
    """Snippet paths by file stem, computed once per set of results (a build quotes hundreds of values)."""
    if _STEMS["results"] is not results:
        index: dict[str, list[str]] = {}
        for rel in results:
            index.setdefault(Path(rel).stem, []).append(rel)
        _STEMS.update(results=results, index=index)
    return _STEMS["index"]


def _fill_quotes(line: str, fence: list, chapter: str, results: dict, errors: list, where: str) -> str:
    """Replace each `{{ ... }}` outside code with its value; `fence` tracks an open code fence."""
    m = _FENCE.match(line)
    if fence:
        if m and m.group(1)[0] == fence[0][0] and len(m.group(1)) >= len(fence[0]):
            fence.clear()
        return line
    if m:
        fence.append(m.group(1))
        return line
    if "{{" not in line:
        return line

    def fill(text: str) -> str:
        def one(q):
            try:
                return quote(q.group(1), chapter, results)
            except QuoteError as exc:
                errors.append(f"{where}: {exc}")
                return "**[value unavailable]**"

        return _QUOTE.sub(one, text)

    pieces, last = [], 0
    for span in _CODE_SPAN.finditer(line):  # code spans show `{{ ... }}` literally
        pieces += [fill(line[last : span.start()]), span.group(0)]
        last = span.end()
    return "".join(pieces + [fill(line[last:])])


def on_page_markdown(markdown: str, page, config, files) -> str:
    src = f"docs/{page.file.src_uri}"
    results = state["results"]
    figures = state["figures"]
    used_failed: dict[str, runner.Failure] = {}
    lines = markdown.splitlines()
    if src.endswith(".md") and re.match(r"-{3}[ \t]*\n", markdown):
        # MkDocs leaves front matter it cannot parse in the text, silently: a colon in a description.
        raise PluginError(f"{src}:1: the front matter is not valid YAML (quote a value that contains ': ')")
    # Line numbers in messages are the file's: count the front matter MkDocs has already removed.
    raw = page.file.content_string
    offset = raw[: len(raw) - len(markdown)].count("\n") if raw.endswith(markdown) else 0
    chapter = Path(page.file.src_uri).stem
    fence: list[str] = []
    quote_errors: list[str] = []
    if src.endswith(".md"):  # notebook pages carry the snippets' outputs, not quotes
        lines = [_fill_quotes(ln, fence, chapter, results, quote_errors, f"{src}:{i}")
                 for i, ln in enumerate(lines, 1 + offset)]
    if quote_errors and state["command"] != "serve":
        raise PluginError("\n".join(quote_errors))
    out = []
    claim_indent = None
    claim_start = 0
    claim_links: list[str] = []

    def close_claim(end_line: int):
        if claim_indent is None:
            return
        if len(claim_links) != 1:
            raise PluginError(
                f"{src}:{claim_start}: a claim box must name exactly one snippet with "
                f"[`file.py`](snippet:<chapter>/<file>.py); it names {len(claim_links)}"
            )

    for number, line in enumerate(lines, start=1 + offset):
        if claim_indent is not None and line.strip() and not line.startswith(claim_indent + "    "):
            close_claim(number)
            claim_indent = None
        m = _CLAIM.match(line)
        if m:
            claim_indent, claim_start, claim_links = m.group(1), number, []

        inc = _INCLUDE.match(line)
        if inc:
            _check_include(src, number, inc.group(2))
            rel = inc.group(2).partition(":")[0]
            if rel in results and not results[rel].ok:
                used_failed[rel] = results[rel].failure
            if rel in results:
                _mark_code(out, line)

        for m in _SNIPPET_LINK.finditer(line):
            rel = f"snippets/{m.group(1)}"
            if rel not in results:
                raise PluginError(f"{src}:{number}: link to snippet {rel!r}, which does not exist")
            if claim_indent is not None:
                claim_links.append(rel)
            if not results[rel].ok:
                used_failed[rel] = results[rel].failure
        line = _SNIPPET_LINK.sub(lambda m: f"]({_rel(page, 'snippets/' + m.group(1))})", line)

        missing = [n for n in _FIGURE_LINK.findall(line) if n not in figures]
        if missing:
            failures = [r.failure for r in results.values() if not r.ok]
            if not failures:
                raise PluginError(f"{src}:{number}: figure {missing[0]!r} is not made by any snippet")
            # A snippet failed (only possible under `mkdocs serve`): show why, never a stale figure.
            mine = [f for f in failures if f.file.startswith(f"snippets/{Path(page.file.src_uri).stem}/")]
            indent = re.match(r"\s*", line).group(0)
            out.extend(_failure_box(f, indent) for f in (mine or failures))
            line = f"{indent}*Figure `{missing[0]}` is missing because a snippet failed.*"
        line = _FIGURE_LINK.sub(lambda m: f"]({_rel(page, 'figures/' + figures[m.group(1)][1].filename)})", line)
        out.append(line)
    close_claim(len(lines) + 1 + offset)

    head = [_failure_box(f) for f in used_failed.values()]
    head += [f'!!! failure "Quoted value unavailable"\n    `{e}`\n' for e in quote_errors]
    slug = Path(page.file.src_uri).stem
    if state["chapters"].get(slug) == page.file.src_uri and f"downloads/{slug}.ipynb" in files.src_uris:
        head.append(_run_it_yourself(page, slug, config))
    if head:
        out = _insert_after_title(out, head)
    return "\n".join(out) + "\n"


def _mark_code(out: list[str], line: str) -> None:
    """Put a marker before the fence that holds an include of a snippet, so that on_page_content can
    tie the blocks together: an excerpt's copy button copies the whole snippet, since the excerpt
    alone would not run."""
    if _FENCE.match(line):  # ```python --8<-- "..." on one line
        at, opener = len(out), line
    else:
        at = next((i for i in range(len(out) - 1, -1, -1) if out[i].strip()), None)
        if at is None or not _FENCE.match(out[at]):
            return  # not in a code block
        opener = out[at]
    rel, _, section = _INCLUDE.match(line).group(2).partition(":")
    indent = opener[: len(opener) - len(opener.lstrip())]
    out[at:at] = [f"{indent}<!-- {'excerpt' if section else 'whole'}: {rel} -->", ""]


_MARKED = re.compile(r'<!-- (excerpt|whole): (snippets/[\w./-]+) -->\s*<div class="([^"]*\bhighlight\b[^"]*)"')


def _tie_excerpts_to_snippets(html: str) -> str:
    """Material's copy button copies a [data-copy] ancestor's text if there is one. An excerpt gets
    its snippet's path (data-copy-whole); javascripts/copy.js copies the page's full block of that
    snippet. If the page has no full block of it, the excerpt carries the whole text itself."""
    shown = set(re.findall(r"<!-- whole: (snippets/[\w./-]+) -->", html))

    def tie(m: re.Match) -> str:
        kind, rel, classes = m.groups()
        if kind == "whole":
            return f'<div class="{classes}" data-snippet="{rel}"'
        attrs = f'class="{classes} excerpt" data-copy-whole="{rel}"'
        if rel not in shown:
            lines = (state["project"] / rel).read_text(encoding="utf-8").splitlines()
            text = "\n".join(ln for ln in lines if not _SECTION_LINE.match(ln)).rstrip()  # as a full listing shows it
            attrs += f' data-copy="{html_escape(text, quote=True)}"'
        return f"<div {attrs}"

    return _MARKED.sub(tie, html)


def colab_url(config, slug: str) -> str | None:
    """Colab's address for a chapter's notebook on the branch the publishing workflow pushes to."""
    m = re.match(r"https://github\.com/([^/]+)/([^/]+?)/?$", config.get("repo_url") or "")
    branch = (config.get("extra") or {}).get("notebooks_branch")
    if not (m and branch):
        return None
    return f"https://colab.research.google.com/github/{m.group(1)}/{m.group(2)}/blob/{branch}/{slug}.ipynb"


def _run_it_yourself(page, slug: str, config) -> str:
    snippets = sorted(state["results"].keys() & {runner.relative(p, state["project"])
                                                 for p in (state["project"] / "snippets" / slug).glob("*.py")})
    links = ", ".join(f"[`{posixpath.basename(rel)}`]({_rel(page, rel)})" for rel in snippets)
    colab = colab_url(config, slug)
    ways = [f"[read it here]({_rel(page, f'notebooks/{slug}.ipynb')}) with this build's outputs",
            f"[download the `.ipynb`]({_rel(page, f'downloads/{slug}.ipynb')})"]
    if colab:
        ways.append(f"[open it in Colab]({colab})")
    return (
        f'!!! notebook "Run it yourself"\n'
        f"    Every figure and check on this page comes from a snippet that runs on its own with numpy, "
        f"matplotlib and torch: {links}. Together they make this chapter's notebook: "
        f"{', '.join(ways[:-1])} or {ways[-1]}, and run it top to bottom.\n"
    )


def _insert_after_title(lines: list[str], blocks: list[str]) -> list[str]:
    for i, line in enumerate(lines):
        if line.startswith("# "):
            return lines[: i + 1] + [""] + blocks + lines[i + 1 :]
    return blocks + lines


def _check_include(src: str, number: int, target: str) -> None:
    """pymdownx.snippets fails on a bad include too, but without the page's line number."""
    path, _, section = target.partition(":")
    file = state["project"] / path
    if not file.is_file():
        raise PluginError(f"{src}:{number}: include of {path!r}, which does not exist")
    if section and not section[0].isdigit():
        names = _SECTION.findall(file.read_text(encoding="utf-8"))
        if section not in names:
            raise PluginError(
                f"{src}:{number}: include of section {section!r} from {path}, which has sections {names or 'none'}"
            )


# nbconvert's page template loads MathJax and Mermaid from a CDN. The site renders notebook
# math with its own KaTeX and has no diagrams, so those script blocks are dropped.
_NBCONVERT_CDN_SCRIPTS = re.compile(
    r'<script src="[^"]*">\s*</script>\s*(?=<!-- MathJax configuration -->)'
    r'|<!-- Load mathjax -->'
    r'|<!-- MathJax configuration -->\s*<script type="text/x-mathjax-config">.*?</script>\s*<!-- End of mathjax configuration -->'
    r'|<script type="module">(?:(?!</script>).)*?mermaid(?:(?!</script>).)*</script>',
    re.S,
)


def on_page_content(html: str, page, config, files) -> str:
    uri = page.file.src_uri
    if uri.startswith("notebooks/") and uri.endswith(".ipynb"):
        html = _NBCONVERT_CDN_SCRIPTS.sub("", html)
        html = _size_figures(re.sub(r'src="figure:([a-z0-9-]+)"', lambda m: f'src="{_figure_url(page, m.group(1), files)}"', html))
        page.meta.setdefault("search", {})["exclude"] = True  # the chapter is the page to find; this repeats its code
        slug = Path(uri).stem
        chapter = state["chapters"].get(slug)
        chapter_link = f'<a href="{_url(page, chapter, files)}">the chapter</a>' if chapter else "the chapter"
        download = _url(page, f"downloads/{slug}.ipynb", files)
        colab = colab_url(config, slug)
        colab_link = f' or <a href="{colab}">open it in Colab</a>' if colab else ""
        return (
            f'<p class="notebook-download">Companion notebook for {chapter_link}. '
            f'<a href="{download}" download>Download the <code>.ipynb</code></a>{colab_link}, '
            f"and run it top to bottom.</p>\n"
            + html
        )
    return _size_figures(_tie_excerpts_to_snippets(html))


_FIGURE_IMG = re.compile(r'<img\b(?![^>]*\bwidth=)([^>]*\bsrc="[^"]*\bfigures/([a-z0-9-]+)\.(?:svg|png)"[^>]*?)\s*/?>')


def _size_figures(html: str) -> str:
    """Give each figure its width and height, so the browser reserves its box before the file
    arrives and nothing below it moves (CSS still scales it to the column), and load it only when it
    nears the screen: fetched with the page, a chapter's figures took the bandwidth a phone needed for
    its first screen (Lighthouse's largest contentful paint on chapter 8: 3.5 s and 4.4 s in two runs
    with them fetched at once, 2.6 s in two runs without)."""
    def sized(m: re.Match) -> str:
        entry = state["figures"].get(m.group(2))
        if entry is None:
            return m.group(0)
        width, height = _figure_size(entry[1].path)
        return f'<img{m.group(1)} width="{width}" height="{height}" loading="lazy" decoding="async">'

    return _FIGURE_IMG.sub(sized, html)


def _figure_size(path: Path) -> tuple[int, int]:
    """CSS pixels: an SVG's width and height (matplotlib writes points), a PNG's pixels."""
    data = path.read_bytes()[:4096]
    if path.suffix == ".png":
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    m = re.search(rb'<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"', data)
    if not m:
        raise PluginError(f"{runner.relative(path)}: cannot read the figure's size")
    return round(float(m.group(1)) * 4 / 3), round(float(m.group(2)) * 4 / 3)


def _figure_url(page, name: str, files: Files) -> str:
    if name not in state["figures"]:
        raise PluginError(f"docs/{page.file.src_uri}: the notebook shows figure {name!r}, which no snippet made")
    return _url(page, f"figures/{state['figures'][name][1].filename}", files)


def _url(page, src_uri: str, files: Files) -> str:
    target = files.get_file_from_path(src_uri)
    return target.url_relative_to(page.file) if target else "#"


# ----------------------------------------------------------------------------- math


# A preload only makes a font arrive early; on a busy phone it can still arrive after the first layout,
# and then every line with a formula in it moves. So the page below the header stays hidden (site.css:
# `.lal-fonts-loading`) until the fonts it uses are loaded, or for at most 3 s, the time Chromium waits
# for a `font-display: block` font anyway. Only this script sets the class, so without JavaScript the
# page shows at once. It runs after the stylesheets, so katex.css's font faces exist to be loaded.
_HOLD_FOR_FONTS = (
    '<script>(function(d,f){if(!f||!f.load)return;d.classList.add("lal-fonts-loading");'
    'function show(){d.classList.remove("lal-fonts-loading")}'
    'Promise.all(SPECS.map(function(s){return f.load(s)})).then(show,show);setTimeout(show,3000)'
    '})(document.documentElement,document.fonts)</script>')


_NAV_LABEL = re.compile(r'<span class="md-ellipsis">[^<]*</span>')
_INLINE_TEX = re.compile(r"\\\(.+?\\\)", re.S)


def on_post_page(output: str, page, config) -> str:
    """Every formula on the page, rendered by KaTeX. A TeX error fails the build with the page, line
    and formula; under `mkdocs serve` the page shows an error box and the formula's source instead."""
    uri = page.file.src_uri
    notebook = uri.startswith("notebooks/") and uri.endswith(".ipynb")
    if notebook:
        output = _notebook_styles_as_files(output, page, config)
    # A heading's formula is typeset in the table of contents too, where Material puts the heading's text
    # (its TeX source, delimiters and all).
    output = _NAV_LABEL.sub(lambda m: _INLINE_TEX.sub(r'<span class="arithmatex">\g<0></span>', m.group(0)), output)
    try:
        output, errors = state["math"].page(output, notebook=notebook)
    except formulas.MathUnavailable as exc:
        raise PluginError(f"docs/{uri}: {exc}") from None
    fonts = formulas.fonts_used(output)
    if fonts:
        # Every KaTeX font the page's formulas use, fetched with the stylesheets rather than when a formula
        # that needs it is first laid out, so no text moves when a font arrives.
        base = posixpath.relpath("assets/katex/fonts", posixpath.dirname(page.url.rstrip("/") + "/index.html") if page.url else ".")
        preload = "".join(f'<link rel="preload" href="{base}/KaTeX_{name}.woff2" as="font" type="font/woff2" crossorigin>'
                          for name in fonts)
        specs = json.dumps([formulas.font_spec(name) for name in fonts], separators=(",", ":"))
        output = output.replace("</head>", preload + _HOLD_FOR_FONTS.replace("SPECS", specs) + "</head>", 1)
    if not errors:
        return output
    source = page.file.content_string if uri.endswith(".md") else ""
    located = []
    for err in errors:
        line = formulas.line_of(err.tex, source) if source else None
        located.append((line or 0, f"docs/{uri}" + (f":{line}" if line else ""), err))
    messages = [f"{where}: TeX error in {err.source()}: {err.message}" for _, where, err in sorted(located, key=lambda t: t[0])]
    if state["command"] != "serve":
        raise PluginError("\n".join(messages))
    log.error("\n".join(messages))
    box = ('<div class="admonition failure"><p class="admonition-title">TeX error</p>'
           + "".join(f"<p><code>{html_escape(m)}</code></p>" for m in messages) + "</div>")
    return output.replace('<article class="md-content__inner md-typeset">',
                          '<article class="md-content__inner md-typeset">' + box, 1)


_INLINE_STYLE = re.compile(r'\s*<style(?: type="text/css")?>(.*?)</style>', re.S)


def _notebook_styles_as_files(output: str, page, config) -> str:
    """mkdocs-jupyter inlines JupyterLab's stylesheets (over 0.5 MB) into every notebook page. Serve
    each as one file instead, named by its content, linked from the page's head: the browser fetches
    it once for all the notebooks, and the pages shrink by that much."""
    links = []

    def move(m: re.Match) -> str:
        css = m.group(1).strip().encode("utf-8")
        rel = f"assets/notebook/{hashlib.sha256(css).hexdigest()[:12]}.css"
        target = Path(config["site_dir"]) / rel
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(css)
        href = posixpath.relpath(rel, posixpath.dirname(page.url.rstrip("/") + "/index.html") if page.url else ".")
        links.append(f'<link rel="stylesheet" href="{href}">')
        return ""

    output = _INLINE_STYLE.sub(move, output)
    return output.replace("</head>", "".join(links) + "</head>", 1) if links else output


def on_post_build(config) -> None:
    _close_math()


def on_build_error(error) -> None:
    _close_math()


def _close_math() -> None:
    renderer = state.pop("math", None)
    if renderer is not None:
        renderer.close()
        if renderer.rendered:
            log.info(f"KaTeX rendered {renderer.rendered} new formula(s)")
