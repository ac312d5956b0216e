"""Math rendered at build time: every formula on a page becomes KaTeX's HTML and MathML, so
readers' browsers run no math JavaScript.

The pages hold formulas in pymdownx.arithmatex's generic form, `<span class="arithmatex">\\(...\\)</span>`
and `<div class="arithmatex">\\[...\\]</div>`; notebook pages hold them as `$...$` and `$$...$$` in their
Markdown cells. `Renderer.page()` replaces each with KaTeX's output. Formulas are rendered by one Node
process per build (hooks/katex_render.js, started at the first formula the cache does not have) and
cached in `.cache/katex/` by KaTeX's version, the options and the TeX, so a warm build starts no
Node process at all.

KaTeX runs with `throwOnError` and `strict: "error"`: TeX that LaTeX would reject (an unknown
macro, a stray `%` that would comment out the rest of the formula) is an error, reported with
the formula so the hook can name the page and line.
"""

from __future__ import annotations

import hashlib
import html as html_lib
import json
import os
import re
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).with_name("katex_render.js")
KATEX_PACKAGE = ROOT / "node_modules" / "katex" / "package.json"
# KaTeX's default output: HTML to look at and MathML for screen readers.
OPTIONS = {"output": "htmlAndMathml", "throwOnError": True, "strict": "error", "trust": False}

_ARITHMATEX = re.compile(r'<(span|div) class="arithmatex">(.*?)</\1>', re.S)
_NOTEBOOK_MARKDOWN = re.compile(r'(<div class="jp-RenderedHTMLCommon jp-RenderedMarkdown[^"]*"[^>]*>)(.*?)(</div>)', re.S)
_TAG = re.compile(r"(<[^>]+>)")
_DOLLARS = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<![\s\\])\$(?!\d)", re.S)


class MathUnavailable(Exception):
    """KaTeX cannot be run: Node.js or the npm packages are missing."""


@dataclass(frozen=True)
class MathError:
    tex: str
    display: bool
    message: str

    def source(self) -> str:
        return f"$${self.tex}$$" if self.display else f"${self.tex}$"


def katex_version() -> str:
    if not KATEX_PACKAGE.is_file():
        raise MathUnavailable(f"KaTeX is not installed at {KATEX_PACKAGE.parent}; run `npm ci` in the project root")
    return json.loads(KATEX_PACKAGE.read_text(encoding="utf-8"))["version"]


