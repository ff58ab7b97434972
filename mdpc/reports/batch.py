"""Batch production of reports with papermill, in parallel across the machine's cores.

papermill has no parallel mode, and kernels started at once by several processes collide on TCP ports
(papermill #511: a port is chosen free, then taken by another process before the kernel binds it). Here
each worker process owns one kernel that talks over IPC (Unix sockets named after its own connection
file), so no port is ever chosen, and keeps it warm for all the reports it renders: papermill runs each
report through the ``mdpc-chaud`` engine registered below, which executes the parameterized notebook in
that kernel after clearing the previous report's variables. Kernel start and imports are paid once per
worker instead of once per report. One failed report is reported and does not stop the others.

The PDF is rendered by WeasyPrint with :class:`DataOnlyFetcher`: only ``data:`` URLs (the report's own
charts) are read, never a ``file:`` or network URL that a name or a comment might carry, so nothing from the
host or the network can end up in a report. The CSV files go through :func:`mdpc.core.safe_text.write_csv`.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import papermill as pm
from nbconvert import HTMLExporter
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger as pm_logger
from tqdm import tqdm

from mdpc.core.cohort import cohort_table, criterion_success_csv, minutes_csv
from mdpc.core.record import CandidateRecord
from mdpc.core.safe_text import html_text, write_csv
from mdpc.core.similarity import SimilarPair
from mdpc.core.similarity_text import pairs_table
from mdpc.grading import kernel_channels  # noqa: F401  (nbclient stall with widgets: see the module)
from mdpc.grading.privacy import make_private
from mdpc.reports import CANDIDATE_TEMPLATE, COHORT_TEMPLATE, HTML_TEMPLATES, MINUTES_TEMPLATE, SELF_CONTAINED

ENGINE = "mdpc-chaud"
SHARED_FOLDER = "diffusion"  # inside the reports folder: what may circulate outside the jury (no name)
_KERNEL = None  # this worker's warm kernel manager


@dataclass
class Job:
    """One report: a template, its parameters, where it goes."""

    key: str
    template: Path
    parameters: dict
    out_dir: Path
    stem: str
    title: str
    pdf: bool = True
    outputs: dict = field(default_factory=dict)


def _start_kernel(kernel_name: str = "python3"):
    import tempfile

    from jupyter_client import KernelManager

    # IPC sockets under a folder of this process's own: two workers can never pick the same endpoint
    sockets = Path(tempfile.mkdtemp(prefix="mdpc-noyau-")) / "noyau"
    km = KernelManager(kernel_name=kernel_name, transport="ipc", ip=str(sockets))
    km.start_kernel(stderr=open(os.devnull, "w"))  # noqa: SIM115 — kept open for the kernel's life
    return km


def _warm_kernel(kernel_name: str = "python3"):
    """This process's kernel and client, started once and restarted only if the kernel died."""
    global _KERNEL
    if _KERNEL is None or not _KERNEL[0].is_alive():
        _stop_kernel()
        km = _start_kernel(kernel_name)
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=120)
        _KERNEL = (km, kc)
        multiprocessing.util.Finalize(None, _stop_kernel, exitpriority=10)
    return _KERNEL


def _stop_kernel():
    global _KERNEL
    if _KERNEL is not None:
        km, kc = _KERNEL
        with contextlib.suppress(Exception):
            kc.stop_channels()
        with contextlib.suppress(Exception):
            km.shutdown_kernel(now=True)
        sockets = Path(str(km.ip)).parent
        if sockets.name.startswith("mdpc-noyau-"):  # the folder of this kernel's IPC sockets, ours alone
            shutil.rmtree(sockets, ignore_errors=True)
        _KERNEL = None


RESET = "get_ipython().run_line_magic('reset', '-f')\nimport matplotlib.pyplot as _p\n_p.close('all')\ndel _p"


class WarmClient(PapermillNotebookClient):
    """papermill's client, on a kernel that outlives it: the previous report's variables are cleared first."""

    def papermill_execute_cells(self):
        self.kc.execute_interactive(RESET, timeout=60, output_hook=lambda msg: None)
        return super().papermill_execute_cells()


