"""A chapter's companion notebook, as downloaded from the built site, runs top to bottom in a fresh kernel.

The suite runs a sample: the notebooks re-run every snippet the standalone test has just run, and
all of them took a quarter of the suite's time. `pytest tests/test_notebooks.py --all-notebooks`
runs every one (the publish workflow does, before it pushes them for Colab).

Not grouped with the other site tests, so the notebooks spread over both workers; each
worker builds the site once (the file lock in conftest makes the second build a warm one).
"""

from __future__ import annotations

import zlib

import nbformat
import pytest

from conftest import SNIPPETS

CHAPTERS = sorted({p.parent.name for p in SNIPPETS})
# About a third of the chapters, chosen by name (today the cheat sheet's many torch losses, the VGG
# features of the perceptual chapter, and two others).
SAMPLE = [slug for slug in CHAPTERS if zlib.crc32(slug.encode()) % 3 == 1]


def pytest_generate_tests(metafunc):
    if "slug" in metafunc.fixturenames:
        metafunc.parametrize("slug", CHAPTERS if metafunc.config.getoption("all_notebooks") else SAMPLE)


def test_the_sample_is_about_a_third_of_the_notebooks():
    assert len(CHAPTERS) >= 12 and len(CHAPTERS) // 4 <= len(SAMPLE) <= len(CHAPTERS) // 2, SAMPLE


def test_companion_notebook_runs_top_to_bottom_in_a_fresh_kernel(slug, built_site, tmp_path, monkeypatch):
    from nbclient import NotebookClient

    # The kernel inherits these: one torch thread per worker (two workers share two cores), and
    # figures are made but not drawn (the site build drew every one of them already).
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    monkeypatch.setenv("MPLBACKEND", "Agg")

    nb = nbformat.read(built_site / "downloads" / f"{slug}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    assert not list(tmp_path.iterdir()), "the notebook writes no files"
