"""The ``mdpc`` command: demo, data, release, grader levels, decisions and reports over a course folder."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from mdpc import PROJECT_ROOT
from mdpc.cli_jury import cmd_exporter_badges, cmd_exporter_referentiel, cmd_verifier  # noqa: F401 (commands)
from mdpc.cli_parser import build_parser
from mdpc.errors import MdpcError


def _collect(args):
    """The course, what it holds for the decisions (app.collect) and the records (app.decide)."""
    from mdpc.app import collect, decide
    from mdpc.core.similarity_text import similarity_lines
    from mdpc.grading.course import Course

    course = Course(args.cours)
    collected = collect(course, args.devoir, args.dispenses)
    args.devoir = collected.assignments
    for m in collected.accommodations.refusals:
        print(f"⚠ {m}")
    for line in similarity_lines(collected.similar, collected.similarity_notes):
        print(line)
    return course, collected, decide(collected, args.session)


def cmd_demo(args) -> int:
    from mdpc.demo import main

    return main(args.dossier, args.session)


def cmd_donnees(args) -> int:
    from mdpc.authoring.datagen.b1 import write_b1
    from mdpc.authoring.datagen.b2 import write_b2
    from mdpc.authoring.datagen.b3 import write_b3
    from mdpc.authoring.datagen.b4 import write_b4
    from mdpc.authoring.datagen.b4m import write_b4m
    from mdpc.authoring.datagen.lecons import write_lecons

    for p in write_b1() + write_b2() + write_b3() + write_b4() + write_b4m() + write_lecons():
        print(f"écrit : {p.relative_to(PROJECT_ROOT)}")
    return 0


def cmd_publier_session(args) -> int:
    from mdpc.app import publish_session

    for line in publish_session(args.session, args.cours):
        print(line)
    return 0


def cmd_publier(args) -> int:
    if args.session:
        return cmd_publier_session(args)
    from mdpc.authoring.coverage import write_coverage
    from mdpc.authoring.form_cells import render_form_cells
    from mdpc.authoring.guides import write_adaptation_frames
    from mdpc.authoring.rubric_cells import render_rubric_cells
    from mdpc.grading.release import regenerate_release

    rewritten = render_rubric_cells()  # first: release/ and the matrix read them
    for line in rewritten or ["cellules d'évaluation des carnets : déjà à jour du référentiel et des grilles"]:
        print(line)
    for line in render_form_cells() + write_adaptation_frames():
        print(line)
    for line in [*regenerate_release(PROJECT_ROOT), write_coverage()]:
        print(line)
    return 0


def cmd_valider(args) -> int:
    from mdpc.grading.trainer_check import validate_sources

    result = validate_sources(args.cours, args.devoir, args.carnets)
    for line in [*result.warnings, result.output.rstrip("\n")]:
        print(line)
    if result.removed:
        print(f"ℹ Retiré du dossier source après la vérification (produit par l'exécution des solutions) : "
              f"{', '.join(result.removed)}.")
    n = len(result.notebooks)
    if result.failed:
        print(f"✘ {len(result.failed)} carnet(s) sur {n} ne passent pas tous les tests : {', '.join(result.failed)}.")
        return 1
    print(f"✔ {args.devoir} : {n} carnet(s) sur {n} passent tous les tests avec le corrigé des formulaires.")
    return 0


class RatingRowError(MdpcError):
    """A line of a ratings file (or of the command line) that cannot be read."""


def _rating_row(row: dict) -> tuple[str, str, int, int]:
    """(candidate, competency, criterion, level) of one line, or a French RatingRowError saying what is wrong."""
    missing = [k for k in ("candidat", "competence", "critere", "niveau") if not str(row.get(k) or "").strip()]
    if missing:
        raise RatingRowError(f"colonne(s) vide(s) ou absente(s) : {', '.join(missing)} (attendu : "
                             "candidat;competence;critere;niveau;commentaire[;correcteur])")
    values = []
    for name in ("critere", "niveau"):
        try:
            values.append(int(str(row[name]).strip()))
        except ValueError:
            raise RatingRowError(f"{name} « {row[name]} » illisible (un nombre entier est attendu)") from None
    return str(row["candidat"]).strip(), str(row["competence"]).strip(), values[0], values[1]


def cmd_noter(args) -> int:
    from mdpc.core.exemptions import load
    from mdpc.core.ratings import RatingState
    from mdpc.grading.course import Course
    from mdpc.grading.ratings import RatingBook

    course = Course(args.cours)
    book = RatingBook(course)
    accs = load(Path(args.dispenses) if args.dispenses else course.root / "dispenses.yaml")
    rows = []
    if args.fichier:
        if not Path(args.fichier).is_file():
            raise RatingRowError(f"Fichier des niveaux introuvable : {args.fichier}")
        with open(args.fichier, encoding="utf-8-sig", newline="") as fh:
            sample = fh.read(2048)
            fh.seek(0)
            dialect = csv.Sniffer().sniff(sample, delimiters=";,")
            rows = list(csv.DictReader(fh, dialect=dialect))
    else:
        rows = [{"candidat": args.candidat, "competence": args.competence, "critere": args.critere,
                 "niveau": args.niveau, "commentaire": args.commentaire or "", "correcteur": args.correcteur}]
    failures = 0
    with book.batch():
        for i, row in enumerate(rows, 1):
            try:
                candidate, code, number, level = _rating_row(row)
                assignment = args.devoir[0] if args.devoir and len(args.devoir) == 1 else course.assignment_of(code)
                eff = book.record(assignment, candidate, code, number, row.get("correcteur") or args.correcteur,
                                  level, row.get("commentaire") or "", jury=args.jury, accommodations=accs)
                print(f"enregistré : {candidate} {code} critère {number} → niveau {level}"
                      + (" (notes divergentes : à trancher par le jury)" if eff.state == RatingState.DIVERGENT else ""))
            except MdpcError as exc:
                print(f"ligne {i} refusée : {exc}")
                failures += 1
    return 1 if failures else 0


def cmd_autograde(args) -> int:
    from mdpc.app import assignments_of
    from mdpc.grading.autograde import UNISOLATED_RISKS, autograde_assignments, require_isolation
    from mdpc.grading.course import Course
    from mdpc.grading.incidents import read_incidents
    from mdpc.grading.sandbox import status

    course = Course(args.cours)
    isolated, why = status()
    print(why[:1].upper() + why[1:] + ".")
    require_isolation(args.sans_isolation)
    if not isolated:
        print(f"⚠ Autocorrection sans isolation (--sans-isolation) : {UNISOLATED_RISKS}.")
    errors, incidents = {}, 0
    assignments = assignments_of(course, args.devoir, collected=True)
    print("Devoirs : " + ", ".join(assignments))
    for assignment, failures in autograde_assignments(course, assignments, args.candidats or None,
                                                      args.processus, without_isolation=args.sans_isolation).items():
        errors.update({f"{s} ({assignment})": e for s, e in failures.items()})
    for assignment in assignments:
        for student, items in read_incidents(course, assignment).items():
            if args.candidats and student not in args.candidats:
                continue
            for item in items:
                if item["type"] == "echec_autocorrection" and f"{student} ({assignment})" in errors:
                    continue  # said below, with nbgrader's error
                incidents += 1
                print(f"  ℹ {student} ({assignment}" + (f", {item['carnet']}" if item["carnet"] else "")
                      + f") : {item['message']}")
    for student, error in sorted(errors.items()):
        print(f"⚠ {student} : {error}")
    print("Autocorrection terminée" + (f" ; {len(errors)} copie(s) en échec" if errors else " sans erreur")
          + (f" ; {incidents} incident(s) signalé(s) dans les copies." if incidents else "."))
    from mdpc.app import check_similarity  # every collected assignment: the graders' form reads the result
    from mdpc.core.similarity_text import similarity_lines

    for line in similarity_lines(*check_similarity(course, course.submitted_assignments())):
        print(line)
    return 1 if errors else 0


def cmd_effacer(args) -> int:
    from mdpc.grading.course import Course
    from mdpc.grading.erasure import erase_candidate

    if not args.confirmer:
        print(f"Effacement de toutes les données de {args.candidat} : relancez avec --confirmer (irréversible).")
        return 1
    for line in erase_candidate(Course(args.cours), args.candidat):
        print(f"- {line}")
    return 0


def cmd_journal(args) -> int:
    from mdpc.core.journal_check import after_head
    from mdpc.grading.course import Course
    from mdpc.grading.journal import DB_NAME, Journal, verify_journal

    course = Course(args.cours)
    path = course.root / DB_NAME
    if not args.verifier:  # open it as any writer does: chain an older journal, put back a removed protection
        if not path.exists():
            print(f"Pas encore de journal des notes dans {course.root} : aucune note enregistrée.")
            return 0
        for line in Journal(path).open():
            print(f"ℹ {line}")
    verification = verify_journal(path)
    lines = after_head(verification, args.tete) if args.tete else []
    for line in verification.summary() + ([] if not verification.ok else lines):
        print(line)
    return 0 if verification.ok else 1


def _journal_head(course) -> str:
    """One line for the end of ``mdpc rapports``: the journal's head, to write into the minutes."""
    from mdpc.core.journal import JournalError, abbreviated
    from mdpc.grading.journal import DB_NAME, verify_journal

    if not (course.root / DB_NAME).exists():
        return "journal des notes : aucune note enregistrée"
    try:
        v = verify_journal(course.root / DB_NAME)
    except JournalError as exc:
        return f"⚠ journal des notes : {exc}"
    if not v.ok:
        return f"⚠ journal des notes altéré : {v.first.kind} — {v.first.message} (mdpc journal --verifier)"
    return (f"journal des notes : {v.notes} note(s), tête de chaîne {abbreviated(v.head)} "
            "(à reporter au procès-verbal ; « mdpc journal --verifier --tete … » la contrôle plus tard)")


