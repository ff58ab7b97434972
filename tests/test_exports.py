"""Exports of the referential (Moodle, CASE 1.1) and of the results (Open Badges 3.0): each validates against its
vendored schema, a broken copy does not, the trees are whole, badges only for what the jury validated."""

import copy
import csv
import dataclasses
import datetime as dt
import io
import json
import re

import pytest

from mdpc.authoring import demo_cohort
from mdpc.cli import main
from mdpc.core import certification
from mdpc.core.decisions import CriterionResult, LevelSource
from mdpc.core.exemptions import Accommodation
from mdpc.core.grids import default_grids, default_scale
from mdpc.core.record import build_record
from mdpc.core.referential import default as default_referential
from mdpc.core.submissions import Submission
from mdpc.exports import (
    CASE_FILE,
    MOODLE_FILE,
    moodle,
    read_records,
    referential_text,
    write_badges,
    write_exports,
)
from mdpc.exports.badges import candidate_credentials
from mdpc.exports.case import package
from mdpc.exports.common import CASE_SCHEMA, OB_SCHEMA, ExportError, check, schema_errors, uid

REF = default_referential()
SCALE = default_scale()
GRIDS = default_grids()
DEMO = demo_cohort.certification()
CERT = certification.parse(DEMO)
REAL = certification.parse({**DEMO, "specimen": False})
JURY_DAY = dt.date(2027, 1, 20)


def record(sid: str, name: str, failing: tuple[int, ...] = (), unrated: tuple[int, ...] = ()):
    """A candidate rated 2 (« Acquis ») on every criterion, 0 in the `failing` blocs, unrated in `unrated`."""
    results = {}
    for code, comp in REF.competencies.items():
        for crit in comp.criteria:
            level = None if comp.bloc in unrated else 0 if comp.bloc in failing else 2
            results[(code, crit.number)] = CriterionResult(code, crit.number, level=level,
                                                           source=LevelSource.GRADER if level is not None else None)
    due = dt.datetime(2027, 1, 8, 11, 0)
    return build_record(Submission(sid, name, results, due, due, 0.0, 0.0), Accommodation(sid), [], "Session de test")


@pytest.fixture(scope="module")
def case_package():
    return package(REF, SCALE, GRIDS, CERT)


# -- Moodle ----------------------------------------------------------------------------------------------------

def test_the_moodle_framework_parses_back_with_one_row_per_object():
    rows = list(csv.reader(io.StringIO(referential_text("moodle", CERT))))
    assert tuple(rows[0]) == moodle.HEADERS and len(moodle.HEADERS) == 14
    framework, body = rows[1], rows[2:]
    counts = (len(REF.blocs), len(REF.competencies), len(REF.criteria))
    assert counts == (4, 20, 69)  # DESIGN.md: the certification in numbers
    assert len(body) == sum(counts)
    assert framework[1] == CERT.rncp and framework[12] == "1" and framework[4] == "1"
    assert framework[5] == "Non acquis,Partiellement acquis,Acquis,Maîtrisé"
    config = json.loads(framework[6])
    assert "scaleid" in config[0]
    assert [(c["id"], c["scaledefault"], c["proficient"]) for c in config[1:]] == [(1, 0, 0), (2, 0, 0), (3, 1, 1),
                                                                                 (4, 0, 1)]
    assert "SPÉCIMEN" in framework[3]
    ids = [r[1] for r in body]
    assert len(set(ids)) == len(ids) and all(len(r[2]) <= 100 for r in rows[1:])
    blocs = {CERT.bloc_code(b.number) for b in REF.blocs}
    kinds = {"bloc": 0, "competency": 0, "criterion": 0}
    seen = set()
    for parent, idnumber, *_ in body:  # a parent always precedes its children; Moodle's top level is ""
        if parent == "":
            assert idnumber in blocs
            kinds["bloc"] += 1
        elif parent in blocs:
            assert REF.competency(idnumber).bloc == REF.bloc(int(parent[-2:])).number
            kinds["competency"] += 1
        else:
            code, number = idnumber.split("-")
            assert code == parent and REF.criterion(code, int(number))
            kinds["criterion"] += 1
        assert parent == "" or parent in seen
        seen.add(idnumber)
    assert tuple(kinds.values()) == counts
    for row in body:
        is_leaf = "-" in row[1]
        assert (row[7], row[8], row[9]) == (("", "0", "null") if is_leaf else (moodle.RULE_ALL, "2", "null"))
        assert row[4] == "1" and row[3].startswith("<p>")
    first = next(r for r in body if r[1] == "C1.1-1")
    assert REF.criterion("C1.1", 1).text.replace("'", "&#x27;") in first[3]


