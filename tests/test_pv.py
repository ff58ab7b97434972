"""The certification's identity, the candidates' registration and the complete jury minutes (pure parts)."""

import copy
import datetime as dt
import re

import nbformat
import pytest
import yaml

from mdpc.app import minutes_context
from mdpc.authoring.demo_cohort import certification as demo_certification
from mdpc.authoring.demo_cohort import enrolments as demo_enrolments
from mdpc.core import certification as cert
from mdpc.core import cohort
from mdpc.core import enrolment as en
from mdpc.core import exemptions as ex
from mdpc.core import roster as rs
from mdpc.core.decisions import CriterionResult, LevelSource, Outcome
from mdpc.core.minutes import bloc_reasons, check_composition, lateness_rule, parse_day
from mdpc.core.record import build_records
from mdpc.core.referential import default as default_referential
from mdpc.core.submissions import Submission

REF = default_referential()
IDENTITY = demo_certification()
JURY = {"jury": [{"nom": "Mme Bernard", "qualite": "présidente", "president": True, "interne": False},
                 {"nom": "M. Keller", "qualite": "professionnel du secteur", "interne": False},
                 {"nom": "Mme Aubert", "qualite": "formatrice", "interne": True}]}


def test_the_demo_identity_carries_every_mention_and_is_a_specimen():
    c = cert.parse(IDENTITY)
    assert c.specimen and c.rncp == "RNCP00000" and c.level == c.european_level == 7
    assert c.bloc_codes == {n: f"RNCP00000BC0{n}" for n in (1, 2, 3, 4)}
    lines = " ".join(c.header_lines())
    for mention in ("Manager développement et performance commerciale", "RNCP00000", "26 juin 2025",
                    "décret n° 2019-14", "cadre européen", "312 (Commerce, vente)", "École fictive"):
        assert mention in lines, mention
    assert c.valid_on(dt.date(2027, 1, 15)) and not c.valid_on(dt.date(2031, 1, 1))


@pytest.mark.parametrize("path, value, field", [
    (("certification", "rncp"), "12345", "certification.rncp"),
    (("certification", "niveau"), 9, "certification.niveau"),
    (("certification", "niveau"), None, "certification.niveau"),
    (("certification", "date_enregistrement"), "juin 2025", "certification.date_enregistrement"),
    (("certification", "nsf"), [{"code": "commerce"}], "certification.nsf"),
    (("certification", "blocs"), {1: "RNCP99999BC01", 2: "x", 3: "RNCP00000BC03", 4: "RNCP00000BC04"},
     "certification.blocs.1"),
    (("certificateur", "raison_sociale"), "", "certificateur.raison_sociale"),
    (("recours", "delai_jours"), "deux mois", "recours.delai_jours"),
    (("composition_jury", "part_externes_min"), 2, "composition_jury».part_externes_min"),
])
def test_a_missing_or_malformed_identity_field_is_named(path, value, field):
    data = copy.deepcopy(IDENTITY)
    data[path[0]][path[1]] = value
    with pytest.raises(cert.CertificationError, match=re.escape(field.replace("»", " »"))
                       if "»" in field else re.escape(f"« {field}")):
        cert.parse(data)


def test_the_projects_identity_file_stops_everything_until_filled(tmp_path):
    with pytest.raises(cert.CertificationError) as caught:
        cert.load(tmp_path)  # no course file: the project's, shipped empty
    message = str(caught.value)
    assert "certificateur.raison_sociale" in message and "certification.rncp" in message
    assert "aucun document n'a été produit" in message
    (tmp_path / cert.FILE_NAME).write_text(yaml.safe_dump(IDENTITY, allow_unicode=True), encoding="utf-8")
    assert cert.load(tmp_path).rncp == "RNCP00000"  # the course's file comes first


def test_enrolment_file(tmp_path):
    enrolments = en.parse(demo_enrolments())
    assert enrolments.get("c03").route_label == "validation des acquis de l'expérience (VAE)"
    assert enrolments.get("c03").full_name() == "Nadia HADDAD"
    assert enrolments.get("inconnu").route_label == "non renseignée"
    with pytest.raises(en.EnrolmentError, match="voie d'accès « alternance » inconnue"):
        en.parse({"candidats": {"x": {"voie_acces": "alternance"}}})
    with pytest.raises(en.EnrolmentError, match="n'est pas une date"):
        en.parse({"candidats": {"x": {"date_naissance": "12/04/1990"}}})
    assert en.load(tmp_path).by_candidate == {}


def test_the_jury_composition_is_checked_against_the_declared_rule():
    rule = cert.parse(IDENTITY).jury_rule
    assert check_composition(rs.parse(JURY).jury, rule) == []
    internal_chair = copy.deepcopy(JURY)
    internal_chair["jury"][0]["interne"] = True
    gaps = check_composition(rs.parse(internal_chair).jury, rule)
    assert any("présidence n'est pas confiée à un membre extérieur" in g for g in gaps)
    assert any("1 membre(s) extérieur(s) sur 3" in g for g in gaps)
    two = {"jury": JURY["jury"][:2]}
    assert any("2 membre(s) déclaré(s), 3 au moins" in g for g in check_composition(rs.parse(two).jury, rule))
    undeclared = copy.deepcopy(JURY)
    del undeclared["jury"][1]["interne"]
    assert any("non déclaré" in g and "M. Keller" in g for g in check_composition(rs.parse(undeclared).jury, rule))
    assert "aucune règle" in check_composition(rs.parse(JURY).jury, None)[0]
    assert "fiche RNCP00000, rubrique « Voies d'accès »" in rule.statement("RNCP00000")


