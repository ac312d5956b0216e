"""Mutants: every claim box's check must be able to fail.

    python -m hooks.mutants                      # every row of tests/mutations.toml
    python -m hooks.mutants --only why-mse-blurs # the rows of one chapter
    python -m hooks.mutants --record             # every row; rewrite hooks/mutants-results.md

Each claim box names the snippet that asserts it. The table `tests/mutations.toml` gives,
for every claim box, at least one wrong-math change to that snippet (a dropped ½, a wrong
constant, swapped arguments, the wrong tail) on a line that is not an `assert`. This module
applies each change to a copy of the snippet, runs all copies in parallel through the
runner, and reports each mutant as killed (an assert failed, as it must), survived (the
snippet still passed: its check cannot see that error) or broken (it failed some other way).
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

from hooks import runner

TABLE = runner.ROOT / "tests" / "mutations.toml"
RECORD = runner.ROOT / "hooks" / "mutants-results.md"
DOCS = runner.ROOT / "docs"
_CLAIM = re.compile(r'^(\s*)[!?]{3}\+?\s+claim\s+"(.*)"\s*$')
_SNIPPET_LINK = re.compile(r"\]\(snippet:([A-Za-z0-9_./-]+)\)")


@dataclass(frozen=True)
class Claim:
    page: str  # path under docs/, e.g. "idea/why-mse-blurs.md"
    line: int
    title: str
    snippets: tuple[str, ...]  # the snippet links in the box, as snippets/<chapter>/<file>.py

    def __str__(self) -> str:
        return f"docs/{self.page}:{self.line}: claim {self.title!r}"


@dataclass(frozen=True)
class Mutant:
    index: int  # position in the table, from 1
    page: str
    claim: str  # the start of the claim box's title
    replace: str
    by: str
    why: str

    @property
    def id(self) -> str:
        return f"{Path(self.page).stem}#{self.index}"


def claim_boxes(docs: Path = DOCS) -> list[Claim]:
    """Every claim box in the Markdown sources, with the snippets its body links to."""
    claims = []
    for md in sorted(docs.rglob("*.md")):
        lines = md.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            m = _CLAIM.match(line)
            if not m:
                continue
            indent, links = m.group(1) + "    ", []
            for body in lines[number:]:
                if body.strip() and not body.startswith(indent):
                    break
                links += [f"snippets/{s}" for s in _SNIPPET_LINK.findall(body)]
            claims.append(Claim(md.relative_to(docs).as_posix(), number, m.group(2), tuple(links)))
    return claims


def load_table(path: Path = TABLE) -> list[Mutant]:
    rows = tomllib.loads(path.read_text(encoding="utf-8")).get("mutant", [])
    mutants = []
    for i, row in enumerate(rows, start=1):
        missing = {"page", "claim", "replace", "by", "why"} - set(row)
        if missing:
            raise ValueError(f"{runner.relative(path)}: mutant {i} lacks {', '.join(sorted(missing))}")
        mutants.append(Mutant(i, row["page"], row["claim"], row["replace"], row["by"], row["why"]))
    return mutants


def claim_of(mutant: Mutant, claims: list[Claim]) -> Claim:
    """The one claim box a row is about: on its page, with a title that starts with its `claim`."""
    found = [c for c in claims if c.page == mutant.page and c.title.startswith(mutant.claim)]
    if len(found) != 1:
        raise ValueError(f"mutant {mutant.id}: {len(found)} claim boxes on docs/{mutant.page} "
                         f"have a title starting with {mutant.claim!r}; it must name exactly one")
    return found[0]


def assert_lines(source: str) -> set[int]:
    """The lines that belong to an `assert` statement."""
    lines: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assert):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def mutate(source: str, mutant: Mutant) -> str:
    """The source with the row's change applied; ValueError if the change is ambiguous or touches an assert."""
    count = source.count(mutant.replace)
    if count != 1:
        raise ValueError(f"mutant {mutant.id}: {mutant.replace!r} occurs {count} times in the snippet; it must occur once")
    if mutant.replace == mutant.by:
        raise ValueError(f"mutant {mutant.id}: replacing a text by itself changes nothing")
    start = source.index(mutant.replace)
    first = source.count("\n", 0, start) + 1
    last = first + mutant.replace.count("\n")
    touched = set(range(first, last + 1)) & assert_lines(source)
    if touched:
        raise ValueError(f"mutant {mutant.id}: it changes line {min(touched)}, an assert; mutate the math, not the check")
    return source.replace(mutant.replace, mutant.by)


