"""The cheat sheet has one row for every loss class of the installed torch, and every row's link lands.

The loss classes are found by introspection, never from a typed list: every class exported by
`torch.nn` that subclasses `torch.nn.modules.loss._Loss`, plus every other `nn.Module` exported
with "Loss" in its name (`AdaptiveLogSoftmaxWithLoss`). A row's link target is checked against
the heading ids Python-Markdown gives the target page with the site's own `markdown_extensions`
(so the same `toc` slugify and `{ #id }` attributes as the built site).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import markdown
import pytest
import yaml

from conftest import ROOT

DOCS = ROOT / "docs"
PAGE = DOCS / "reference" / "cheat-sheet.md"

_ROW = re.compile(r"^\|\s*(?:`|\*\*)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:`|\*\*)\s*\|")
_LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def torch_loss_classes(nn=None) -> set[str]:
    """Names of the loss classes `torch.nn` exports, found by introspection."""
    if nn is None:
        from torch import nn
    from torch.nn.modules.loss import _Loss

    names = set()
    for name in dir(nn):
        obj = getattr(nn, name)
        if name.startswith("_") or not inspect.isclass(obj):
            continue
        if (issubclass(obj, _Loss) and obj is not _Loss) or (
            issubclass(obj, nn.Module) and "Loss" in name
        ):
            names.add(name)
    return names


def table_rows(text: str) -> list[tuple[str, str]]:
    """(class name, link target of the last cell) for each row of the page's first table."""
    section = text.split("## The table", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        match = _ROW.match(line)
        if match:
            last_cell = line.rstrip().rstrip("|").rsplit("|", 1)[1]
            link = _LINK.search(last_cell)
            rows.append((match["name"], link["target"] if link else ""))
    return rows


def missing_and_extra(classes: set[str], rows: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    named = {name for name, _ in rows}
    return sorted(classes - named), sorted(named - classes)


def _site_markdown() -> markdown.Markdown:
    """Python-Markdown configured with the site's extensions (minus file includes)."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)
    extensions, configs = [], {}
    for entry in config["markdown_extensions"]:
        name, options = next(iter(entry.items())) if isinstance(entry, dict) else (entry, {})
        if name == "pymdownx.snippets":
            continue
        if name == "toc" and "slugify" in (options or {}):
            pytest.fail("mkdocs.yml sets a custom toc slugify: teach this test to load it")
        extensions.append(name)
        configs[name] = options or {}
    return markdown.Markdown(extensions=extensions, extension_configs=configs)


def heading_ids(page: Path) -> set[str]:
    md = _site_markdown()
    md.convert(page.read_text(encoding="utf-8"))

    def walk(tokens):
        for token in tokens:
            yield token["id"]
            yield from walk(token["children"])

    return set(walk(md.toc_tokens))


def link_problems(rows: list[tuple[str, str]], page: Path = PAGE) -> list[str]:
    """One message per row whose link is missing, or whose page or anchor does not exist."""
    problems, ids = [], {}
    for name, target in rows:
        if not target:
            problems.append(f"{name}: the row links to no section")
            continue
        path, _, anchor = target.partition("#")
        dest = (page.parent / path).resolve() if path else page
        if not dest.is_file():
            problems.append(f"{name}: {target} names a page that does not exist")
            continue
        if not anchor:
            continue  # a page link (chapters still being written): the page exists
        if dest not in ids:
            ids[dest] = heading_ids(dest)
        if anchor not in ids[dest]:
            problems.append(f"{name}: {target} names an anchor that {dest.name} does not have")
    return problems


@pytest.fixture(scope="module")
def rows() -> list[tuple[str, str]]:
    return table_rows(PAGE.read_text(encoding="utf-8"))


def test_introspection_finds_the_losses_torch_is_known_to_have():
    classes = torch_loss_classes()
    # not the list under test: a floor that shows the introspection sees both kinds of loss
    assert {"MSELoss", "CrossEntropyLoss", "NLLLoss2d", "AdaptiveLogSoftmaxWithLoss"} <= classes
    assert "Module" not in classes and "_Loss" not in classes


def test_every_loss_class_of_the_installed_torch_has_a_row(rows):
    missing, _ = missing_and_extra(torch_loss_classes(), rows)
    assert not missing, f"no cheat-sheet row for: {', '.join(missing)}"


def test_every_row_names_a_loss_class_the_installed_torch_has(rows):
    _, extra = missing_and_extra(torch_loss_classes(), rows)
    assert not extra, f"rows for classes torch.nn does not have: {', '.join(extra)}"


def test_no_class_has_two_rows(rows):
    names = [name for name, _ in rows]
    assert len(names) == len(set(names)), f"repeated rows: {sorted({n for n in names if names.count(n) > 1})}"


def test_every_row_links_to_a_section_that_exists(rows):
    problems = link_problems(rows)
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------------------- the checks can fail


def test_a_loss_class_torch_adds_is_reported_by_name(rows, monkeypatch):
    from torch import nn
    from torch.nn.modules.loss import _Loss

    class MadeUpLoss(_Loss):
        pass

    monkeypatch.setattr(nn, "MadeUpLoss", MadeUpLoss, raising=False)
    missing, extra = missing_and_extra(torch_loss_classes(), rows)
    assert missing == ["MadeUpLoss"] and not extra


def test_a_row_for_a_class_torch_does_not_have_is_reported(rows):
    _, extra = missing_and_extra(torch_loss_classes(), rows + [("GhostLoss", "#ctcloss")])
    assert extra == ["GhostLoss"]


def test_a_broken_page_or_anchor_is_reported():
    text = PAGE.read_text(encoding="utf-8")
    broken = text.replace("(#ctcloss)", "(#no-such-section)", 1).replace(
        "(../losses/mse.md#", "(../losses/no-such-page.md#", 1
    )
    problems = link_problems(table_rows(broken))
    assert any(p.startswith("CTCLoss:") and "anchor" in p for p in problems), problems
    assert any(p.startswith("GaussianNLLLoss:") and "page" in p for p in problems), problems
    assert len(problems) == 2, problems


def test_headings_get_the_ids_the_built_site_gives_them():
    ids = heading_ids(DOCS / "losses" / "cross-entropy.md")
    assert "pass-logits-the-log-sum-exp-and-bcelosss-clamp" in ids  # backticks and ' dropped
    assert "why-huber-uses-1345" in heading_ids(DOCS / "idea" / "noise-models.md")  # { #id }