class WarmKernelEngine(NBClientEngine):
    """papermill engine: run the notebook in this process's warm IPC kernel."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        km, kc = _warm_kernel(kernel_name)
        client = WarmClient(nb_man, km=km, timeout=execution_timeout, startup_timeout=start_timeout,
                            kernel_name=kernel_name, log=pm_logger, log_output=log_output,
                            stdout_file=stdout_file, stderr_file=stderr_file)
        client.kc = kc
        return client.execute(cleanup_kc=False)


papermill_engines.register(ENGINE, WarmKernelEngine)


def to_html(nb, target: Path, title: str) -> str:
    """The report's page, self-contained: nbconvert's lab layout without require.js, MathJax, Mermaid or the
    widgets' renderer, which it would fetch from public CDNs when a jury member opens the page."""
    nb.metadata["title"] = title
    exporter = HTMLExporter(template_name=SELF_CONTAINED, extra_template_basedirs=[str(HTML_TEMPLATES)],
                            exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    body = re.sub(r"<html[^>]*>", '<html lang="fr">', body, count=1)
    target.write_text(body, encoding="utf-8")
    return body


PRINT_CSS = """@page { size: A4; margin: 14mm; @bottom-right { content: "page " counter(page) " / " counter(pages);
font-size: 8pt; } }
body { font-family: 'DejaVu Sans', sans-serif; font-size: 9.5pt; line-height: 1.35; }
table { border-collapse: collapse; width: 100%; font-size: 8.5pt; margin: 4pt 0; }
th, td { border-bottom: 1px solid #bbb; padding: 3px 5px; text-align: left; vertical-align: top; }
img { max-width: 100%; } h1 { font-size: 16pt; } h2 { font-size: 13pt; margin-top: 14pt; } h3 { font-size: 11pt; }
.anchor-link { display: none; } pre { white-space: pre-wrap; }"""


def data_only_fetcher():
    """A WeasyPrint URL fetcher that reads ``data:`` URLs only: any other (``file:``, ``http:``…) is refused
    before anything is opened, and listed in its ``refused`` attribute; WeasyPrint leaves the resource out."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    class DataOnlyFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if not url.strip().lower().startswith("data:"):
                self.refused.append(url)
                raise URLFetchingError(f"adresse refusée (seules les données data: sont lues) : {url[:80]}")
            return super().fetch(url, headers)

    return DataOnlyFetcher()


def to_pdf(nb, pdf_path: Path, title: str) -> str | None:
    """Render the report to PDF with WeasyPrint, from a light print layout (not the screen HTML); only
    ``data:`` URLs are read (:func:`data_only_fetcher`).

    Returns a French reason when it cannot be done on this machine (WeasyPrint needs Pango)."""
    try:
        import logging

        from weasyprint import HTML

        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)
    except (ImportError, OSError) as exc:
        return f"PDF non produit (WeasyPrint indisponible : {exc.__class__.__name__})"
    exporter = HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    page = (f"<!DOCTYPE html><html lang='fr'><head><meta charset='utf-8'><title>{html_text(title)}</title>"
            f"<style>{PRINT_CSS}</style></head><body>{body}</body></html>")
    HTML(string=page, url_fetcher=data_only_fetcher()).write_pdf(str(pdf_path))
    return None


def run_job(job: Job, engine: str = ENGINE) -> dict:
    """Execute one report; the result says what was written, or the error in French."""
    executed = job.out_dir / f"{job.stem}.ipynb"
    html = job.out_dir / f"{job.stem}.html"
    try:
        nb = pm.execute_notebook(str(job.template), str(executed), parameters=job.parameters, engine_name=engine,
                                 kernel_name="python3", progress_bar=False, cwd=str(job.out_dir))
        to_html(nb, html, job.title)
        out = {"cle": job.key, "carnet": executed, "html": html}
        if job.pdf:
            pdf = job.out_dir / f"{job.stem}.pdf"
            problem = to_pdf(nb, pdf, job.title)
            if problem:
                out["avertissement"] = problem
            else:
                out["pdf"] = pdf
        return out
    except Exception as exc:  # one failed report never stops the batch
        return {"cle": job.key, "erreur": f"rapport non produit : {exc.__class__.__name__} : {str(exc)[:300]}"}


def run_jobs(jobs: list[Job], workers: int | None = None, progress: bool = True) -> list[dict]:
    """Run the jobs on a pool of worker processes, each with its warm kernel; results in job order."""
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs)))
    results: dict[str, dict] = {}
    bar = tqdm(total=len(jobs), desc="Rapports", unit="rapport", disable=not progress)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = {pool.submit(run_job, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            try:
                results[job.key] = future.result()
            except Exception as exc:  # a worker that died: the others go on
                results[job.key] = {"cle": job.key, "erreur": f"rapport non produit : {exc.__class__.__name__} : {exc}"}
            bar.update()
    bar.close()
    return [results[j.key] for j in jobs]


def build_reports(records: list[CandidateRecord], out_dir: Path, progress: bool = True, workers: int | None = None,
                  double: list[dict] | None = None, session: str = "", minutes: dict | None = None,
                  pdf: bool = True, anonymise: bool = False, similar: list[SimilarPair] | None = None) -> dict:
    """Everything for a cohort: one report per candidate, the cohort report, the jury minutes and the CSVs.

    `minutes`: what the minutes show besides the records (:func:`mdpc.core.minutes.build_context`: the
    certification's identity, the jury and its composition, access routes, lateness rule, date and place).

    With `anonymise`, a second cohort report names no candidate (pseudonyms « copie 1 »…), for circulation
    outside the jury, in a folder of its own (``diffusion/``, apart from every named file), and lists no similar pair (`similar`: copies that look alike, for the jury only; they are
    in ``similitudes.csv`` and the cohort report, never in a candidate's own report). The output folder is made private to its owner (personal data).

    Re-running overwrites the same files: the batch is idempotent. Returns what was written (or the error)
    for each candidate, the cohort report and the minutes, and the CSV paths.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    data_dir = out_dir / "resultats"
    data_dir.mkdir(exist_ok=True)
    session = session or (records[0].session if records else "Session")
    cohort_path = data_dir / "cohorte.json"
    cohort_path.write_text(json.dumps([r.to_json() for r in records], ensure_ascii=False, indent=1), encoding="utf-8")
    double_path = data_dir / "double_correction.json"
    double_path.write_text(json.dumps(double or [], ensure_ascii=False, indent=1), encoding="utf-8")
    similar_path = data_dir / "similitudes.json"
    similar_path.write_text(json.dumps([p.to_json() for p in similar or []], ensure_ascii=False, indent=1),
                            encoding="utf-8")
    context_path = data_dir / "pv_contexte.json"  # the certification, the jury, access routes (mdpc.core.minutes)
    context_path.write_text(json.dumps(minutes or {}, ensure_ascii=False, indent=1), encoding="utf-8")
    context = str(context_path.resolve())
    jobs = []
    for rec in records:
        sid = rec.id
        p = data_dir / f"{sid}.json"
        p.write_text(json.dumps(rec.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        jobs.append(Job(sid, CANDIDATE_TEMPLATE, {"resultats": str(p.resolve()), "cohorte": str(cohort_path.resolve()),
                                                  "contexte": context},
                        out_dir, f"rapport_{sid}", f"Relevé de résultats — {rec.candidate.name}", pdf))
    cohort_parameters = {"cohorte": str(cohort_path.resolve()), "double_correction": str(double_path.resolve()),
                         "session": session, "anonyme": False, "similitudes": str(similar_path.resolve()),
                         "contexte": context}
    jobs.append(Job("cohorte", COHORT_TEMPLATE, cohort_parameters, out_dir, "rapport_cohorte",
                    f"Rapport de cohorte — {session}", pdf))
    if anonymise:  # for circulation outside the jury: a folder of its own, apart from the named files
        (out_dir / SHARED_FOLDER).mkdir(exist_ok=True)
        jobs.append(Job("cohorte_anonyme", COHORT_TEMPLATE, {**cohort_parameters, "anonyme": True},
                        out_dir / SHARED_FOLDER, "rapport_cohorte_anonyme", f"Rapport de cohorte — {session}", pdf))
    minutes = minutes or {}
    jobs.append(Job("pv", MINUTES_TEMPLATE, {"cohorte": str(cohort_path.resolve()), "session": session,
                                             "contexte": context},
                    out_dir, "pv_jury", f"Procès-verbal du jury — {session}", pdf))
    results = run_jobs(jobs, workers, progress)
    csv = out_dir / "cohorte_decisions.csv"
    write_csv(cohort_table(records), csv)
    write_csv(criterion_success_csv(records), out_dir / "cohorte_reussite_criteres.csv", float_format="%.1f")
    write_csv(minutes_csv(records, minutes.get("voies_acces")), out_dir / "pv_jury.csv")
    write_csv(pairs_table(similar or []), out_dir / "similitudes.csv")
    make_private(out_dir)
    by_key = {r["cle"]: r for r in results}
    return {"candidats": [{**by_key[rec.id], "candidat": rec.id} for rec in records],
            "cohorte": by_key["cohorte"], "pv": by_key["pv"], "csv": csv,
            **({"cohorte_anonyme": by_key["cohorte_anonyme"]} if anonymise else {}),
            "pv_csv": out_dir / "pv_jury.csv", "similitudes_csv": out_dir / "similitudes.csv"}
