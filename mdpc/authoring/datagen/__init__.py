"""Seeded generators of the data of the cases (one module per assignment) and of the lessons."""

from __future__ import annotations

import pandas as pd


def csv_text(table: pd.DataFrame) -> str:
    """A table as the generators write it (no index, « \\n » line ends): a session's data are written the same way."""
    return table.to_csv(index=False, lineterminator="\n")
