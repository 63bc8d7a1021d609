"""The README's parameter table is the one the code declares."""

from __future__ import annotations

from pathlib import Path

from bipsim.parameters import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_parameter_table_is_current():
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- params:start")
    block = text[text.index("\n", start) + 1 : text.index("<!-- params:end -->")].strip()
    assert block == markdown_table(), "run `python tools/readme_params.py`"
