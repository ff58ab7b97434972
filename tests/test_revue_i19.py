"""A hostile review of what a certification body issues after a jury (issue 19): health data in refusal
messages, the register across several juries, erasure, malformed registration files, the key's permissions."""

from __future__ import annotations

import contextlib
import datetime as dt
import json

import pytest
from test_amenagements import ADVICE, submission

from mdpc.core import cohort
from mdpc.core import exemptions as ex
from mdpc.core.record import build_records
from mdpc.core.referential import default as default_referential

REF = default_referential()
HEALTH = "cécité totale"



class _Book:
    """A gradebook that no longer knows the candidate (nbgrader's MissingEntry), for the erasure."""

    def remove_student(self, candidate):
        from nbgrader.api import MissingEntry

        raise MissingEntry()


class FakeCourse:
    """A course folder without nbgrader: what the erasure needs of a course."""

    def __init__(self, root):
        self.root = root

    def gradebook(self):
        return contextlib.nullcontext(_Book())


def test_a_refusal_never_quotes_free_text_of_the_jurys_file():
    """A refusal goes into the record, the minutes, the CSV and the command line: a value written by mistake
    with a health detail in it (minutes, competency, adaptation, criterion, a key) is not copied there."""
    data = {"candidats": {"c01": {
        "dossier": "AH-1",
        "amenagements": {"temps_supplementaire": {"minutes": f"60 ({HEALTH})", "avis_referent": ADVICE},
                         "format_adapte": [{"competence": f"C2.5 {HEALTH}", "adaptation": "distance",
                                            "avis_referent": ADVICE},
                                           {"competence": "C2.5", "adaptation": f"oral car {HEALTH}",
                                            "avis_referent": ADVICE}],
                         f"lecteur ({HEALTH})": {"avis_referent": ADVICE}},
        "dispenses": [{"competence": f"C4.2 {HEALTH}", "critere": 3, "avis_referent": ADVICE},
                      {"competence": "C4.2", "critere": 3, "avis_referent": ADVICE, "date_decision_jury": "2027-01-05",
                       ex.CONDITION_CAPACITY: {"affirmee": True, "motif": ADVICE}},
                      {"competence": "C4.2", "critere": f"3 {HEALTH}", "avis_referent": ADVICE}],
        f"note {HEALTH}": "x"}}}
    data["candidats"]["c02"] = {"dossier": "AH-2", "amenagements": {"format_adapte": [
        {"competence": "C2.5", "adaptation": "cecite", "avis_referent": ADVICE}]}}  # one word, code-like
    accs = ex.parse(data, REF)
    assert len(accs.refusals) == 9, accs.refusals
    assert "cecite" not in " ".join(r.message for r in accs.refusals)
    records = build_records({"c01": submission("c01")}, accs, "Session")
    for text in ([r.message for r in accs.refusals], json.dumps([r.to_json() for r in records], ensure_ascii=False),
                 cohort.minutes_csv(records).to_csv()):
        assert HEALTH not in str(text)
    messages = " ".join(r.message for r in accs.refusals)
    assert "texte libre non recopié" in messages and "compétence « C9.9 » inconnue" in " ".join(
        r.message for r in ex.parse({"candidats": {"c": {"dossier": "A", "dispenses": [
            {"competence": "C9.9", "critere": 1}]}}}, REF).refusals)
    named = ex.parse({"candidats": {"c": {"dossier": "A", "dyslexie": True, "amenagements": {
        "dyslexie": {"avis_referent": ADVICE}}}}}, REF).refusals  # a key named after the condition
    assert len(named) == 2 and not any("dyslexie" in r.message for r in named)


def test_exemptions_written_as_a_mapping_are_refused_once_and_clearly():
    accs = ex.parse({"candidats": {"c01": {"dossier": "AH-2", "dispenses": {
        "competence": "C4.2", "critere": 3, "avis_referent": ADVICE, "date_decision_jury": dt.date(2027, 1, 5)}}}}, REF)
    assert [r.message for r in accs.refusals] == [
        "Dispenses refusées pour c01 : « dispenses » s'écrit comme une liste, une demande par tiret "
        "(« - competence: … »)."]


