"""``mdpc demo``: the main job on the demo cohort, from release to reports, in a fresh working folder.

Seven fictional candidates of distinct profiles work the five assignments: their notebooks are made from
the solution with named wrong answers (the same catalogue the tests use), their widget answers written to
their answers file as the widgets would; they fetch and submit through nbgrader's own exchange, the
trainer collects and autogrades, demo graders rate every criterion in the gradebook, and the
coordinator's batch turns it all into decisions, reports and a cohort CSV.

The cohort is data (``mdpc.authoring.demo_cohort``): wrong answers and grading material beside each
case's answer key (``cas_pratiques/<devoir>/corrige/``, never released), identities and the fictional
jury file in ``mdpc/authoring/demo/cohorte.yaml``. This module keeps the runner and the session's setting,
the fictional graders and jury included (:data:`ROSTER`, written as the working folder's ``jury.yaml``: a
commented example of the roster a real course declares).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml
from tqdm import tqdm

from mdpc import PROJECT_ROOT
from mdpc.app import collect, decide, publish
from mdpc.authoring.demo_cohort import (
    Candidate,
    DemoError,
    accommodations,
    certification,
    enrolments,
    load_cohort,
    make_submission,
)
from mdpc.authoring.sessions import build_session, write_session_file
from mdpc.core import certification as cert_identity
from mdpc.core import enrolment
from mdpc.core.exemptions import FILE_HEADER
from mdpc.core.grids import default_grids
from mdpc.core.record import CandidateRecord
from mdpc.core.roster import ROSTER_FILE
from mdpc.core.roster import dump as dump_roster
from mdpc.core.roster import parse as parse_roster
from mdpc.errors import MdpcError
from mdpc.exports import write_exports
from mdpc.grading.autograde import autograde_assignments
from mdpc.grading.course import Course
from mdpc.grading.exchange import exchange_step
from mdpc.grading.privacy import protect_course
from mdpc.grading.ratings import RatingBook
from mdpc.grading.sandbox import status as sandbox_status

ASSIGNMENT = "B4_pilotage_performance"   # the assignment the benchmarks use
ASSIGNMENT_B1 = "B1_strategie_developpement"
ASSIGNMENT_B2 = "B2_deploiement_strategies"
ASSIGNMENT_B3 = "B3_pilotage_projets"
ASSIGNMENT_B4M = "B4_management_equipe"
ASSIGNMENTS = (ASSIGNMENT_B1, ASSIGNMENT_B2, ASSIGNMENT_B3, ASSIGNMENT, ASSIGNMENT_B4M)
SESSION = "Session de démonstration — janvier 2027"
DUE = dt.datetime(2027, 1, 8, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
DUES = {ASSIGNMENT_B1: DUE - dt.timedelta(days=3), ASSIGNMENT_B2: DUE - dt.timedelta(days=2),
        ASSIGNMENT_B3: DUE - dt.timedelta(days=1), ASSIGNMENT: DUE, ASSIGNMENT_B4M: DUE}  # blocs 1 to 3 handed in earlier
MARKER = ".dossier-demo-mdpc"
# The fictional graders and jury, written into the working folder as its roster (jury.yaml, mdpc.core.roster):
# the journal then takes a grader's rating from a declared grader only, and a final level from the jury only.
ROSTER = {
    "correcteurs": [{"nom": "Mme Aubert", "utilisateur": "aubert"}, {"nom": "M. Keller", "utilisateur": "keller"}],
    "jury": [{"nom": "Mme Bernard", "qualite": "directrice commerciale, présidente du jury", "president": True,
              "utilisateur": "bernard", "interne": False},
             {"nom": "M. Keller", "qualite": "professionnel du secteur", "utilisateur": "keller", "interne": False},
             {"nom": "Mme Aubert", "qualite": "formatrice", "utilisateur": "aubert", "interne": True}],
}
_ROSTER = parse_roster(ROSTER)
GRADERS = tuple(m.name for m in _ROSTER.graders)  # fictional demo graders
JURY_CHAIR = _ROSTER.president.name              # signs the jury's final levels
CERTIFICATION_HEADER = ("# Identité FICTIVE de la certification pour la démonstration (numéro RNCP, certificateur et\n"
                        "# signataire inventés) : chaque parchemin, attestation et lettre porte « SPÉCIMEN ».\n"
                        "# Modèle commenté du fichier réel : grilles/certification.yaml du projet.\n")
JURY_DAY = dt.date(2027, 1, 15)  # the deliberation: the minutes' date, the badges are valid from it
MINUTES = {"date": JURY_DAY.isoformat(), "lieu": "Lyon (session de démonstration)"}  # the jury: jury.yaml (ROSTER)


def prepare_course(workdir: Path, session: str | None = None) -> Course:
    """A fresh course folder: the session's sources (``session`` None: the project's cases as they are), the
    nbgrader config, the course's ``session.yaml``, its own gradebook and exchange."""
    if workdir.exists():
        if not (workdir / MARKER).exists():
            raise DemoError(f"Le dossier {workdir} existe et n'est pas un dossier de démonstration : "
                            "choisissez-en un autre (--dossier), rien n'a été effacé.")
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / MARKER).write_text("Dossier de travail de `mdpc demo`, recréé à chaque lancement.\n", encoding="utf-8")
    build_session(session, workdir / "cas_pratiques")
    write_session_file(workdir, session, list(ASSIGNMENTS))
    shutil.copy(PROJECT_ROOT / "nbgrader_config.py", workdir / "nbgrader_config.py")
    return Course(workdir)


