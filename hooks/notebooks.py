"""Assemble a chapter's companion notebook from its snippets and the runner's outputs.

jupytext turns each percent-format snippet into cells; the outputs the runner
already captured (stdout, stderr, figures, per cell) are attached to the
matching code cells, so building a notebook executes nothing.
"""

from __future__ import annotations

import ast
import base64
import hashlib
import html
import re
from pathlib import Path

import jupytext
import nbformat

from hooks.runner import Result

_SECTION_MARKER = re.compile(r"^\s*# -+8<-+ \[(start|end):[^\]]*\]\s*$")


def _norm(source: str) -> str:
    lines = source.splitlines()
    if lines and lines[0].startswith("# %%"):
        lines = lines[1:]
    return "\n".join(lines).strip()


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not _SECTION_MARKER.match(line)).strip()


def docstring(path: Path) -> str:
    """A snippet's docstring: its first line says what it shows or proves."""
    return (ast.get_docstring(ast.parse(Path(path).read_text(encoding="utf-8"))) or "").strip()


def _only_docstring(source: str) -> bool:
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return False
    return len(body) == 1 and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)


def _outputs(run_cell: dict, figures: list, linked: dict | None) -> list:
    """A cell's outputs. Figures are embedded (a downloaded notebook stands alone), or, for the
    notebook page, shown as an image that links the site's own file: `linked` maps a figure's name
    to its alt text, and the hook turns `figure:<name>` into the file's address."""
    outs = []
    for stream in ("stdout", "stderr"):
        if run_cell.get(stream):
            outs.append(nbformat.v4.new_output("stream", name=stream, text=run_cell[stream]))
    for fig in figures:
        if linked is not None:
            alt = html.escape(linked.get(fig.name) or f"Figure {fig.name}", quote=True)
            bundle = {"text/html": f'<img src="figure:{fig.name}" alt="{alt}">', "text/plain": f"<Figure '{fig.name}'>"}
            outs.append(nbformat.v4.new_output("display_data", data=bundle, metadata={}))
            continue
        data = fig.path.read_bytes()
        if fig.ext == "svg":
            bundle = {"image/svg+xml": data.decode("utf-8"), "text/plain": f"<Figure '{fig.name}'>"}
        else:
            bundle = {"image/png": base64.b64encode(data).decode("ascii"), "text/plain": f"<Figure '{fig.name}'>"}
        outs.append(nbformat.v4.new_output("display_data", data=bundle, metadata={}))
    return outs


def build(slug: str, title: str, snippets: list[tuple[Path, Result]], linked: dict | None = None) -> str:
    """Return the notebook for one chapter as JSON text (deterministic); `linked`: see _outputs."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# {title}: companion notebook\n\n"
            f"Each section below is one file from `snippets/{slug}/`, exactly as it ran when the site "
            "was built; the outputs shown are from that run. Every `assert` is a claim from the chapter. "
            "Run it top to bottom in a fresh kernel with the packages in `requirements.txt`."
        )
    ]
    count = 0
    for path, result in snippets:
        # The docstring becomes the section's prose rather than a code cell that does nothing.
        # The file name as plain text: mkdocs-jupyter's table of contents drops inline code.
        cells.append(nbformat.v4.new_markdown_cell(f"## {path.name}\n\n{docstring(path)}"))
        parsed = jupytext.reads(path.read_text(encoding="utf-8"), fmt="py:percent")
        run_cells = list(enumerate(result.cells))
        pointer = 0
        for cell in parsed.cells:
            if cell.cell_type != "code":
                cells.append(nbformat.v4.new_markdown_cell(cell.source))
                continue
            target = _norm(cell.source)
            match = None
            for j in range(pointer, len(run_cells)):
                if _norm(run_cells[j][1]["source"]) == target:
                    match, pointer = run_cells[j], j + 1
                    break
            code = _strip_markers(cell.source)
            if not code or _only_docstring(code):
                continue
            count += 1
            new = nbformat.v4.new_code_cell(code, execution_count=count)
            if match is not None:
                index, run_cell = match
                new.outputs = _outputs(run_cell, [f for f in result.figures if f.cell == index], linked)
                for out in new.outputs:
                    if out.output_type == "execute_result":
                        out.execution_count = count
            cells.append(new)
    for i, cell in enumerate(cells):
        cell.id = f"{slug}-{i:03d}"
    nb.cells = cells
    nbformat.validate(nb)
    return nbformat.writes(nb)


def write(slug: str, title: str, snippets: list[tuple[Path, Result]], target: Path, linked: dict | None = None) -> None:
    """Write the chapter's notebook to target, unless the same inputs already produced it.

    The inputs are the snippets' result keys (which cover their bytes and outputs), their
    order, the title, the figures' alt texts and this file, so a warm build does not
    re-assemble anything.
    """
    key = hashlib.sha256(Path(__file__).read_bytes())
    key.update(repr((slug, title, [(p.name, r.key) for p, r in snippets], sorted((linked or {}).items()) if linked is not None else None)).encode())
    stamp = target.with_suffix(".key")
    if target.is_file() and stamp.is_file() and stamp.read_text() == key.hexdigest():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(build(slug, title, snippets, linked), encoding="utf-8")
    stamp.write_text(key.hexdigest())