def test_a_grid_that_needs_only_some_criteria_gets_moodles_points_rule():
    grids = dict(GRIDS, **{"C1.1": dataclasses.replace(GRIDS["C1.1"], rule={"au_moins": 2})})
    rows = moodle.rows(REF, SCALE, grids, CERT)
    row = next(r for r in rows if r[1] == "C1.1")
    assert row[7] == moodle.RULE_POINTS
    config = json.loads(row[9])
    children = [r[11] for r in rows if r[0] == "C1.1"]
    assert config["base"]["points"] == 2 and [c["id"] for c in config["competencies"]] == children


# -- CASE ------------------------------------------------------------------------------------------------------

def test_the_case_package_validates_and_its_associations_form_the_tree(case_package):
    assert schema_errors(case_package, CASE_SCHEMA) == []
    rfc4122 = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")  # UUID v5
    assert all(rfc4122.fullmatch(m) for m in re.findall(r'"identifier": "([^"]*)"', json.dumps(case_package)))
    doc = case_package["CFDocument"]
    assert doc["creator"] == CERT.certifier and doc["language"] == "fr" and CERT.rncp in doc["title"]
    assert "officialSourceURL" not in doc  # a specimen's number points to no real RNCP sheet
    real = package(REF, SCALE, GRIDS, REAL)["CFDocument"]
    assert real["officialSourceURL"].endswith("/rncp/00000/") and real["adoptionStatus"] == "Adopted"
    items = {i["identifier"]: i for i in case_package["CFItems"]}
    assert len(items) == len(REF.blocs) + len(REF.competencies) + len(REF.criteria)
    parent = {}
    by_parent: dict[str, list[tuple[int, str]]] = {}
    for a in case_package["CFAssociations"]:
        assert a["associationType"] == "isChildOf"
        child, dest = a["originNodeURI"]["identifier"], a["destinationNodeURI"]["identifier"]
        assert child in items and child not in parent and (dest in items or dest == doc["identifier"])
        parent[child] = dest
        by_parent.setdefault(dest, []).append((a["sequenceNumber"], items[child]["humanCodingScheme"]))
    assert set(parent) == set(items)
    for ident in items:  # every item reaches the document: bloc, competency, criterion
        depth, node = 0, ident
        while node != doc["identifier"]:
            node, depth = parent[node], depth + 1
        assert depth == {"Bloc de compétences": 1, "Compétence": 2, "Critère d'évaluation": 3}[items[ident]["CFItemType"]]
    top = sorted(by_parent[doc["identifier"]])
    assert top == [(n, CERT.bloc_code(b.number)) for n, b in enumerate(REF.blocs, 1)]
    c11 = sorted(by_parent[uid(CERT, "item", "C1.1")])
    assert c11 == [(c.number, f"C1.1-{c.number}") for c in REF.competency("C1.1").criteria]
    assert items[uid(CERT, "item", "C1.1-1")]["fullStatement"] == REF.criterion("C1.1", 1).text
    rubrics = case_package["CFRubrics"]
    assert len(rubrics) == len(GRIDS)
    for rubric in rubrics:
        for crit in rubric["CFRubricCriteria"]:
            assert crit["CFItemURI"]["identifier"] in items
            levels = crit["CFRubricCriterionLevels"]
            assert [(lv["score"], lv["quality"]) for lv in levels] == [(float(k), v) for k, v in SCALE.levels.items()]
            assert all(lv["description"] for lv in levels)


# -- a broken export fails -------------------------------------------------------------------------------------