def grader_comment(competency: str, number: int, level: int) -> str:
    """A demo grader's comment: the grid's descriptor of the level given."""
    return default_grids()[competency].criteria[number - 1].descriptors[level]


def say(message: str) -> None:
    print(message, flush=True)


def _rate(course, book: RatingBook, cohort: list[Candidate], failed: set) -> None:
    """The demo graders' levels (two graders, and the jury's where they diverge), copies not graded left out."""
    assignment_of = {code: course.assignment_of(code) for c in cohort for code in [*c.levels, *c.second]
                     + [code for code, _ in c.jury]}
    for c in cohort:
        for who, sheet in ((GRADERS[0], c.levels), (GRADERS[1], c.second)):
            for code, levels in sheet.items():
                if (c.id, assignment_of[code]) in failed:
                    continue
                for k, level in enumerate(levels, 1):
                    if level is not None:
                        book.record(assignment_of[code], c.id, code, k, who, level, grader_comment(code, k, level))
        for (code, k), level in c.jury.items():
            if (c.id, assignment_of[code]) not in failed:
                book.record(assignment_of[code], c.id, code, k, JURY_CHAIR, level,
                            "Niveau arrêté par le jury après lecture des deux corrections.", jury=True)


def run_demo(workdir: Path, progress: bool = True, session: str | None = None) -> dict:
    """The main job on the demo cohort; returns the outputs (paths, records, errors).

    `session`: a session identifier, to run the demo on that session's variant of the cases (its answers key,
    wrong answers and no-code answers follow the variant)."""
    workdir = workdir.resolve()
    steps = 9
    cohort = load_cohort(ASSIGNMENTS)  # a malformed data file stops the demo before anything is written
    say(f"Démonstration MDPC — dossier de travail : {workdir}")
    say(f"[1/{steps}] Préparation du cours et du gradebook"
        + (f" (cas de la session « {session} »)" if session else ""))
    course = prepare_course(workdir, session)
    if session:  # the cohort's answers as the session's corrige/ folders give them
        cohort = load_cohort(ASSIGNMENTS, workdir / "cas_pratiques")
    (workdir / ROSTER_FILE).write_text(dump_roster(ROSTER), encoding="utf-8")  # a documented example, too
    (workdir / enrolment.FILE_NAME).write_text(enrolment.dump(enrolments()), encoding="utf-8")
    (workdir / cert_identity.FILE_NAME).write_text(cert_identity.dump(certification(), CERTIFICATION_HEADER),
                                                   encoding="utf-8")
    with course.gradebook() as gb:  # what `nbgrader db assignment add` and `db student add` do, in one process
        for a in ASSIGNMENTS:
            gb.update_or_create_assignment(a, duedate=DUES[a])
        for c in cohort:
            gb.update_or_create_student(c.id, first_name=c.first, last_name=c.last)
    say(f"[2/{steps}] Génération des devoirs (nbgrader generate_assignment) et diffusion (release_assignment) : "
        + ", ".join(ASSIGNMENTS))
    for a in ASSIGNMENTS:  # nbgrader's API in this process: the commands' code without a Python start each
        course.run_in_process("generate_assignment", a)
        course.run_in_process("release_assignment", a)
    say(f"[3/{steps}] Les candidats récupèrent les devoirs, les travaillent et les remettent (fetch, submit)")

    def work(c: Candidate) -> None:  # each candidate in their own folder, as on their own machine
        home = workdir / "candidats" / c.id
        home.mkdir(parents=True)
        for a in ASSIGNMENTS:
            exchange_step("fetch", home, a, c.id, workdir / "echange")
            make_submission(home / a, course.source(a), c.wrong.get(a, ()), c.blank, c.answers, c.no_code)
            exchange_step("submit", home, a, c.id, workdir / "echange")

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        for _ in tqdm(pool.map(work, cohort), total=len(cohort), desc="Candidats", unit="candidat", disable=not progress):
            pass
    say(f"[4/{steps}] Ramassage des copies (nbgrader collect) ; heures de remise simulées")
    for a in ASSIGNMENTS:
        course.run_in_process("collect", a)
        for c in cohort:
            stamp = workdir / "submitted" / c.id / a / "timestamp.txt"
            when = c.submitted - (DUE - DUES[a])  # each candidate hands bloc 1 in as early, or late, as bloc 4
            stamp.write_text(when.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"), encoding="utf-8")
    say(f"[5/{steps}] Autocorrection en parallèle (mdpc autograde : nbgrader sur chaque cœur, un seul écrivain)")
    isolated, why = sandbox_status()
    say(f"  {why}")
    if not isolated:  # a new user's `make demo` must work without root: its candidates are fictional
        say("  ⚠ Bac à sable complet indisponible (root et bubblewrap requis) : la démonstration corrige sans "
            "isolation, ce qu'elle se permet parce que ses candidats sont fictifs et ses copies produites par "
            "elle-même. Avec de vraies copies, mdpc autograde refuse de corriger ainsi sans --sans-isolation.")
    errors, failed = {}, set()
    for a, failures in autograde_assignments(course, list(ASSIGNMENTS), progress=progress,
                                             without_isolation=not isolated).items():
        for s, e in failures.items():
            errors[f"{s} ({a})"] = f"autocorrection : {e}"
            failed.add((s, a))
            say(f"  ⚠ {s} ({a}) : copie non autocorrigée, qui ne sera pas notée — {e}")
    say(f"[6/{steps}] Les correcteurs de démonstration notent chaque critère (double correction pour deux copies)")
    book = RatingBook(course)
    with book.batch():
        _rate(course, book, cohort, failed)
    for d in book.divergences(list(ASSIGNMENTS)):
        state = f"tranchée par le jury : niveau {d['niveau_final']}" if d["tranche_par_le_jury"] else "à trancher par le jury"
        say(f"  ⚠ Notes divergentes — {d['candidat']}, {d['competence']} critère {d['critere']} : "
            + ", ".join(f"{w} {lv}" for w, lv in d["niveaux"].items()) + f" ({state})")
    say(f"[7/{steps}] Décisions (critères → compétences → blocs → certification), dispenses appliquées")
    acc_path = workdir / "dispenses.yaml"
    acc_path.write_text(FILE_HEADER + yaml.safe_dump(accommodations(), allow_unicode=True, sort_keys=False),
                        encoding="utf-8")
    collected = collect(course, list(ASSIGNMENTS), acc_path)
    for m in collected.accommodations.refusals:
        say(f"  ⚠ {m}")
    for pair in collected.similar:  # a signal for the jury (never a sanction): c05 and c06, the planted copy
        say(f"  ⚠ Copies à examiner (similitudes) : {pair.a} et {pair.b}, score {round(100 * pair.score)} %")
    records = decide(collected, SESSION)
    say(f"[8/{steps}] Rapports (papermill, en parallèle) : relevés individuels, cohorte, procès-verbal du jury ; "
        "parchemins, attestations de blocs et lettres de notification")
    batch = publish(records, workdir / "rapports", collected, session=SESSION, minutes=MINUTES, progress=progress,
                    course_root=workdir)
    for o in batch["candidats"] + [batch["cohorte"], batch["pv"]]:
        if "erreur" in o:
            errors[o.get("candidat", o["cle"])] = o["erreur"]
    issued = [d["nature"] for o in batch["documents"]["candidats"] for d in o["documents"]]
    say(f"  Documents délivrés (SPÉCIMEN) : {issued.count('certificat')} parchemin(s), "
        f"{issued.count('attestation')} attestation(s) de bloc, "
        f"{sum('lettre' in o for o in batch['documents']['candidats'])} lettre(s) de notification")
    for o in batch["documents"]["candidats"]:
        for problem in o["refus"] + ([o["erreur"]] if "erreur" in o else []):
            errors[f"documents {o['candidat']}"] = problem
    say(f"[9/{steps}] Retours aux candidats (nbgrader generate_feedback : niveaux et commentaires, sans tests cachés)")
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:  # one nbgrader per assignment; they only read
        codes = dict(zip(ASSIGNMENTS, pool.map(lambda a: course.nbgrader("generate_feedback", a, "--force", check=False)
                                               .returncode, ASSIGNMENTS), strict=True))
    for a, code in codes.items():
        if code != 0:
            errors[f"retours {a}"] = "génération des retours en échec (voir journal_nbgrader.log)"
    try:  # after step 8: the referential (Moodle, CASE) and the badges of the validated blocs (exports/)
        write_exports(records, workdir / "exports", cert_identity.load(workdir), JURY_DAY)
    except MdpcError as exc:
        errors["exports"] = str(exc)
    protect_course(workdir)  # personal data, even fictional: owner only
    return {"course": course, "records": records, "reports": batch["candidats"], "batch": batch, "csv": batch["csv"],
            "errors": errors, "refusals": collected.accommodations.refusals, "similar": collected.similar}


def summary_table(records: list[CandidateRecord], outputs: list[dict]) -> str:
    from mdpc.core.cohort import cohort_table
    from mdpc.reports.common import duration_fr

    table = cohort_table(records)
    html = {o["candidat"]: o.get("html") for o in outputs}
    table["rapport"] = [Path(html[c]).name if html.get(c) else "—" for c in table["candidat"]]
    table["retard (min)"] = table["retard (min)"].map(lambda m: duration_fr(m) if m else "—")  # the CSV keeps minutes
    table = table.rename(columns={"retard (min)": "retard"})
    keep = [c for c in table.columns if not re.fullmatch(r"C\d\.\d", c)]  # competencies: in the CSV and the reports
    return table[keep].to_string(index=False)


def main(workdir: str | Path | None = None, session: str | None = None) -> int:
    workdir = Path(workdir) if workdir else PROJECT_ROOT / "demo_mdpc"
    result = run_demo(workdir, session=session)
    say("\nDécisions de la cohorte de démonstration :\n")
    say(summary_table(result["records"], result["reports"]))
    for sid, err in result["errors"].items():
        say(f"⚠ {sid} : {err}")
    out = workdir / "rapports"
    say(f"""
Où regarder :
  - relevés individuels (HTML et PDF)                        : {out}/rapport_<candidat>.html, .pdf
  - carnets exécutés des rapports (papermill)               : {out}/rapport_<candidat>.ipynb
  - rapport de cohorte (HTML et PDF)                        : {out / 'rapport_cohorte.html'}
  - procès-verbal du jury (HTML, PDF, CSV)                  : {out / 'pv_jury.pdf'}, {out / 'pv_jury.csv'}
  - décisions de la cohorte (CSV, séparateur ;)             : {result['csv']}
  - réussite par critère (CSV)                              : {out / 'cohorte_reussite_criteres.csv'}
  - copies à examiner, passages côte à côte (CSV)           : {out / 'similitudes.csv'}
  - exports : Moodle, CASE 1.1, badges Open Badges 3.0      : {workdir / 'exports'}/
  - parchemins des certifiés (HTML et PDF, SPÉCIMEN)        : {out}/documents/certificat_<candidat>.html, .pdf
  - attestations des blocs validés (validation partielle)   : {out}/documents/attestation_<candidat>_BC0<n>.pdf
  - lettres de notification (décision, recours)             : {out}/documents/lettre_<candidat>.html, .pdf
  - registre des documents délivrés (numéros, codes)        : {workdir / 'registre_parchemins.json'} (mdpc verifier NUMERO CODE --cours {workdir})
  - identité de la certification, inscriptions (fictives)   : {workdir / 'certification.yaml'}, {workdir / 'candidats.yaml'}
  - journal des notes (qui a noté quoi, quand)              : {workdir / 'notation.db'} (mdpc journal --verifier)
  - correcteurs et jury déclarés (modèle commenté)          : {workdir / ROSTER_FILE}
  - copies autocorrigées                                    : {workdir / 'autograded'}
  - retours aux candidats (HTML)                            : {workdir / 'feedback'}/<candidat>/
  - gradebook nbgrader (formgrader)                         : {workdir / 'gradebook.db'}
  - dispenses fictives du jury                              : {workdir / 'dispenses.yaml'}
  - journal complet de nbgrader                             : {workdir / 'journal_nbgrader.log'}
  - journal de l'autocorrection en parallèle                : {workdir / 'journal_autocorrection.log'}""")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
