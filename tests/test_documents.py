"""Certificates, bloc attestations, notification letters, the register of issued documents and its verification.

Records are built as the application builds them (levels of the journal applied to a submission, then
:func:`build_record`), without nbgrader; the course folder is a temporary one holding the demo's fictional
``certification.yaml`` (marked specimen) and a ``candidats.yaml``.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import stat

import pytest
import yaml
from markup import active_markup

from mdpc.authoring.demo_cohort import certification as demo_certification
from mdpc.core import certification as cert_file
from mdpc.core import enrolment
from mdpc.core import exemptions as ex
from mdpc.core.decisions import CertificationStatus, CriterionResult
from mdpc.core.grids import default_scale
from mdpc.core.ratings import GRADER, Rating, apply_ratings, effective_by_criterion
from mdpc.core.record import build_record
from mdpc.core.referential import default as default_referential
from mdpc.core.register import KEY_FILE, REGISTER_FILE, Register, normalise_code, verify
from mdpc.core.submissions import Submission
from mdpc.reports.documents import DocumentError, issue_documents, parse_deliberation_date
from mdpc.reports.documents_html import SPECIMEN

REF = default_referential()
DAY = dt.date(2027, 1, 15)
PLACE = "Lyon"
HOSTILE = "<img src=http://127.0.0.1:9/mdpc_xss.png onerror=alert('mdpc_xss')><script>mdpc_xss()</script>"


def record(sid: str, bloc_levels: dict[int, int | None]):
    """A candidate whose graders rated every criterion of bloc n at bloc_levels[n] (None: not rated, pending)."""
    results = {(code, c.number): CriterionResult(code, c.number) for code, comp in REF.competencies.items()
               for c in comp.criteria}
    due = dt.datetime(2027, 1, 8, 11, 0)
    sub = Submission(sid, f"Candidat {sid}", results, due - dt.timedelta(hours=1), due, 150.0, 196.0,
                     assignment="B4_pilotage_performance")
    ratings = effective_by_criterion([
        Rating("B4_pilotage_performance", sid, code, c.number, "Mme Aubert", GRADER, bloc_levels[int(code[1])], "",
               "2027-01-10T10:00:00")
        for code, comp in REF.competencies.items() for c in comp.criteria if bloc_levels.get(int(code[1])) is not None])
    apply_ratings(sub, ratings, default_scale())
    return build_record(sub, ex.Accommodation(sid), [], "Session de test", ratings)


CERTIFIED = {1: 2, 2: 3, 3: 2, 4: 2}
PENDING = {1: 2, 2: 0, 3: 2, 4: None}  # blocs 1 and 3 acquired, bloc 4 not rated yet
PARTIAL = {1: 2, 2: 0, 3: 2, 4: 0}
NOTHING = {1: 0, 2: 1, 3: 0, 4: 0}


def course(tmp_path, people: dict | None = None, cert: dict | None = None):
    root = tmp_path / "cours"
    root.mkdir(parents=True)
    (root / cert_file.FILE_NAME).write_text(cert_file.dump(cert or demo_certification()), encoding="utf-8")
    people = people if people is not None else {
        "c01": {"nom": "Fontaine", "prenom": "Léa", "date_naissance": "1994-03-17", "lieu_naissance": "Annecy (74)"},
        "c02": {"nom": "Lambert", "prenom": "Hugo", "date_naissance": "1998-11-02"},
        "c03": {"nom": "Haddad", "prenom": "Nadia", "date_naissance": "1989-06-25"},
        "c04": {"nom": "Roux", "prenom": "Maxime"},  # no birth date
    }
    (root / enrolment.FILE_NAME).write_text(yaml.safe_dump({"candidats": people}, allow_unicode=True), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def records():
    return {"c01": record("c01", CERTIFIED), "c02": record("c02", PENDING), "c03": record("c03", NOTHING),
            "c04": record("c04", CERTIFIED)}


def issue(root, recs, **kwargs):
    kwargs = {"progress": False, "pdf": False, "today": dt.date(2027, 1, 16), **kwargs}
    return issue_documents(list(recs), root / "rapports" / "documents", root, kwargs.pop("day", DAY),
                           kwargs.pop("place", PLACE), **kwargs)


def by_id(result):
    return {r["candidat"]: r for r in result["candidats"]}


def text_of(path) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))))


def test_the_records_have_the_decisions_the_tests_need(records):
    assert records["c01"].decision.status == CertificationStatus.CERTIFIED
    assert records["c02"].decision.blocs_acquired == [1, 3]
    assert records["c02"].decision.status == CertificationStatus.PENDING
    assert records["c03"].decision.status == CertificationStatus.NOT_VALIDATED and not records["c03"].decision.blocs_acquired


def test_certificate_and_attestations_carry_every_required_mention(tmp_path, records):
    root = course(tmp_path)
    result = by_id(issue(root, records.values()))
    cert = cert_file.load(root)
    certificate = result["c01"]["documents"]
    assert [d["nature"] for d in certificate] == ["certificat"]
    attestations = result["c02"]["documents"]
    assert [d["bloc"] for d in attestations] == ["RNCP00000BC01", "RNCP00000BC03"]  # one per acquired bloc, no certificate
    common = ["Certification professionnelle enregistrée au Répertoire national des certifications professionnelles",
              "RNCP00000", "décision de France Compétences du 26 juin 2025", cert.certifier,
              "Manager développement et performance commerciale", "niveau 7 du cadre national",
              "décret n° 2019-14", "niveau 7 du cadre européen", "312 (Commerce, vente)", "310 (Spécialités",
              "15 janvier 2027", "Fait à Lyon, le 15 janvier 2027", "Mme Odile Berthier",
              "directrice générale (signataire fictive)", "code de vérification", SPECIMEN]
    page = text_of(certificate[0]["html"])
    for mention in common + ["Léa FONTAINE", "né(e) le 17 mars 1994 à Annecy (74)", "CERTIFICAT",
                             certificate[0]["numero"]]:
        assert mention in page, mention
    assert re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", page)
    page = text_of(attestations[0]["html"])
    for mention in common + ["Hugo LAMBERT", "né(e) le 2 novembre 1998", "ATTESTATION", "RNCP00000BC01",
                             REF.bloc(1).title, "validation partielle"] + [
            f"{code} — {REF.competency(code).title}" for code in REF.bloc(1).competencies]:
        assert mention in page, mention
    assert "Ce bloc reste acquis 5 ans" in page and "15 janvier 2032" in page


def test_without_specimen_no_mark(tmp_path, records):
    data = demo_certification()
    data["specimen"] = False
    root = course(tmp_path, cert=data)
    doc = by_id(issue(root, [records["c01"]]))["c01"]
    for path in (doc["documents"][0]["html"], doc["lettre"]["html"]):
        assert "SPÉCIMEN" not in path.read_text(encoding="utf-8")


def test_no_bloc_no_document_but_a_letter(tmp_path, records):
    root = course(tmp_path)
    doc = by_id(issue(root, [records["c03"]]))["c03"]
    assert doc["documents"] == [] and doc["refus"] == []
    letter = text_of(doc["lettre"]["html"])
    assert "Après délibération, il n'a validé aucun bloc de compétences à l'issue de cette session." in letter
    assert "Il vous reste à valider : RNCP00000BC01" in letter and SPECIMEN in letter
    assert not list((root / "rapports" / "documents").glob("certificat_*"))


def test_missing_birth_date_is_refused_with_a_reason_and_the_others_go_on(tmp_path, records):
    root = course(tmp_path)
    result = by_id(issue(root, records.values()))
    refused = result["c04"]
    assert refused["documents"] == [] and "lettre" in refused
    assert refused["refus"] == ["certificat non délivré(e) : date de naissance absente de candidats.yaml."]
    assert "adressé séparément" in text_of(refused["lettre"]["html"])
    assert result["c01"]["documents"] and result["c02"]["documents"]
    assert {e.candidat for e in Register.load(root).entries} == {"c01", "c02"}


def test_date_outside_the_registration_is_refused(tmp_path, records):
    root = course(tmp_path)
    result = by_id(issue(root, [records["c01"], records["c02"]], day=dt.date(2031, 1, 15)))
    for sid in ("c01", "c02"):
        assert result[sid]["documents"] == [] and "hors de la période d'enregistrement" in result[sid]["refus"][0]
    assert not Register.load(root).entries


def test_hostile_values_are_inert_and_pages_reach_nothing(tmp_path, records):
    people = {"c01": {"nom": HOSTILE, "prenom": HOSTILE, "date_naissance": "1994-03-17", "lieu_naissance": HOSTILE}}
    root = course(tmp_path, people)
    doc = by_id(issue(root, [records["c01"]], place=HOSTILE))["c01"]
    for path in (doc["documents"][0]["html"], doc["lettre"]["html"]):
        page = path.read_text(encoding="utf-8")
        assert active_markup(page) == [] and "<img" not in page and "<script" not in page.lower()
        assert "&lt;img src=http://127.0.0.1:9/mdpc_xss.png" in page  # shown as text
    root2 = course(tmp_path / "b")
    doc = by_id(issue(root2, records.values()))
    for r in doc.values():
        for path in [d["html"] for d in r["documents"]] + [r["lettre"]["html"]]:
            page = path.read_text(encoding="utf-8").lower()
            assert "http" not in page and "<script" not in page and "url(" not in page and "src=" not in page


def test_the_code_verifies_and_a_wrong_code_or_a_tampered_entry_does_not(tmp_path, records):
    root = course(tmp_path)
    doc = by_id(issue(root, records.values()))["c01"]["documents"][0]
    page = doc["html"].read_text(encoding="utf-8")
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<", page).group(1)
    assert verify(root, doc["numero"], code).ok
    assert verify(root, doc["numero"].lower(), code.lower().replace("-", " ")).ok  # as typed
    assert "authentiques" in verify(root, doc["numero"], code).message
    wrong = code[:-1] + ("A" if code[-1] != "A" else "B")
    assert not verify(root, doc["numero"], wrong).ok
    assert "ne correspond pas" in verify(root, doc["numero"], wrong).message
    assert "Aucun document" in verify(root, "MDPC-2027-9999", code).message
    assert not verify(root, doc["numero"], "pas un code").ok
    data = json.loads((root / REGISTER_FILE).read_text(encoding="utf-8"))
    data["documents"][0]["titulaire"] = "Mallory FAUSSAIRE"
    (root / REGISTER_FILE).write_text(json.dumps(data), encoding="utf-8")
    tampered = verify(root, doc["numero"], code)
    assert not tampered.ok and "modifié après la délivrance" in tampered.message
    assert code not in (root / REGISTER_FILE).read_text(encoding="utf-8")  # only its digest is kept
    key = (root / KEY_FILE).read_text(encoding="ascii").strip()
    assert stat.S_IMODE(os.stat(root / KEY_FILE).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / REGISTER_FILE).st_mode) == 0o600
    for path in (root / "rapports" / "documents").iterdir():
        assert key not in path.read_text(encoding="utf-8")


def test_numbers_are_unique_and_a_second_run_keeps_them(tmp_path, records):
    root = course(tmp_path)
    first = by_id(issue(root, records.values()))
    numbers = [d["numero"] for r in first.values() for d in r["documents"]]
    assert numbers == ["MDPC-2027-0001", "MDPC-2027-0002", "MDPC-2027-0003"]
    again = by_id(issue(root, records.values(), today=dt.date(2027, 2, 1)))
    assert [d["numero"] for r in again.values() for d in r["documents"]] == numbers
    assert {d["etat"] for r in again.values() for d in r["documents"]} == {"réédition"}
    register = Register.load(root)
    assert len(register.entries) == 3 and register.entries[0].reeditions == ["2027-02-01"]
    assert "Réédition (duplicata) établie le 1er février 2027" in text_of(again["c01"]["documents"][0]["html"])
    # a corrected name: same number, new code, the former one no longer verifies
    old_code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                         first["c01"]["documents"][0]["html"].read_text(encoding="utf-8"))
    people = yaml.safe_load((root / enrolment.FILE_NAME).read_text(encoding="utf-8"))
    people["candidats"]["c01"]["nom"] = "Fontaine-Martin"
    (root / enrolment.FILE_NAME).write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    fixed = by_id(issue(root, [records["c01"]]))["c01"]["documents"][0]
    assert fixed["numero"] == "MDPC-2027-0001" and fixed["etat"] == "modifié"
    assert old_code is None or "remplacée" in verify(root, "MDPC-2027-0001", old_code.group(1)).message


def test_letter_says_decision_per_bloc_what_remains_validity_and_appeal(tmp_path, records):
    root = course(tmp_path)
    letter = text_of(by_id(issue(root, [records["c02"]]))["c02"]["lettre"]["html"])
    for mention in ["École fictive de démonstration MDPC (SAS)", "Hugo LAMBERT", "né(e) le 2 novembre 1998",
                    "s'est réuni le 15 janvier 2027 à Lyon, au titre de la session « Session de test »",
                    "il a validé 2 bloc(s) de compétences sur 4, n'a pas validé 1 bloc(s) et a sursis à statuer sur 1 bloc(s) en "
                    "attente",
                    "niveau 7 du cadre national", "Code(s) NSF : 312", "enregistrée au Répertoire national",
                    "Vous pourrez vous présenter à nouveau", "Les blocs en attente feront l'objet d'une décision",
                    "RNCP00000BC01", "✔ validé", "RNCP00000BC02", "✘ non validé", "RNCP00000BC04", "… en attente",
                    "C2.1 (non validée) — ", "C4.1 (en attente) — ", "Il vous reste à valider : RNCP00000BC02",
                    "pendant 5 ans", "jusqu'au 15 janvier 2032", "délai de 60 jours à compter de la notification",
                    "recours@exemple.invalid", "Mme Odile Berthier", "Madame, Monsieur",
                    "l'attestation de validation du bloc RNCP00000BC01 (n° MDPC-2027-0001) ; l'attestation de "
                    "validation du bloc RNCP00000BC03 (n° MDPC-2027-0002)", "salutations distinguées", SPECIMEN]:
        assert mention in letter, mention
    assert "C1.1 " not in letter and "Fait à" not in letter  # a validated bloc lists no competency
    partial = record("c02", PARTIAL)
    assert partial.decision.status == CertificationStatus.PARTIAL
    letter = text_of(by_id(issue(root, [partial]))["c02"]["lettre"]["html"])
    assert "validation partielle de la certification : vous avez validé 2 bloc(s) de compétences sur 4" in letter
    assert "Les blocs en attente" not in letter
    letter = text_of(by_id(issue(root, [records["c01"]]))["c01"]["lettre"]["html"])
    assert "dans sa totalité" in letter and "plus aucun bloc à valider" in letter and "pendant 5 ans" not in letter


def test_deliberation_date_formats():
    assert parse_deliberation_date("2027-01-15") == DAY
    assert parse_deliberation_date("15 janvier 2027") == DAY and parse_deliberation_date("15/01/2027") == DAY
    assert parse_deliberation_date("1er mars 2027") == dt.date(2027, 3, 1)
    assert parse_deliberation_date("") is None
    with pytest.raises(DocumentError, match="AAAA-MM-JJ"):
        parse_deliberation_date("le quinze janvier")
    with pytest.raises(DocumentError, match="AAAA-MM-JJ"):
        parse_deliberation_date("2027-02-30")


def test_normalised_codes():
    assert normalise_code("abcd efgh jkmn pqrs") == "ABCD-EFGH-JKMN-PQRS"
    assert normalise_code("0OIL-1111-2222-3333") == "0011-1111-2222-3333"
    assert normalise_code("ABCD-EFGH-JKMN-PQRU") == "" and normalise_code("ABC") == ""


def test_one_pdf_is_rendered(tmp_path, records):
    root = course(tmp_path)
    doc = by_id(issue(root, [records["c02"]], pdf=True))["c02"]
    for path in (doc["documents"][0]["pdf"], doc["lettre"]["pdf"]):
        assert path.read_bytes().startswith(b"%PDF") and path.stat().st_size > 5000
    assert stat.S_IMODE(os.stat(root / "rapports" / "documents").st_mode) == 0o700


def test_erasure_keeps_the_register_and_removes_the_copies(tmp_path, records):
    from mdpc.grading import erasure

    root = course(tmp_path)
    issue(root, records.values())
    (root / "rapports" / "documents" / "lettre_c011.html").write_text("autre candidat", encoding="utf-8")
    copies = erasure.issued_copies(root / "rapports" / "documents", "c01")
    assert sorted(p.name for p in copies) == ["certificat_c01.html", "lettre_c01.html"]
    assert [p.name for p in erasure.issued_copies(root / "rapports" / "documents", "c02")] == [
        "attestation_c02_BC01.html", "attestation_c02_BC03.html", "lettre_c02.html"]

    class FakeCourse:  # erase_candidate reads the gradebook first: a course without one
        def __init__(self, root):
            self.root = root

        def gradebook(self):
            import contextlib

            from nbgrader.api import MissingEntry

            class Book:
                def remove_student(self, candidate):
                    raise MissingEntry()

            return contextlib.nullcontext(Book())

    before = (root / REGISTER_FILE).read_text(encoding="utf-8")
    done = erasure.erase_candidate(FakeCourse(root), "c01")
    kept = json.loads((root / REGISTER_FILE).read_text(encoding="utf-8"))["documents"]
    assert kept == [{**e, "candidat": "" if e["candidat"] == "c01" else e["candidat"]}
                    for e in json.loads(before)["documents"]]  # only the course identifier goes
    assert any("registre_parchemins.json : 1 entrée(s) gardée(s) volontairement (MDPC-2027-0001)" in line for line in done)
    assert not (root / "rapports" / "documents" / "certificat_c01.html").exists()
    assert (root / "rapports" / "documents" / "lettre_c011.html").exists()
    assert (root / "rapports" / "documents" / "attestation_c02_BC01.html").exists()


def test_mdpc_verifier_says_it_in_french_with_its_exit_code(tmp_path, records, capsys):
    from mdpc.cli import main

    root = course(tmp_path)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa\n", encoding="utf-8")
    doc = by_id(issue(root, records.values()))["c02"]["documents"][1]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     doc["html"].read_text(encoding="utf-8")).group(1)
    assert main(["verifier", doc["numero"], code, "--cours", str(root)]) == 0
    out = capsys.readouterr().out
    for text in ("✔ Numéro et code authentiques", "Hugo LAMBERT, né(e) le 2 novembre 1998",
                 "document : attestation de validation du bloc RNCP00000BC03", "certification RNCP00000",
                 "délivré le 15 janvier 2027 à Lyon"):
        assert text in out, text
    assert main(["verifier", doc["numero"], "AAAA-BBBB-CCCC-DDDD", "--cours", str(root)]) == 1
    assert "✘ Le code ne correspond pas" in capsys.readouterr().out
    assert main(["verifier", "MDPC-2027-0042", code, "--cours", str(root)]) == 1
    assert "✘ Aucun document numéro « MDPC-2027-0042 »" in capsys.readouterr().out
    assert main(["rapports", "--cours", str(root), "--date", "demain"]) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err


def test_publish_issues_the_documents_after_the_reports_and_checks_first(tmp_path, records, monkeypatch):
    from mdpc import app
    from mdpc.reports import batch

    calls = []
    monkeypatch.setattr(batch, "build_reports", lambda *a, **k: calls.append(k["minutes"]) or {})
    root = course(tmp_path)
    out = app.publish([records["c01"]], root / "rapports", minutes={"date": "2027-01-15", "lieu": "Lyon"},
                      progress=False, pdf=False, course_root=root)
    assert [(c["date"], c["lieu"]) for c in calls] == [("15 janvier 2027", "Lyon")]  # the minutes' context
    assert calls[0]["certification"]["rncp"] == "RNCP00000"
    assert out["documents"]["candidats"][0]["documents"][0]["numero"] == "MDPC-2027-0001"
    assert (root / "rapports" / "documents" / "certificat_c01.html").exists()
    assert app.publish([records["c01"]], root / "rapports", minutes={"date": ""}, course_root=root)["documents"] is None
    with pytest.raises(DocumentError, match="Lieu de la délibération absent"):
        app.publish([records["c01"]], root / "rapports", minutes={"date": "2027-01-15"}, course_root=root)
    (root / cert_file.FILE_NAME).write_text("certificateur: {}\n", encoding="utf-8")
    with pytest.raises(cert_file.CertificationError):
        app.publish([records["c01"]], root / "rapports", minutes={"date": "2027-01-15", "lieu": "Lyon"},
                    course_root=root)
    assert len(calls) == 2  # no report was made when the batch could not issue its documents


def test_a_candidate_that_fails_does_not_stop_the_batch(tmp_path, records):
    root = course(tmp_path)
    bad = record("../c01", CERTIFIED)  # an identifier that could name a file elsewhere: refused, never written
    result = by_id(issue(root, [bad, records["c01"]]))
    assert "Identifiant de candidat refusé" in result["../c01"]["erreur"] and "lettre" not in result["../c01"]
    assert result["c01"]["documents"][0]["numero"] == "MDPC-2027-0001"
    assert sorted(p.name for p in (root / "rapports").rglob("*.html")) == ["certificat_c01.html", "lettre_c01.html"]