def test_a_later_jury_keeps_the_date_and_the_code_of_a_bloc_already_attested(tmp_path):
    """The jury of 15 January validates blocs 1 and 3 and defers bloc 4; the jury of 1 March validates bloc 4. The
    attestation of bloc 1 the candidate holds still verifies and still says 15 January: bloc 1 was validated then."""
    import re

    from test_documents import PENDING, by_id, course, issue, record, text_of

    from mdpc.core.register import Register, verify

    root = course(tmp_path)
    first = by_id(issue(root, [record("c02", PENDING)]))["c02"]["documents"]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     first[0]["html"].read_text(encoding="utf-8")).group(1)
    second = by_id(issue(root, [record("c02", {**PENDING, 4: 2})], day=dt.date(2027, 3, 1), place="Annecy",
                         today=dt.date(2027, 3, 2)))["c02"]
    later = second["documents"]
    assert ("à compter de la décision du jury qui les a validés, soit jusqu'au 15 janvier 2032 pour RNCP00000BC01 ; "
            "15 janvier 2032 pour RNCP00000BC03 ; 1er mars 2032 pour RNCP00000BC04") in text_of(second["lettre"]["html"])
    assert [(d["bloc"][-4:], d["etat"]) for d in later] == [("BC01", "réédition"), ("BC03", "réédition"),
                                                            ("BC04", "nouveau")]
    assert verify(root, first[0]["numero"], code).ok
    entries = {e.bloc[-4:]: e for e in Register.load(root).entries}
    assert (entries["BC01"].date_delivrance, entries["BC01"].lieu) == ("2027-01-15", "Lyon")
    assert (entries["BC04"].date_delivrance, entries["BC04"].lieu) == ("2027-03-01", "Annecy")
    page = text_of(later[0]["html"])
    assert "jury réuni le 15 janvier 2027 à Lyon" in page and "1er mars 2027" not in page


def test_one_malformed_registration_never_stops_the_others(tmp_path):
    """A birth date written 12/04/1991 for one candidate: their documents are refused with the reason, the minutes
    say their registration could not be read, the other candidates get theirs."""
    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.app import minutes_context

    people = {"c01": {"nom": "Fontaine", "prenom": "Léa", "date_naissance": "1994-03-17"},
              "c02": {"nom": "Lambert", "prenom": "Hugo", "date_naissance": "12/04/1991"}}
    root = course(tmp_path, people)
    recs = [record("c01", CERTIFIED), record("c02", CERTIFIED)]
    result = by_id(issue(root, recs))
    assert result["c01"]["documents"][0]["nature"] == "certificat"
    assert result["c02"]["documents"] == [] and "lettre" in result["c02"]
    assert "c02 : « date_naissance » n'est pas une date (AAAA-MM-JJ)" in result["c02"]["refus"][0]
    routes = minutes_context(root, recs, {"date": "2027-01-15", "lieu": "Lyon"})["voies_acces"]
    assert routes == {"c01": "non renseignée", "c02": "illisible dans candidats.yaml"}


def test_erasure_removes_the_registration_too(tmp_path):
    """``mdpc effacer`` keeps the register's minimum, not the candidate's whole registration (name, birth date and
    place, access route) in candidats.yaml; a jury file broken by hand is said, and does not stop the erasure."""

    import yaml
    from test_documents import course

    from mdpc.grading import erasure

    root = course(tmp_path)
    (root / "dispenses.yaml").write_text("candidats:\n  c01: [\n", encoding="utf-8")  # broken by hand
    done = erasure.erase_candidate(FakeCourse(root), "c01")
    assert "dispenses.yaml illisible (YAML invalide), laissé tel quel : retirez-en le candidat à la main" in done
    text = (root / "candidats.yaml").read_text(encoding="utf-8")
    assert "Fontaine" not in text and "1994-03-17" not in text and "Annecy" not in text
    assert set(yaml.safe_load(text)["candidats"]) == {"c02", "c03", "c04"}
    assert text.startswith("# Inscription des candidats (données personnelles)")
    assert any(line.startswith("candidats.yaml : inscription du candidat retirée") for line in done)


