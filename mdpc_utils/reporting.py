"""Batch production of reports: results JSON → papermill-executed notebook → HTML, plus the cohort CSV."""

from __future__ import annotations

import contextlib
import json
import os
import re
from pathlib import Path

import nbformat
import papermill as pm
from nbconvert import HTMLExporter
from tqdm import tqdm

from .reports import CANDIDATE_TEMPLATE
from .results import cohort_table, criterion_success


def to_html(executed: Path, target: Path, title: str) -> None:
    nb = nbformat.read(executed, as_version=4)
    nb.metadata["title"] = title
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    target.write_text(re.sub(r"<html[^>]*>", '<html lang="fr">', body, count=1), encoding="utf-8")


@contextlib.contextmanager
def kernel_stderr_to(log: Path):
    """Send what kernels print on stderr (connection warnings) to a log file, not the coordinator's screen."""
    log.parent.mkdir(parents=True, exist_ok=True)
    saved = os.dup(2)
    with open(log, "a", encoding="utf-8") as fh:
        os.dup2(fh.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def candidate_report(record_path: Path, cohort_path: Path | None, out_dir: Path, kernel: str = "python3") -> dict:
    """Execute the template for one candidate; return the paths written (or the error, in French)."""
    rec = json.loads(record_path.read_text(encoding="utf-8"))
    sid = rec["candidat"]["id"]
    executed = out_dir / f"rapport_{sid}.ipynb"
    html = out_dir / f"rapport_{sid}.html"
    try:
        pm.execute_notebook(str(CANDIDATE_TEMPLATE), str(executed), kernel_name=kernel, progress_bar=False,
                            parameters={"resultats": str(record_path.resolve()),
                                        "cohorte": str(cohort_path.resolve()) if cohort_path else ""},
                            cwd=str(out_dir))
        to_html(executed, html, f"Relevé de résultats — {rec['candidat']['nom']}")
    except Exception as exc:  # one failed report never stops the batch
        return {"candidat": sid, "erreur": f"rapport non produit : {exc.__class__.__name__} : {str(exc)[:300]}"}
    return {"candidat": sid, "carnet": executed, "html": html}


def build_reports(records: list[dict], out_dir: Path, progress: bool = True) -> tuple[list[dict], Path]:
    """Write results JSON, one report per candidate and the cohort CSVs into out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / "resultats"
    data_dir.mkdir(exist_ok=True)
    cohort_path = data_dir / "cohorte.json"
    cohort_path.write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    paths = []
    for rec in records:
        p = data_dir / f"{rec['candidat']['id']}.json"
        p.write_text(json.dumps(rec, ensure_ascii=False, indent=1), encoding="utf-8")
        paths.append(p)
    outputs = []
    for p in tqdm(paths, desc="Rapports individuels", unit="candidat", disable=not progress):
        with kernel_stderr_to(out_dir / "journal_noyaux.log"):
            outputs.append(candidate_report(p, cohort_path, out_dir))
    csv = out_dir / "cohorte_decisions.csv"
    cohort_table(records).to_csv(csv, index=False, sep=";", encoding="utf-8-sig")
    criterion_success(records).to_csv(out_dir / "cohorte_reussite_criteres.csv", index=False, sep=";",
                                      encoding="utf-8-sig", float_format="%.1f")
    return outputs, csv
