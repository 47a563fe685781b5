"""Data shown as text: ``ui.components.plain`` and the HTML tooltip of the supplier map.

The browser proof is ``tests/e2e/test_accounts_journey.py::test_imported_text_is_shown_as_text``;
these are the fast checks of the same rules.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest

from ui.charts import supplier_map
from ui.components import WORD_JOINER, plain

WJ = WORD_JOINER


@pytest.mark.parametrize(("value", "shown"), [
    ("Maple & Thread", "Maple & Thread"),  # ordinary punctuation stays as it is
    ("Noble Knit S.A. (VN), Ltd.", "Noble Knit S.A. (VN), Ltd."),
    ("[Verify your account](http://evil.example)",
     f"\\[Verify your account\\](http{WJ}\\://evil.example)"),
    ("![x](http://127.0.0.1:9/p.png)", f"!\\[x\\](http{WJ}\\://127.0.0.1\\:9/p.png)"),
    ("www.evil.example or a@b.example", f"www{WJ}.evil.example or a{WJ}@b.example"),
    ("**bold** _it_ `code` ~s~ | # $x$",
     "\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\~s\\~ \\| \\# \\$x\\$"),
    (":red[x] :material/home:", f"\\:red\\[x\\] \\:{WJ}material/home\\:"),
    ("<img src=x onerror=alert(1)>", "\\<img src=x onerror=alert(1)\\>"),
    ("R&amp;D", "R\\&amp;D"),
    ("1. first", "1\\. first"), ("- item", "\\- item"), ("+ item", "\\+ item"),
    ("two\n\n    lines\tand tabs ", "two lines and tabs"),
])
def test_plain_escapes_what_markdown_would_act_on(value, shown):
    assert plain(value) == shown


def test_the_supplier_maps_html_tooltip_gets_escaped_names():
    frame = pd.DataFrame({"lat": [10.0], "lng": [106.0],
                          "name": ["<img src=http://127.0.0.1:9/p.png>Knit & Co"],
                          "country": ["<b>VN</b>"], "workers": [500.0],
                          "compliance_pct": [80.0],
                          "latest_assessed_on": [pd.Timestamp("2026-01-05")]})
    spec = json.loads(supplier_map(frame).to_json())
    data = spec["layers"][0]["data"][0]
    assert data["name"] == "&lt;img src=http://127.0.0.1:9/p.png&gt;Knit &amp; Co"
    assert data["country"] == "&lt;b&gt;VN&lt;/b&gt;"
    assert "<img" not in json.dumps(spec["layers"])