class Renderer:
    """Turns the formulas of one build's pages into KaTeX HTML, through a cache and one Node process."""

    def __init__(self, cache_dir: Path):
        self.cache_file = Path(cache_dir) / "formulas.json"
        self.prefix = json.dumps([katex_version(), OPTIONS], sort_keys=True)
        try:
            self.cache: dict[str, str] = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.cache = {}
        self.used: set[str] = set()
        self.node: subprocess.Popen | None = None
        self.rendered = 0  # formulas Node rendered in this build (0 in a warm build)

    # ------------------------------------------------------------------ rendering

    def _key(self, tex: str, display: bool) -> str:
        return hashlib.sha256(f"{self.prefix}\0{int(display)}\0{tex}".encode()).hexdigest()[:32]

    def _render_missing(self, formulas: list[tuple[str, bool]]) -> dict[tuple[str, bool], dict]:
        """Render the formulas the cache lacks with the build's one Node process (started on first need)."""
        if not formulas:
            return {}
        if self.node is None:
            try:
                self.node = subprocess.Popen(
                    ["node", str(SCRIPT), json.dumps(OPTIONS)],
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, encoding="utf-8",
                )
            except FileNotFoundError:
                raise MathUnavailable(
                    f"{len(formulas)} formula(s) are not in the cache and Node.js is not on PATH to render them "
                    "with KaTeX; install Node.js and run `npm ci` in the project root"
                ) from None
        requests = "".join(json.dumps({"tex": t, "display": d}) + "\n" for t, d in formulas)
        # A thread writes every request while this one reads the replies, so neither pipe fills up.
        writer = threading.Thread(target=self._send, args=(requests,), daemon=True)
        writer.start()
        replies: dict[tuple[str, bool], dict] = {}
        for formula in formulas:
            answer = self.node.stdout.readline()
            if not answer:
                raise MathUnavailable(f"the KaTeX process (hooks/{SCRIPT.name}) stopped unexpectedly; run `npm ci`")
            replies[formula] = json.loads(answer)
        writer.join()
        self.rendered += len(formulas)
        return replies

    def _send(self, requests: str) -> None:
        self.node.stdin.write(requests)
        self.node.stdin.flush()

    def _render_all(self, formulas: list[tuple[str, bool]]) -> dict[tuple[str, bool], str | MathError]:
        out: dict[tuple[str, bool], str | MathError] = {}
        missing = []
        for tex, display in dict.fromkeys(formulas):
            key = self._key(tex, display)
            if key in self.cache:
                out[(tex, display)] = self.cache[key]
                self.used.add(key)
            else:
                missing.append((tex, display))
        for (tex, display), reply in self._render_missing(missing).items():
            if "html" in reply:
                key = self._key(tex, display)
                self.cache[key] = out[(tex, display)] = reply["html"]
                self.used.add(key)
            else:
                out[(tex, display)] = MathError(tex, display, reply["error"])
        return out

    def page(self, text: str, notebook: bool = False) -> tuple[str, list[MathError]]:
        """Replace every formula in a page's HTML; return the new HTML and the formulas KaTeX rejected."""
        formulas: list[tuple[str, bool]] = []

        def collect(tex: str, display: bool) -> str:
            formulas.append((tex, display))
            return f"\0{len(formulas) - 1}\0"

        def arithmatex(m: re.Match) -> str:
            body = html_lib.unescape(m.group(2)).strip()
            display = body.startswith("\\[")
            tag = m.group(1)
            return f'<{tag} class="arithmatex">{collect(body[2:-2].strip(), display)}</{tag}>'

        text = _ARITHMATEX.sub(arithmatex, text)
        if notebook:
            text = _NOTEBOOK_MARKDOWN.sub(lambda m: m.group(1) + _dollars(m.group(2), collect) + m.group(3), text)
        if not formulas:
            return text, []
        rendered = self._render_all(formulas)
        errors: list[MathError] = []

        def fill(m: re.Match) -> str:
            tex, display = formulas[int(m.group(1))]
            result = rendered[(tex, display)]
            if isinstance(result, MathError):
                errors.append(result)
                return (f'<code class="math-error" title="{html_lib.escape(result.message)}">'
                        f"{html_lib.escape(result.source())}</code>")
            return result

        text = re.sub(r"\0(\d+)\0", fill, text)
        return text, list(dict.fromkeys(errors))

    # ------------------------------------------------------------------ end of build

    def close(self) -> None:
        """Stop Node and keep the formulas this build used (the cache does not grow without bound)."""
        if self.node is not None:
            self.node.stdin.close()
            self.node.wait(timeout=30)
            self.node = None
        keep = {k: self.cache[k] for k in sorted(self.used)}
        try:
            current = json.loads(self.cache_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            current = None
        if keep == current:
            return
        self.cache_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.cache_file.parent, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(keep, f, separators=(",", ":"))
        os.replace(tmp, self.cache_file)


def _dollars(fragment: str, collect) -> str:
    """`$...$` and `$$...$$` in the text of a notebook's Markdown cell, outside code."""
    pieces, in_code = [], 0
    for piece in _TAG.split(fragment):
        if piece.startswith("<"):
            name = re.match(r"</?\s*(\w+)", piece)
            if name and name.group(1).lower() in ("code", "pre"):
                in_code += -1 if piece.startswith("</") else 1
            pieces.append(piece)
        elif in_code or "$" not in piece:
            pieces.append(piece)
        else:
            pieces.append(_DOLLARS.sub(
                lambda m: collect(html_lib.unescape(m.group(1) if m.group(1) is not None else m.group(2)).strip(),
                                  m.group(1) is not None),
                piece,
            ))
    return "".join(pieces)


# Which of KaTeX's fonts a page's formulas use, from the classes in KaTeX's HTML (katex.min.css maps
# these classes to font families). Main-Regular is used by nearly every formula.
_CLASS_ATTR = re.compile(r'class="([^"]*)"')
_FONT_CLASSES = {
    "Math-Italic": {"mathnormal"},
    "Math-BoldItalic": {"boldsymbol"},
    "Main-Bold": {"mathbf", "textbf"},
    "Main-Italic": {"mathit", "textit"},
    "AMS-Regular": {"amsrm", "mathbb", "textbb"},
    "Caligraphic-Regular": {"mathcal"},
    "Fraktur-Regular": {"mathfrak", "textfrak"},
    "Script-Regular": {"mathscr", "textscr"},
    "SansSerif-Regular": {"mathsf", "textsf"},
    "Typewriter-Regular": {"mathtt", "texttt"},
    "Size1-Regular": {"small-op", "delim-size1"},
    "Size2-Regular": {"large-op"},
    "Size4-Regular": {"delim-size4"},
}


def fonts_used(html: str) -> list[str]:
    """The KaTeX font files (names without extension, e.g. "Size1-Regular") that the rendered math in
    `html` needs, so a page can preload them: a font that arrives after the first layout moves text.
    A sized delimiter is `delimsizing sizeN` (a bare `sizeN` is a font size, not a font)."""
    if 'class="katex"' not in html:
        return []
    fonts = {"Main-Regular"}
    for attr in set(_CLASS_ATTR.findall(html)):
        classes = set(attr.split())
        fonts.update(font for font, marks in _FONT_CLASSES.items() if classes & marks)
        if "delimsizing" in classes:
            fonts.update(f"Size{n}-Regular" for n in "1234" if f"size{n}" in classes)
    return sorted(fonts)


def font_spec(name: str) -> str:
    """The CSS font shorthand that selects KaTeX's font file `name`, for `document.fonts.load`:
    "Math-Italic" is "italic 1em KaTeX_Math", "Main-BoldItalic" is "italic bold 1em KaTeX_Main"
    (katex.css names each family KaTeX_<part before the dash> and sets weight and style by the rest)."""
    family, variant = name.split("-")
    return ("italic " if "Italic" in variant else "") + ("bold " if "Bold" in variant else "") + f"1em KaTeX_{family}"


def line_of(tex: str, source: str) -> int | None:
    """The line of a page's source where a formula is written, if it can be found.

    Quoted values (`{{ ... }}`) are filled in before rendering, so a formula holding one is
    looked up by its longest piece free of digits.
    """
    for needle in [tex] + sorted(re.split(r"[-+.\d]*\d[\d.]*", tex), key=len, reverse=True)[:1]:
        needle = needle.strip()
        if len(needle) >= 3 or needle == tex:
            at = source.find(needle)
            if at >= 0:
                return source.count("\n", 0, at) + 1
    return None