def cmd_decisions(args) -> int:
    from mdpc.core.cohort import cohort_table
    from mdpc.core.safe_text import write_csv

    _, _, records = _collect(args)
    table = cohort_table(records)
    print(table.to_string(index=False))
    if args.csv:
        write_csv(table, args.csv)
        print(f"écrit : {args.csv}")
    return 0


def _document_lines(documents: dict | None) -> tuple[list[str], bool]:
    """What ``mdpc rapports`` and ``mdpc documents`` say of the documents issued, and whether one failed."""
    from mdpc.reports.documents import summary_lines

    if documents is None:
        return ["documents délivrés : aucun (précisez --date AAAA-MM-JJ et --lieu pour délivrer parchemins, "
                "attestations et lettres de notification)"], False
    return [f"documents : {line}" for line in summary_lines(documents)], any(
        "erreur" in r for r in documents["candidats"])


def cmd_rapports(args) -> int:
    from mdpc.app import publish
    from mdpc.grading.course import Course
    from mdpc.grading.privacy import protect_course
    from mdpc.reports.documents import check_batch, parse_deliberation_date

    if parse_deliberation_date(args.date):  # a French error before the long work
        check_batch(Course(args.cours).root, args.date, args.lieu)
    course, collected, records = _collect(args)
    out = Path(args.sortie) if args.sortie else course.root / "rapports"
    members = [m.strip() for m in (args.membres or "").split(";") if m.strip()]
    batch = publish(records, out, collected, session=args.session, workers=args.processus,
                    minutes={"date": args.date, "lieu": args.lieu, "membres": members}, pdf=not args.sans_pdf,
                    anonymise=args.anonyme, course_root=course.root)
    protect_course(course.root)
    failed = False
    shared = ([{**batch["cohorte_anonyme"], "candidat": "cohorte anonyme (diffusion hors jury)"}]
              if "cohorte_anonyme" in batch else [])
    for o in batch["candidats"] + [{**batch["cohorte"], "candidat": "cohorte"}, {**batch["pv"], "candidat": "PV"}] + shared:
        failed |= "erreur" in o
        print(f"{o['candidat']} : {o.get('html') or o.get('erreur')}" + (f" ({o['avertissement']})" if "avertissement" in o else ""))
    print(f"décisions de la cohorte : {batch['csv']}\nprocès-verbal (CSV) : {batch['pv_csv']}")
    lines, doc_failed = _document_lines(batch.get("documents"))
    for line in lines:
        print(line)
    print(_journal_head(course))
    return 1 if failed or doc_failed else 0


def cmd_documents(args) -> int:
    from mdpc.grading.course import Course
    from mdpc.reports.documents import FOLDER, check_batch, issue_documents

    check_batch(Course(args.cours).root, args.date, args.lieu)  # a French error before the long work
    course, _, records = _collect(args)
    out = (Path(args.sortie) if args.sortie else course.root / "rapports") / FOLDER
    documents = issue_documents(records, out, course.root, args.date, args.lieu, pdf=not args.sans_pdf)
    lines, failed = _document_lines(documents)
    for line in lines:
        print(line)
    return 1 if failed else 0


def main(argv=None) -> int:
    parser = build_parser({name: f for name, f in globals().items() if name.startswith("cmd_")})
    args = parser.parse_args(argv)
    if args.commande == "noter" and not args.fichier and None in (args.candidat, args.competence, args.critere,
                                                                   args.niveau):
        parser.error("indiquez --fichier, ou bien --candidat, --competence, --critere et --niveau")
    try:
        return args.func(args)
    except MdpcError as exc:  # the coordinator gets a French message, not a traceback
        print(f"Erreur : {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
