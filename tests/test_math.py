"""Math is rendered at build time by KaTeX (hooks/formulas.py): pages carry HTML and MathML and no
math script; a TeX error fails the build with the page and line; a warm build needs no Node."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import ROOT, build, line_of, replace

sys.path.insert(0, str(ROOT))
from hooks import formulas  # noqa: E402



def test_formulas_are_html_and_mathml_and_no_math_script_is_served(fixture_site):
    result = build(fixture_site)
    assert result.returncode == 0, result.stderr
    site = fixture_site / "site"
    page = (site / "demo" / "index.html").read_text()
    assert "\\(" not in page and "\\[" not in page, "no TeX left for a script to typeset"
    inline = re.search(r'<span class="arithmatex"><span class="katex">(.*?)</span></span>\s*, and', page, re.S)
    assert inline and "<math" in inline.group(1), "inline math has MathML for screen readers"
    assert '<annotation encoding="application/x-tex">y = 2.0\\,x</annotation>' in page, "a quoted value inside math"
    assert re.search(r'<div class="arithmatex"><span class="katex-display">', page), "display math"
    assert page.count('class="katex"') == 2
    notebook = (site / "notebooks" / "demo" / "index.html").read_text()
    assert '<annotation encoding="application/x-tex">y = 2x</annotation>' in notebook, "math in a notebook's Markdown"
    assert "$y = 2x$" not in notebook
    scripts = [p.name for p in site.rglob("*.js")]
    assert not [s for s in scripts if "katex" in s or "auto-render" in s], scripts
    assert not re.search(r"<script[^>]*katex", page)
    assert (site / "assets" / "katex" / "katex.min.css").is_file() and list((site / "assets" / "katex" / "fonts").glob("*.woff2"))


def test_a_warm_build_needs_no_node_and_a_new_formula_does(fixture_site, tmp_path):
    assert build(fixture_site).returncode == 0
    first = (fixture_site / "site" / "demo" / "index.html").read_bytes()
    # A PATH with Python but not Node: the warm build takes every formula from the cache.
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "git").symlink_to(shutil.which("git"))
    env = {"PATH": f"{bare}{os.pathsep}{Path(sys.executable).parent}"}
    result = build(fixture_site, **env)
    assert result.returncode == 0, result.stderr
    assert (fixture_site / "site" / "demo" / "index.html").read_bytes() == first, "same page from the cache"
    page = fixture_site / "docs/demo.md"
    replace(page, "\\frac{n(n+1)}{2}", "\\frac{n(n+1)}{2} = \\binom{n+1}{2}")
    result = build(fixture_site, **env)
    assert result.returncode != 0
    assert "docs/demo/" in result.stderr or "docs/demo.md" in result.stderr, result.stderr
    assert "Node.js is not on PATH" in result.stderr and "npm ci" in result.stderr, result.stderr
    assert build(fixture_site).returncode == 0, "with Node the new formula renders"
    assert "binom" in (fixture_site / "site" / "demo" / "index.html").read_text()


def test_each_tex_error_fails_the_build_with_page_line_and_formula(fixture_site):
    page = fixture_site / "docs/demo.md"
    replace(page, "\\frac{n(n+1)}{2}", "\\frac{n(n+1)}{2")                                   # unclosed brace
    replace(page, "and a sum has", "and $\\fracc{1}{2}$ a sum has")                          # unknown macro
    replace(page, "$y = {{ line_plot.slope:.1f }}\\,x$", "$y = {{ line_plot.slope:.0% }}\\,x$")  # % comments out the rest
    result = build(fixture_site)
    assert result.returncode != 0
    err = result.stderr
    assert f"docs/demo.md:{line_of(page, '{n(n+1)}{2')}: TeX error in $$" in err and "KaTeX parse error" in err, err
    assert f"docs/demo.md:{line_of(page, 'fracc')}: TeX error in $\\fracc{{1}}{{2}}$" in err, err
    assert "Undefined control sequence: \\fracc" in err, err
    assert f"docs/demo.md:{line_of(page, 'slope:.0%')}: TeX error in $y = 200%\\,x$" in err and "% comment" in err, err


def test_the_cache_key_covers_the_katex_version_the_options_and_the_mode(tmp_path, monkeypatch):
    renderer = formulas.Renderer(tmp_path)
    key = renderer._key("x^2", False)
    assert key != renderer._key("x^2", True) and key != renderer._key("x^3", False)
    monkeypatch.setattr(formulas, "katex_version", lambda: "0.0.0")
    assert formulas.Renderer(tmp_path)._key("x^2", False) != key, "a new KaTeX renders everything anew"
    monkeypatch.setattr(formulas, "OPTIONS", {**formulas.OPTIONS, "output": "html"})
    monkeypatch.setattr(formulas, "katex_version", lambda: renderer.prefix and formulas.json.loads(renderer.prefix)[0])
    assert formulas.Renderer(tmp_path)._key("x^2", False) != key, "new options render everything anew"


def test_notebook_dollars_skip_code_and_escaped_dollars():
    seen = []

    def collect(tex, display):
        seen.append((tex, display))
        return "<M>"

    html = "<p>Cost $5 and $x^2$, code <code>$a$</code>, $$\\int f$$ and \\$3.</p>"
    out = formulas._dollars(html, collect)
    assert seen == [("x^2", False), ("\\int f", True)], seen
    assert "<code>$a$</code>" in out and "Cost $5 and <M>" in out


def test_a_page_preloads_the_katex_fonts_its_formulas_use():
    from hooks.formulas import fonts_used

    assert fonts_used("<p>no math</p>") == []
    page = ('<span class="katex"><span class="mord mathnormal">x</span>'
            '<span class="sizing reset-size6 size3 mtight">2</span>'       # a font size, not the Size3 font
            '<span class="mopen delimsizing size3">(</span>'               # a \bigg delimiter: the Size3 font
            '<span class="mop op-symbol large-op">&sum;</span>'
            '<span class="mord mathbb">R</span><span class="mord mathcal">L</span></span>')
    assert fonts_used(page) == ["AMS-Regular", "Caligraphic-Regular", "Main-Regular", "Math-Italic",
                                "Size2-Regular", "Size3-Regular"]
    assert fonts_used('<span class="katex"><span class="sizing reset-size6 size3 mtight">2</span></span>') == ["Main-Regular"]


def test_the_font_a_page_waits_for_is_the_face_katex_css_declares_for_that_file():
    """The page waits (document.fonts.load) for each preloaded file by a CSS font shorthand; a wrong
    weight or style would load, and wait for, a different file than the one that moves the text."""
    css = (ROOT / "node_modules" / "katex" / "dist" / "katex.css").read_text(encoding="utf-8")
    faces = re.findall(r'@font-face\s*{[^}]*font-family:\s*"([^"]+)";[^}]*?KaTeX_([A-Za-z0-9]+-[A-Za-z]+)\.woff2'
                       r'[^}]*font-weight:\s*(\w+);\s*font-style:\s*(\w+);', css)
    assert len(faces) >= 20, len(faces)
    for family, name, weight, style in faces:
        expected = ("italic " if style == "italic" else "") + ("bold " if weight == "bold" else "") + f"1em {family}"
        assert formulas.font_spec(name) == expected, (name, formulas.font_spec(name), expected)
