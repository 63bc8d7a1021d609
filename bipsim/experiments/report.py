"""A self-contained HTML report: text, tables and PNG plots in one file.

Plots are embedded as base64 ``data:`` URIs and the style sheet is inline, so the
file can be mailed to colleagues and opened offline in any browser.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
.sub { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { padding: 0.3em 0.7em; border-bottom: 1px solid #e4e4e4; vertical-align: top; }
th { background: #f4f4f4; }
.num { text-align: right; white-space: nowrap; }
.txt { text-align: left; }
img { max-width: 100%; border: 1px solid #eee; }
.note { color: #555; font-size: 0.9em; }
footer { margin-top: 3em; color: #777; font-size: 0.85em; }
"""


#: A cell that reads as a number, possibly with an interval and a unit: right-aligned.
#: Units as :mod:`bipsim.formatting` writes them, English and Danish.
_NUMBER = re.compile(r"[-+]?[\d.,]+(e[-+]?\d+)?"
                     r"( ?(%|pp|pct\.-point|mio\. DKK|mio\. kr\.|DKK|kr\.))?"
                     r"( \([-+\d., ]+to[-+\d., ]+\))?|-|nan")


@dataclass
class Section:
    """One part of the report, shown in this order: heading, text, table, image.

    Attributes:
        title: Heading.
        text: Paragraphs separated by blank lines (plain text, escaped).
        table: A table to show; cells are shown as text, NaN as ``-``.
        image: PNG bytes.
        caption: Shown below the image or table.
    """

    title: str
    text: str = ""
    table: pd.DataFrame | None = None
    image: bytes | None = None
    caption: str = ""


def html_page(title: str, subtitle: str, sections: Sequence[Section], footer: str = "") -> str:
    """The whole report as one HTML document."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{html.escape(title)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{html.escape(title)}</h1>", f'<p class="sub">{html.escape(subtitle)}</p>']
    for section in sections:
        parts.append(f"<h2>{html.escape(section.title)}</h2>")
        parts.extend(_paragraphs(section.text))
        if section.table is not None:
            parts.append(html_table(section.table))
        if section.image is not None:
            data = base64.b64encode(section.image).decode("ascii")
            parts.append(f'<img alt="{html.escape(section.title)}" '
                         f'src="data:image/png;base64,{data}">')
        if section.caption:
            parts.append(f'<p class="note">{html.escape(section.caption)}</p>')
    if footer:
        parts.append(f"<footer>{html.escape(footer)}</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def html_table(frame: pd.DataFrame) -> str:
    """A table with numbers right-aligned and words left-aligned, cells escaped."""
    cells = frame.astype(object).where(frame.notna(), "-").astype(str)
    numeric = {column: bool(cells[column].str.fullmatch(_NUMBER).all())
               for column in cells.columns}
    head = "".join(f'<th class="{"num" if numeric[c] else "txt"}">{html.escape(str(c))}</th>'
                   for c in cells.columns)
    rows = ["<tr>" + "".join(f'<td class="{"num" if numeric[c] else "txt"}">'
                             f"{html.escape(v)}</td>" for c, v in row.items()) + "</tr>"
            for _, row in cells.iterrows()]
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _paragraphs(text: str) -> list[str]:
    return [f"<p>{html.escape(block.strip())}</p>" for block in text.split("\n\n")
            if block.strip()]
