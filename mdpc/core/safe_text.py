"""Text from records made inert where people read it: HTML, Markdown and CSV for a spreadsheet.

Candidates' and graders' names, comments, incident messages, the session, the place, the jury's members and
the referent's advice are data: a report, the minutes, the grading form or a CSV file must show them as
text, never let them become markup, a link, an image to fetch or a spreadsheet formula. Every place that
builds HTML, Markdown or CSV for people from such a value goes through this module, and only through it:

- :func:`html_text`: text inside HTML (element content or a quoted attribute value);
- :func:`md_text`: text inside Markdown (headings, lists, emphasis, table cells) rendered by nbconvert,
  formgrader or JupyterLab: every character that Markdown, raw HTML or MathJax could read as syntax is
  written as a numeric character reference, which every Markdown renderer shows as that character;
- :func:`csv_cell`, :func:`csv_frame`, :func:`write_csv`: a CSV cell that a spreadsheet would read as a
  formula (it starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) gets a leading apostrophe
  (OWASP, « CSV injection »); numbers stay numbers, a negative number included.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is not imported for the text functions: nbgrader reads this module through its
    import pandas as pd  # configuration at every start (0.4 s)

# ASCII characters that Markdown (CommonMark, GFM tables, nbconvert's math) or raw HTML could read as syntax
_MARKDOWN_SYNTAX = re.compile(r"[\\`*_{}\[\]()#+\-.!|<>&~$^=:\"']")
_NEWLINES = re.compile(r"\r\n|\r|\n")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and their full-width forms
LEADING_SPACE = " \u00a0\u3000"  # a spreadsheet may skip them before a formula


def html_text(value: object) -> str:
    """`value` as text inside HTML: ``& < > " '`` escaped (safe in element content and quoted attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def md_text(value: object, lines: bool = False) -> str:
    """`value` as literal text inside Markdown: it can open no tag, link, image, emphasis, heading, list,
    table cell or formula. Line breaks become spaces, or ``<br>`` with `lines` (multi-line comments)."""
    text = _MARKDOWN_SYNTAX.sub(lambda m: f"&#{ord(m.group())};", "" if value is None else str(value))
    return _NEWLINES.sub("<br>" if lines else " ", text)


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet reads as the text it is: a string starting like a formula gets a leading
    apostrophe; anything else (numbers, negative ones included, empty values) is returned as it is."""
    if isinstance(value, str) and value.lstrip(LEADING_SPACE).startswith(FORMULA_START):
        return "'" + value
    return value


def csv_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A copy of `table` whose cells and column names are neutralised by :func:`csv_cell`."""
    out = table.map(csv_cell) if not table.empty else table.copy()
    return out.rename(columns=csv_cell)


def write_csv(table: pd.DataFrame, path: str | Path, **kwargs) -> None:
    """Write a CSV file for people (opened in a spreadsheet): `;` separated, UTF-8 with a BOM, no index,
    every cell neutralised (:func:`csv_frame`); other `to_csv` options pass through."""
    options = {"index": False, "sep": ";", "encoding": "utf-8-sig", **kwargs}
    csv_frame(table).to_csv(path, **options)