def test_a_genuine_number_and_code_on_an_altered_document_is_caught_when_its_holder_is_given(tmp_path, capsys):
    """Mallory copies Léa's number and code onto a certificate in her own name: the number and code verify, so the
    verifier is told to compare, and `--titulaire` / `--naissance` compare for them."""
    import re

    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.cli import main
    from mdpc.core.register import verify

    root = course(tmp_path)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa\n", encoding="utf-8")
    doc = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     doc["html"].read_text(encoding="utf-8")).group(1)
    plain = verify(root, doc["numero"], code)
    assert plain.ok and "n'est authentique que s'il porte exactement les mentions" in plain.message
    assert verify(root, doc["numero"], code, "lea  fontaine", "17/03/1994").ok
    forged = verify(root, doc["numero"], code, "Mallory FAUSSAIRE")
    assert not forged.ok and "le titulaire inscrit au registre est « Léa FONTAINE »" in forged.message
    assert not verify(root, doc["numero"], code, "Léa Fontaine", "1994-03-18").ok
    assert "illisible" in verify(root, doc["numero"], code, "Léa Fontaine", "17 mars 94").message
    assert main(["verifier", doc["numero"], code, "--cours", str(root), "--titulaire", "Mallory FAUSSAIRE"]) == 1
    assert "altéré" in capsys.readouterr().out


def test_a_damaged_register_is_said_unreadable_in_french_never_a_traceback(tmp_path, capsys):
    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.cli import main
    from mdpc.core.register import REGISTER_FILE, RegisterError

    root = course(tmp_path)
    (root / "nbgrader_config.py").write_text("c = get_config()  # noqa\n", encoding="utf-8")
    number = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]["numero"]
    good = json.loads((root / REGISTER_FILE).read_text(encoding="utf-8"))
    for damage in ({"empreinte_code": "é"}, {"numero": 7}, {"remplacements": ["x"]}, {"reeditions": "2027-01-16"}):
        data = {**good, "documents": [{**good["documents"][0], **damage}]}
        (root / REGISTER_FILE).write_text(json.dumps(data), encoding="utf-8")
        assert main(["verifier", number, "AAAA-BBBB-CCCC-DDDD", "--cours", str(root)]) == 2, damage
        assert "illisible" in capsys.readouterr().err
        with pytest.raises(RegisterError, match="illisible"):  # no number is given from a register half-read
            issue(root, [record("c01", CERTIFIED)])


def test_badges_are_private_like_every_other_personal_file(tmp_path):
    """A badge names its holder and their results (README: personal data): nobody but the owner reads it."""
    import os
    import stat

    from test_exports import DEMO, record

    from mdpc.core import certification
    from mdpc.exports import write_badges

    paths = write_badges([record("c01", "Léa Fontaine")], tmp_path / "badges", certification.parse(DEMO),
                         dt.date(2027, 1, 20))
    assert paths
    for path in paths:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path
        assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(tmp_path / "badges").st_mode) == 0o700


def test_no_badge_outside_the_registration_period(tmp_path):
    """A certificate is refused when the jury's date is outside the RNCP registration; a badge of the same decision
    is refused alike, rather than attesting a certification that was not registered that day."""
    from test_exports import DEMO, record

    from mdpc.core import certification
    from mdpc.exports import ExportError, write_badges

    cert = certification.parse(DEMO)
    late = cert.registration_ends + dt.timedelta(days=1)
    with pytest.raises(ExportError, match="hors de la période d'enregistrement"):
        write_badges([record("c01", "Léa Fontaine")], tmp_path / "badges", cert, late)
    assert not (tmp_path / "badges").exists()


def test_a_letter_never_gives_a_false_reason_for_a_document_withheld(tmp_path):
    """A certificate refused because the jury sat outside the RNCP registration: the letter does not tell the
    candidate that their registration file is incomplete."""
    from test_documents import CERTIFIED, by_id, course, issue, record, text_of

    root = course(tmp_path)
    late = by_id(issue(root, [record("c01", CERTIFIED)], day=dt.date(2031, 1, 15)))["c01"]
    assert late["documents"] == [] and late["refus"]
    letter = text_of(late["lettre"]["html"])
    assert "adressé séparément" in letter and "dossier d'inscription" not in letter
    missing = by_id(issue(root, [record("c04", CERTIFIED)]))["c04"]  # no birth date in candidats.yaml
    assert "dès que votre dossier d'inscription sera complet" in text_of(missing["lettre"]["html"])


