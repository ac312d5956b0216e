"""Every claim's check can fail: each claim box has a wrong-math mutant, and the mutant fails an assert."""

from __future__ import annotations

import pytest

from conftest import ROOT
from hooks import mutants

CLAIMS = mutants.claim_boxes(ROOT / "docs")
TABLE = mutants.load_table(ROOT / "tests" / "mutations.toml")


def test_every_claim_box_on_the_site_has_a_mutant():
    assert len(CLAIMS) >= 12
    missing = mutants.uncovered(TABLE, CLAIMS)
    assert not missing, "claim boxes with no row in tests/mutations.toml:\n" + "\n".join(map(str, missing))


@pytest.mark.parametrize("row", TABLE, ids=[m.id for m in TABLE])
def test_each_row_names_one_claim_box_and_changes_one_non_assert_place_in_its_snippet(row):
    claim = mutants.claim_of(row, CLAIMS)
    assert len(claim.snippets) == 1, f"{claim} names {len(claim.snippets)} snippets"
    source = (ROOT / claim.snippets[0]).read_text(encoding="utf-8")
    assert mutants.mutate(source, row) != source


def test_a_change_to_an_assert_line_is_refused():
    source = "x = 1\nassert x == 1, (\n    'one')\n"
    row = mutants.Mutant(1, "p.md", "c", "'one'", "'two'", "edits the check itself")
    with pytest.raises(ValueError, match="changes line 3, an assert"):
        mutants.mutate(source, row)
    with pytest.raises(ValueError, match="occurs 0 times"):
        mutants.mutate(source, mutants.Mutant(2, "p.md", "c", "y = 2", "y = 3", "not there"))


def test_a_mutant_the_asserts_cannot_see_is_reported_as_surviving(tmp_path):
    docs = tmp_path / "docs"
    (docs).mkdir()
    (tmp_path / "snippets" / "demo").mkdir(parents=True)
    (tmp_path / "snippets" / "demo" / "half.py").write_text(
        '"""Half of four is two."""\nhalf = 4 / 2\nprint(half)\nassert half == 2, "half of four"\n'
    )
    (docs / "demo.md").write_text(
        '# Demo\n\n!!! claim "Half of four is two"\n\n    Checked by [`half.py`](snippet:demo/half.py).\n'
    )
    claims = mutants.claim_boxes(docs)
    rows = [mutants.Mutant(1, "demo.md", "Half", "4 / 2", "4 / 3", "wrong divisor"),
            mutants.Mutant(2, "demo.md", "Half", "print(half)", "print(half * 3)", "changes only what is shown"),
            mutants.Mutant(3, "demo.md", "Half", "4 / 2", "4 / 0", "divides by zero")]
    outcomes = mutants.run(rows, claims, project=tmp_path)
    assert [o.verdict for o in outcomes] == ["killed", "survived", "broken"]
    mutants.record(outcomes, len(claims), [], 2.0, path=tmp_path / "record.md")
    text = (tmp_path / "record.md").read_text()
    assert "| 3 | 1 | 1 | 1 | 1 | 0 | 2 s |" in text
    assert "| `demo#2` | survived |" in text and "| `demo#3` | broken |" in text and "demo#1`" not in text


def first_row_of_each_claim_box(table: list[mutants.Mutant]) -> list[mutants.Mutant]:
    """The suite's sample of the table: each claim box's first row, so every box's check is shown to fail
    on every run. `python -m hooks.mutants` runs every row (the record: hooks/mutants-results.md)."""
    first: dict[mutants.Claim, mutants.Mutant] = {}
    for row in table:
        first.setdefault(mutants.claim_of(row, CLAIMS), row)
    return list(first.values())


SAMPLE = first_row_of_each_claim_box(TABLE)


def test_the_sample_has_one_row_for_every_claim_box():
    assert len(SAMPLE) == len(CLAIMS) and {mutants.claim_of(m, CLAIMS) for m in SAMPLE} == set(CLAIMS)


# The sample, run once: the group keeps these tests on one worker, and session scope keeps the result
# while that worker runs tests of other modules in between (a module fixture would be set up again).
@pytest.fixture(scope="session")
def outcomes():
    return {o.mutant.id: o for o in mutants.run(SAMPLE, CLAIMS)}


@pytest.mark.xdist_group("mutants")
@pytest.mark.parametrize("row", SAMPLE, ids=[m.id for m in SAMPLE])
def test_the_mutant_makes_its_snippet_fail_an_assert(row, outcomes):
    outcome = outcomes[row.id]
    assert outcome.verdict == "killed", str(outcome)