def _mutations(pkg: dict, cred: dict):
    """Copies of a valid CASE package and badge, each broken in one way a careless change could break it."""
    def mutated(document, change):
        document = copy.deepcopy(document)
        change(document)
        return document

    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFDocument"].pop("creator"))
    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFItems"][0].update(identifier="C1.1"))  # not a UUID
    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFItems"][1].update(lastChangeDateTime="hier"))
    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFAssociations"][0].pop("destinationNodeURI"))
    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFItems"][3].update(competence="C1.1"))  # not a CASE property
    yield CASE_SCHEMA, mutated(pkg, lambda d: d["CFRubrics"][0]["CFRubricCriteria"][0].update(position="1"))
    yield OB_SCHEMA, mutated(cred, lambda d: d.pop("validFrom"))
    yield OB_SCHEMA, mutated(cred, lambda d: d.update(validFrom="20/01/2027"))
    yield OB_SCHEMA, mutated(cred, lambda d: d["@context"].reverse())
    yield OB_SCHEMA, mutated(cred, lambda d: d.update(type=["VerifiableCredential"]))
    yield OB_SCHEMA, mutated(cred, lambda d: d["credentialSubject"]["achievement"].update(achievementType="Bloc"))
    yield OB_SCHEMA, mutated(cred, lambda d: d["credentialSubject"]["achievement"].pop("criteria"))
    yield OB_SCHEMA, mutated(cred, lambda d: d["credentialSubject"]["achievement"]["alignment"][0].pop("targetUrl"))


def test_a_broken_export_fails_its_schema(case_package):
    cred = candidate_credentials(record("c01", "Léa Fontaine"), REF, CERT, JURY_DAY)[CERT.bloc_code(1)]
    assert schema_errors(cred, OB_SCHEMA) == []
    for name, broken in _mutations(case_package, cred):
        assert schema_errors(broken, name), broken
        with pytest.raises(ExportError, match="ne respecte pas le schéma"):
            check(broken, name, "L'export")


# -- Open Badges -----------------------------------------------------------------------------------------------

def test_badges_only_for_the_blocs_the_jury_validated(case_package):
    item_uris = {i["uri"]: i["humanCodingScheme"] for i in case_package["CFItems"]}
    partial = candidate_credentials(record("c03", "Nadia Haddad", failing=(3,)), REF, CERT, JURY_DAY)
    assert list(partial) == [CERT.bloc_code(n) for n in (1, 2, 4)]  # no bloc 3, no certification
    pending = candidate_credentials(record("c04", "Maxime Roux", unrated=(1, 2, 3, 4)), REF, CERT, JURY_DAY)
    assert pending == {}
    full = candidate_credentials(record("c01", "Léa Fontaine"), REF, CERT, JURY_DAY)
    assert list(full) == [CERT.bloc_code(b.number) for b in REF.blocs] + [CERT.rncp]
    for code, cred in {**partial, **full}.items():
        assert schema_errors(cred, OB_SCHEMA) == []
        achievement = cred["credentialSubject"]["achievement"]
        assert achievement["achievementType"] == ("Certificate" if code == CERT.rncp else "MicroCredential")
        assert cred["issuer"]["name"] == CERT.certifier
        assert achievement["criteria"]["narrative"].startswith(
            "La certification est obtenue" if code == CERT.rncp else "Le jury valide le bloc")
        for a in achievement["alignment"]:
            assert a["targetType"] == "CFItem" and item_uris[a["targetUrl"]] == a["targetCode"]
            assert a["targetFramework"] == case_package["CFDocument"]["title"]
    bloc1 = full[CERT.bloc_code(1)]["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetCode"] for a in bloc1] == [CERT.bloc_code(1), *REF.bloc(1).competencies]


def test_a_specimen_identity_is_said_and_a_real_one_is_not():
    rec = record("c01", "Léa Fontaine")
    for cert, specimen in ((CERT, True), (REAL, False)):
        for cred in candidate_credentials(rec, REF, cert, JURY_DAY).values():
            achievement = cred["credentialSubject"]["achievement"]
            assert cred["specimen"] is specimen and achievement["specimen"] is specimen
            assert ("SPÉCIMEN" in cred["name"]) is specimen and ("SPÉCIMEN" in achievement["description"]) is specimen


def test_hostile_names_and_identifiers_stay_data(tmp_path):
    name = 'Zoé "</script><img src=x onerror=alert(1)>\n\u2028\\ \x00 ; =cmd|\' /C calc\'!A0'
    rec = record("../../évasion/c09", name)
    paths = write_badges([rec], tmp_path / "badges", CERT, JURY_DAY)
    assert paths and all(tmp_path / "badges" in p.parents for p in paths)
    for path in paths:
        cred = json.loads(path.read_text(encoding="utf-8"))
        assert cred["credentialSubject"]["name"] == name
        assert cred["credentialSubject"]["identifier"][0]["identityHash"] == rec.id
        assert schema_errors(cred, OB_SCHEMA) == []