def test_the_jury_composition_left_empty_as_in_the_model_is_optional(tmp_path):
    """grilles/certification.yaml ships « composition_jury » with empty values: a certifier who fills every required
    field and leaves it so is not stopped by an optional section (the minutes say it is not configured)."""
    import yaml
    from test_exports import DEMO

    from mdpc import GRILLES_DIR
    from mdpc.core import certification

    model = yaml.safe_load((GRILLES_DIR / "certification.yaml").read_text(encoding="utf-8"))
    data = {**DEMO, "composition_jury": model["composition_jury"]}
    assert all(v is None for v in data["composition_jury"].values())
    assert certification.parse(data).jury_rule is None
    with pytest.raises(certification.CertificationError, match="membres_min"):
        certification.parse({**DEMO, "composition_jury": {**model["composition_jury"], "membres_min": "trois"}})


def test_a_lost_key_is_never_replaced_silently(tmp_path):
    """The course folder copied without its dot files (cp -r cours/* …): the register is there, its key is not. A new
    key would void every code already issued; the batch stops and says so, the issued codes stay verifiable once the
    key is restored."""
    import re

    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.core.register import KEY_FILE, verify
    from mdpc.reports.documents import DocumentError, check_batch

    root = course(tmp_path)
    doc = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     doc["html"].read_text(encoding="utf-8")).group(1)
    key = (root / KEY_FILE).read_bytes()
    (root / KEY_FILE).unlink()
    with pytest.raises(DocumentError, match="introuvable alors que le registre compte 1 document"):
        issue(root, [record("c01", CERTIFIED)])
    with pytest.raises(DocumentError, match="restaurez-la"):  # checked before the reports too (mdpc.app.publish)
        check_batch(root, "2027-01-15", "Lyon")
    assert not (root / KEY_FILE).exists()
    (root / KEY_FILE).write_bytes(key)
    assert verify(root, doc["numero"], code).ok


def test_an_identifier_reused_after_erasure_never_takes_over_an_issued_document(tmp_path):
    """c01 is erased (her register entry stays); the identifier c01 is later given to someone else in the same
    course folder. The newcomer gets a number of their own; Léa's certificate still verifies."""
    import re

    import yaml
    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.core.register import verify
    from mdpc.grading import erasure

    root = course(tmp_path)
    doc = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     doc["html"].read_text(encoding="utf-8")).group(1)
    erasure.erase_candidate(FakeCourse(root), "c01")
    people = yaml.safe_load((root / "candidats.yaml").read_text(encoding="utf-8"))
    people["candidats"]["c01"] = {"nom": "Autre", "prenom": "Personne", "date_naissance": "2001-05-05"}
    (root / "candidats.yaml").write_text(yaml.safe_dump(people, allow_unicode=True), encoding="utf-8")
    newcomer = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    assert newcomer["numero"] != doc["numero"] and newcomer["etat"] == "nouveau"
    assert verify(root, doc["numero"], code).ok


def test_a_key_restored_readable_by_others_is_made_private_again(tmp_path):
    """Whoever reads the key and the register can make the code of any document issued: a key restored from a
    backup with a mode of 0644 is closed again (0600) the first time it is used."""
    import os
    import stat

    from mdpc.core.register import KEY_FILE, load_key

    key = load_key(tmp_path)
    os.chmod(tmp_path / KEY_FILE, 0o644)
    assert load_key(tmp_path, create=False) == key
    assert stat.S_IMODE(os.stat(tmp_path / KEY_FILE).st_mode) == 0o600


def test_a_birth_date_mistyped_into_the_future_is_refused(tmp_path):
    """« 2094-03-17 » for 1994: no certificate says the holder is born after the jury (or a child); the reason is
    given, the others go on."""
    from test_documents import CERTIFIED, by_id, course, issue, record

    people = {"c01": {"nom": "Fontaine", "prenom": "Léa", "date_naissance": "2094-03-17"},
              "c02": {"nom": "Lambert", "prenom": "Hugo", "date_naissance": "2020-11-02"},
              "c03": {"nom": "Haddad", "prenom": "Nadia", "date_naissance": "1989-06-25"}}
    root = course(tmp_path, people)
    result = by_id(issue(root, [record(sid, CERTIFIED) for sid in people]))
    for sid in ("c01", "c02"):
        assert result[sid]["documents"] == [] and "date de naissance invraisemblable" in result[sid]["refus"][0]
    assert result["c03"]["documents"][0]["nature"] == "certificat"


