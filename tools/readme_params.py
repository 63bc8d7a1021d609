"""Rewrite the README's parameter table from the packaged table ``bipsim/parameters.yaml``.

    python tools/readme_params.py

``tests/test_docs.py`` fails when the README and the code disagree.
"""

from __future__ import annotations

from pathlib import Path

from bipsim.parameters import markdown_table

README = Path(__file__).resolve().parents[1] / "README.md"
START, END = "<!-- params:start", "<!-- params:end -->"


def main() -> None:
    text = README.read_text(encoding="utf-8")
    head = text[: text.index("\n", text.index(START)) + 1]
    tail = text[text.index(END):]
    README.write_text(head + markdown_table() + "\n" + tail, encoding="utf-8")


if __name__ == "__main__":
    main()