# -- files, determinism, command ------------------------------------------------------------------------------

def test_two_exports_are_identical_and_identifiers_are_stable(tmp_path):
    records = [record("c01", "Léa Fontaine"), record("c03", "Nadia Haddad", failing=(3,))]
    first = write_exports(records, tmp_path / "a", CERT, JURY_DAY)
    second = write_exports(records, tmp_path / "b", CERT, JURY_DAY)
    assert [p.relative_to(tmp_path / "a") for p in first] == [p.relative_to(tmp_path / "b") for p in second]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    # the jury reverses a decision: the next export takes the withdrawn badge away
    again = write_badges([records[0], record("c03", "Nadia Haddad", failing=(2, 3))], tmp_path / "a" / "badges",
                         CERT, JURY_DAY)
    assert sorted(p.name for p in (tmp_path / "a" / "badges" / "c03").iterdir()) == \
        sorted(p.name for p in again if p.parent.name == "c03") == [f"{CERT.bloc_code(n)}.json" for n in (1, 4)]
    assert {p.name for p in first} >= {MOODLE_FILE, CASE_FILE}
    # fixed namespace: an identifier never changes from one release to the next (platforms recognise their items)
    assert uid(CERT, "item", "C1.1") == "6f56dfff-e41d-5f4a-b7ab-23c866bedcc4"


def test_the_command_exports_the_referential_and_the_badges(tmp_path, capsys):
    (tmp_path / certification.FILE_NAME).write_text(certification.dump(DEMO), encoding="utf-8")
    out = tmp_path / "moodle.csv"
    assert main(["exporter", "referentiel", "--format", "moodle", "--sortie", str(out), "--cours", str(tmp_path)]) == 0
    assert out.read_text(encoding="utf-8").startswith("Parent ID number,")
    assert main(["exporter", "referentiel", "--format", "case", "--sortie", str(tmp_path / "case.json"),
                 "--cours", str(tmp_path)]) == 0
    assert schema_errors(json.loads((tmp_path / "case.json").read_text(encoding="utf-8")), CASE_SCHEMA) == []
    results = tmp_path / "resultats"
    results.mkdir()
    records = [record("c01", "Léa Fontaine"), record("c03", "Nadia Haddad", failing=(3,))]
    (results / "cohorte.json").write_text(json.dumps([r.to_json() for r in records], ensure_ascii=False),
                                          encoding="utf-8")
    assert [r.id for r in read_records(results)] == ["c01", "c03"]
    alone = tmp_path / "sans_cohorte"  # the candidates' own files; the folder's other files are not records
    alone.mkdir()
    for r in records:
        (alone / f"{r.id}.json").write_text(json.dumps(r.to_json(), ensure_ascii=False), encoding="utf-8")
    (alone / "double_correction.json").write_text("[]", encoding="utf-8")
    (alone / "similitudes.json").write_text("[]", encoding="utf-8")
    assert [r.id for r in read_records(alone)] == ["c01", "c03"]
    (alone / "c05.json").write_text('{"candidat": {"id": "c05"}}', encoding="utf-8")
    with pytest.raises(ExportError, match="c05.json est illisible"):
        read_records(alone)
    assert main(["exporter", "badges", "--resultats", str(results), "--sortie", str(tmp_path / "badges"),
                 "--cours", str(tmp_path), "--date", "2027-01-20"]) == 0
    assert "8 badge(s) écrit(s)" in capsys.readouterr().out  # c01: 4 blocs + certification; c03: 3 blocs
    assert main(["exporter", "badges", "--resultats", str(results), "--sortie", str(tmp_path / "b"),
                 "--cours", str(tmp_path), "--date", "20/01/2027"]) == 2
    assert "AAAA-MM-JJ" in capsys.readouterr().err
    assert main(["exporter", "badges", "--resultats", str(tmp_path / "vide"), "--sortie", str(tmp_path / "b"),
                 "--cours", str(tmp_path)]) == 2
    assert "Aucun résultat" in capsys.readouterr().err