def test_a_file_reference_written_as_a_section_is_not_cited(tmp_path):
    """« dossier: {numero: AH-1, avis: …} »: the minutes cite the reference as it is; a section would carry the
    referent's words into them."""
    accs = ex.parse({"candidats": {"c01": {"dossier": {"numero": "AH-1", "avis": HEALTH}, "amenagements": {
        "supports_adaptes": {"avis_referent": ADVICE}}}}}, REF)
    records = build_records({"c01": submission("c01")}, accs, "Session")
    assert HEALTH not in json.dumps([r.to_json() for r in records], ensure_ascii=False)
    assert HEALTH not in cohort.minutes_csv(records).to_csv()
    assert any("« dossier » est la seule référence" in r.message for r in accs.refusals)


def test_running_the_batch_again_the_same_day_is_not_a_duplicate(tmp_path):
    """The coordinator corrects a comment and runs « mdpc rapports » again the same day, before handing anything
    out: the certificates stay originals (no « duplicata » mark, no re-edition in the register). A later day is a
    re-edition, as before."""
    from test_documents import CERTIFIED, by_id, course, issue, record, text_of

    from mdpc.core.register import Register

    root = course(tmp_path)
    issue(root, [record("c01", CERTIFIED)])
    again = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    assert again["etat"] == "réécrit" and "duplicata" not in text_of(again["html"])
    assert Register.load(root).entries[0].reeditions == []
    later = by_id(issue(root, [record("c01", CERTIFIED)], today=dt.date(2027, 2, 1)))["c01"]["documents"][0]
    assert later["etat"] == "réédition" and "Réédition (duplicata) établie le 1er février 2027" in text_of(later["html"])


def test_a_document_still_verifies_from_the_archive_of_its_register(tmp_path, capsys):
    """The session's course folder is deleted at the end of retention (README); the certifier kept the register and
    its key in an archive folder, with no nbgrader in it: « mdpc verifier » still answers from there."""
    import re
    import shutil

    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.cli import main
    from mdpc.core.register import KEY_FILE, REGISTER_FILE

    root = course(tmp_path)
    doc = by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]
    code = re.search(r"code de vérification : <span class=\"code\">([^<]+)<",
                     doc["html"].read_text(encoding="utf-8")).group(1)
    archive = tmp_path / "archive"
    archive.mkdir()
    for name in (REGISTER_FILE, KEY_FILE):
        shutil.copy2(root / name, archive / name)
    shutil.rmtree(root)
    assert main(["verifier", doc["numero"], code, "--cours", str(archive)]) == 0
    assert "Léa FONTAINE" in capsys.readouterr().out
    assert main(["verifier", doc["numero"], code, "--cours", str(tmp_path)]) == 2
    assert "Aucun registre des documents délivrés" in capsys.readouterr().err


def test_a_lost_register_never_gives_the_same_numbers_again(tmp_path):
    """The register is lost, its key is there: starting from an empty register would give MDPC-2027-0001 to
    someone else while Léa's certificate carries it. The batch stops and says so."""
    from test_documents import CERTIFIED, by_id, course, issue, record

    from mdpc.core.register import REGISTER_FILE
    from mdpc.reports.documents import DocumentError

    root = course(tmp_path)
    assert by_id(issue(root, [record("c01", CERTIFIED)]))["c01"]["documents"][0]["numero"] == "MDPC-2027-0001"
    (root / REGISTER_FILE).unlink()
    with pytest.raises(DocumentError, match="introuvable alors que sa clé existe"):
        issue(root, [record("c02", CERTIFIED)])
    assert not (root / REGISTER_FILE).exists()


def test_a_pending_decision_says_which_blocs_are_not_validated(tmp_path):
    """Blocs 1 to 3 not validated, bloc 4 waiting for its levels: the letter's decision sentence does not read as if
    the jury had only deferred."""
    from test_documents import by_id, course, issue, record, text_of

    root = course(tmp_path)
    letter = text_of(by_id(issue(root, [record("c03", {1: 0, 2: 0, 3: 0, 4: None})]))["c03"]["lettre"]["html"])
    assert "Après délibération, il n'a pas validé 3 bloc(s) et a sursis à statuer sur 1 bloc(s) en attente" in letter
