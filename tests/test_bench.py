"""The bench's page weight counts what a first visit transfers: text gzipped as a static host sends it."""

from __future__ import annotations

import gzip
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))
from hooks.bench import page_weights  # noqa: E402


def test_page_weight_counts_linked_files_once_gzipping_only_text(tmp_path):
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    css = ("p { color: red }\n" * 2000).encode()
    png = bytes(range(256)) * 40
    (site / "style.css").write_bytes(css)
    (site / "fig.png").write_bytes(png)
    html = ('<link rel="stylesheet" href="../style.css"><img src="../fig.png"><img src="../fig.png">'
            '<img src="data:image/png;base64,AAAA"><script src="https://elsewhere.invalid/x.js"></script>')
    (site / "a" / "index.html").write_text(html)
    (site / "index.html").write_text("<p>home</p>")
    weights = page_weights(site)
    sent, raw = weights["a/"]
    assert raw == len(html.encode()) + len(css) + len(png), "each linked file once, data: and remote skipped"
    assert sent == len(gzip.compress(html.encode(), 6, mtime=0)) + len(gzip.compress(css, 6, mtime=0)) + len(png)
    assert sent - len(png) < (raw - len(png)) / 5, "text is counted compressed, the image as it is"
    assert weights["./"][1] == len(b"<p>home</p>")