def _record(student, pending=(), failed=(), divergent=False):
    results = {}
    for code, comp in REF.competencies.items():
        for k in comp.criteria:
            r = CriterionResult(code, k.number)
            if (code, k.number) not in pending:
                r.level, r.source = (0 if (code, k.number) in failed else 2), LevelSource.GRADER
            results[(code, k.number)] = r
    due = dt.datetime(2027, 1, 8, 11, 0)
    sub = Submission(student, f"Candidat {student}", results, due, due, 1.0, 2.0, assignment="B4")
    return sub


def test_the_minutes_say_why_each_bloc_is_not_validated_and_counts_agree():
    subs = {"a": _record("a", pending=[("C4.1", 2)], failed=[("C4.3", 1)]), "b": _record("b", pending=[("C2.5", 3)]),
            "c": _record("c")}
    records = {r.id: r for r in build_records(subs, ex.Accommodations(), "S")}
    reasons = bloc_reasons(records["a"])
    assert set(reasons) == {4}
    assert "compétence(s) non validée(s) : C4.3" in reasons[4] and "C4.1-2 en attente" in reasons[4]
    assert bloc_reasons(records["b"]) == {2: "critère(s) à arrêter : C2.5-3 en attente"}
    assert bloc_reasons(records["c"]) == {}
    comps = cohort.outcome_counts(list(records.values()), "competences")
    blocs = cohort.outcome_counts(list(records.values()), "blocs")
    assert comps[Outcome.PENDING.label].sum() == blocs["dont compétences en attente"].sum() == 2
    assert blocs.set_index("Bloc").loc["Bloc 4", Outcome.NOT_VALIDATED.label] == 1


def test_the_minutes_context_is_read_from_the_course_folder(tmp_path):
    (tmp_path / cert.FILE_NAME).write_text(cert.dump(IDENTITY), encoding="utf-8")
    (tmp_path / rs.ROSTER_FILE).write_text(rs.dump(JURY), encoding="utf-8")
    (tmp_path / en.FILE_NAME).write_text(en.dump(demo_enrolments()), encoding="utf-8")
    records = build_records({"c03": _record("c03"), "x9": _record("x9")}, ex.Accommodations(), "S")
    ctx = minutes_context(tmp_path, records, {"date": "2027-01-15", "lieu": "Lyon"})
    assert ctx["date"] == "15 janvier 2027" and ctx["lieu"] == "Lyon"
    assert ctx["voies_acces"] == {"c03": "validation des acquis de l'expérience (VAE)", "x9": "non renseignée"}
    assert ctx["noms"] == {"c03": "Nadia HADDAD", "x9": "Candidat x9"}  # civil identity, else the gradebook's name
    assert [m["statut"] for m in ctx["jury"]] == ["extérieur", "extérieur", "interne"]
    assert ctx["ecarts_composition"] == [] and ctx["certification"]["specimen"] is True
    assert ctx["regle_retard"] == lateness_rule(0) and "temps supplémentaire" in ctx["regle_retard"]
    (tmp_path / rs.ROSTER_FILE).unlink()
    assert "aucun membre du jury" in minutes_context(tmp_path, records)["ecarts_composition"][0]


def test_report_pages_fetch_nothing_from_the_network(tmp_path):
    from mdpc.reports.batch import to_html

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Titre\n\n$x^2$ et un tableau"),
                nbformat.v4.new_code_cell("1", outputs=[nbformat.v4.new_output(
                    "display_data", {"text/html": "<b>ok</b>", "text/plain": "ok"})])]
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    page = to_html(nb, tmp_path / "r.html", "Titre")
    remote = re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//[^"'\s>]+""", page, re.I)
    assert remote == [] and "require.js" not in page and "mathjax" not in page.lower()
    assert 'lang="fr"' in page and "<b>ok</b>" in page


def test_one_reading_of_the_deliberation_date_for_the_minutes_and_the_documents():
    """The minutes and the documents read the jury's date the same way: a date written « 15/01/2027 » is shown
    « 15 janvier 2027 » in both, and what is no date stays as it was written in the minutes."""
    from mdpc.reports.documents import DocumentError, parse_deliberation_date

    day = dt.date(2027, 1, 15)
    for written in ("2027-01-15", "15 janvier 2027", "15/01/2027", " 15  Janvier 2027 ", day):
        assert parse_day(written) == parse_deliberation_date(written) == day, written
    assert parse_day("1er mars 2027") == dt.date(2027, 3, 1)
    for unreadable in ("le quinze janvier", "30 février 2027", "31/04/2027", "2027-02-30", "15 janvir 2027"):
        assert parse_day(unreadable) is None
        with pytest.raises(DocumentError, match="AAAA-MM-JJ"):
            parse_deliberation_date(unreadable)
    assert parse_day("") is None and parse_deliberation_date("  ") is None