@dataclass
class Outcome:
    mutant: Mutant
    claim: Claim
    verdict: str  # "killed", "survived" or "broken"
    failure: runner.Failure | None

    def __str__(self) -> str:
        what = f"{self.verdict.upper():8} {self.mutant.id} ({self.claim.snippets[0]}): {self.mutant.why}"
        return what + (f"\n         {self.failure}" if self.failure and self.verdict != "killed" else "")


def run(mutants: list[Mutant], claims: list[Claim], *, project: Path = runner.ROOT, jobs: int | None = None,
        timeout: float = runner.DEFAULT_TIMEOUT) -> list[Outcome]:
    """Apply every row to a copy of its claim's snippet and run all copies through the runner."""
    with tempfile.TemporaryDirectory(prefix="mutants-") as tmp:
        root = Path(tmp)
        planned = []
        for m in mutants:
            claim = claim_of(m, claims)
            if len(claim.snippets) != 1:
                raise ValueError(f"{claim} names {len(claim.snippets)} snippets; a claim box names exactly one")
            snippet = project / claim.snippets[0]
            target = root / snippet.parent.name / f"{snippet.stem}.mutant{m.index}.py"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(mutate(snippet.read_text(encoding="utf-8"), m), encoding="utf-8")
            planned.append((m, claim, target.relative_to(root).as_posix()))
        results = runner.run_snippets(sorted(root.glob("*/*.py")), root / ".cache", root=root, jobs=jobs,
                                      timeout=timeout)
    outcomes = []
    for m, claim, rel in planned:
        failure = results[rel].failure
        verdict = "survived" if failure is None else "killed" if failure.kind == "AssertionError" else "broken"
        outcomes.append(Outcome(m, claim, verdict, failure))
    return outcomes


def uncovered(mutants: list[Mutant], claims: list[Claim]) -> list[Claim]:
    """Claim boxes that no row of the table mutates."""
    covered = set()
    for m in mutants:
        try:
            covered.add(claim_of(m, claims))
        except ValueError:
            pass
    return [c for c in claims if c not in covered]


def record(outcomes: list[Outcome], boxes: int, missing: list[Claim], seconds: float, path: Path | None = None) -> None:
    """The record the "How this site is built" page includes: what the last run of the whole table found."""
    import os

    from hooks.seeds import _commit

    count = {v: sum(o.verdict == v for o in outcomes) for v in ("killed", "survived", "broken")}
    text = (
        f"Measured by `python -m hooks.mutants --record` at {_commit()}, on {os.cpu_count()} cores, in one run.\n\n"
        f"| Rows | Claim boxes | Killed | Survived | Broken | Boxes without a row | Wall time |\n"
        f"|---:|---:|---:|---:|---:|---:|---:|\n"
        f"| {len(outcomes)} | {boxes} | {count['killed']} | {count['survived']} | {count['broken']} "
        f"| {len(missing)} | {seconds:.0f} s |\n"
    )
    bad = [o for o in outcomes if o.verdict != "killed"]
    if bad or missing:
        text += "\n| Row | Verdict |\n|---|---|\n" + "".join(f"| `{o.mutant.id}` | {o.verdict} |\n" for o in bad)
        text += "".join(f"| {c} | no row |\n" for c in missing)
    (path or RECORD).write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hooks.mutants", description=__doc__.split("\n\n")[0])
    parser.add_argument("--table", type=Path, default=TABLE)
    parser.add_argument("--only", help="only the rows for this chapter's page (its slug)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--record", action="store_true", help=f"rewrite {runner.relative(RECORD)} (whole table only)")
    args = parser.parse_args(argv)
    claims = claim_boxes()
    mutants = load_table(args.table)
    if args.only:
        mutants = [m for m in mutants if Path(m.page).stem == args.only]
        claims_shown = [c for c in claims if Path(c.page).stem == args.only]
    else:
        claims_shown = claims
    if args.record and args.only:
        parser.error("--record records the whole table; drop --only")
    started = time.perf_counter()
    outcomes = run(mutants, claims, jobs=args.jobs)
    seconds = time.perf_counter() - started
    for o in outcomes:
        print(o)
    missing = uncovered(load_table(args.table), claims_shown)
    for c in missing:
        print(f"NO ROW   {c}")
    killed = sum(o.verdict == "killed" for o in outcomes)
    print(f"{killed} of {len(outcomes)} mutants killed; {len(missing)} claim boxes without a row")
    if args.record:
        record(outcomes, len(claims_shown), missing, seconds)
    return 0 if killed == len(outcomes) and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
