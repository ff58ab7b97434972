"""The referential as a 1EdTech CASE 1.1 package (CFPackage, JSON), validated against 1EdTech's schema.

- ``CFDocument``: the certification — creator and publisher the certifier, title and RNCP number, level and NSF
  codes in its description and extensions, language ``fr``, status dates the registration's.
- ``CFItems``: blocs (``CFItemType`` « Bloc de compétences », ``humanCodingScheme`` the RNCP bloc code),
  competencies (« Compétence », C1.1) and criteria (« Critère d'évaluation », C1.1-1), texts verbatim from
  ``grilles/referentiel.yaml``.
- ``CFAssociations``: ``isChildOf`` from each item to its parent (a bloc to the document), ``sequenceNumber``
  its rank among its siblings, in the referential's order.
- ``CFDefinitions``: the three item types, the NSF codes as subjects.
- ``CFRubrics``: one rubric per competency grid (``grilles/competences/``), one ``CFRubricCriterion`` per
  criterion (its ``CFItemURI`` the criterion's item), with one ``CFRubricCriterionLevel`` per level of the
  scale: ``quality`` the label, ``score`` the level, ``description`` the grid's descriptor.

Every identifier is a UUID v5 of the RNCP number and the object's code (:func:`mdpc.exports.common.uid`), every
``uri`` its ``urn:uuid:`` form (no server publishes the package); ``lastChangeDateTime`` is the given date,
by default the registration's: two exports of the same referential are identical, byte for byte.
"""

from __future__ import annotations

import datetime as dt

from mdpc.core.certification import Certification
from mdpc.core.grids import Grid, Scale
from mdpc.core.referential import Referential
from mdpc.exports.common import CASE_SCHEMA, SPECIMEN_NOTE, check, criterion_code, timestamp, uid, urn

RNCP_SHEET = "https://www.francecompetences.fr/recherche/rncp/{number}/"  # the public sheet (not for a specimen)
ITEM_TYPES = (("bloc", "Bloc de compétences", "Bloc de compétences d'une certification professionnelle enregistrée "
               "au RNCP : ensemble homogène et cohérent de compétences, évaluées et validées (code RNCP…BC…)."),
              ("competence", "Compétence", "Compétence du référentiel de compétences et d'évaluation."),
              ("critere", "Critère d'évaluation", "Critère d'évaluation d'une compétence, cité à l'identique du "
               "référentiel ; acquis à partir du seuil de l'échelle."))


def _link(title: str, identifier: str) -> dict:
    return {"title": title, "identifier": identifier, "uri": urn(identifier)}


def _document(cert: Certification, when: str) -> dict:
    ident = uid(cert, "document")
    description = [cert.registration_text(), f"Niveau : {cert.level_text()}.", f"Code(s) NSF : {cert.nsf_text()}.",
                   f"Certificateur : {cert.certifier}."]
    if cert.specimen:
        description.insert(0, SPECIMEN_NOTE)
    doc = {"identifier": ident, "uri": urn(ident), "frameworkType": "Certification professionnelle (RNCP)",
           "caseVersion": "1.1", "creator": cert.certifier,
           "title": f"{cert.title} ({cert.acronym}) — {cert.rncp}", "lastChangeDateTime": when,
           **({} if cert.specimen else {"officialSourceURL": RNCP_SHEET.format(number=cert.rncp.removeprefix("RNCP"))}),
           "publisher": cert.certifier, "description": "\n\n".join(description),
           "subject": [str(n) for n in cert.nsf],
           "subjectURI": [_link(str(n), uid(cert, "nsf", n.code)) for n in cert.nsf],
           "language": "fr", "version": cert.registered_on.isoformat(),
           "adoptionStatus": "Draft" if cert.specimen else "Adopted",
           "statusStartDate": cert.registered_on.isoformat()}
    if cert.registration_ends:
        doc["statusEndDate"] = cert.registration_ends.isoformat()
    doc["notes"] = ("Référentiel d'évaluation exporté par mdpc : blocs, compétences et critères cités à l'identique "
                    "du référentiel ; grilles de niveaux en CFRubrics.")
    doc["extensions"] = {"rncp": cert.rncp, "niveau": cert.level, "niveauEuropeen": cert.european_level,
                         "nsf": [n.code for n in cert.nsf], "specimen": cert.specimen}
    return doc


def _definitions(cert: Certification, when: str) -> dict:
    types = [{"identifier": uid(cert, "type", key), "uri": urn(uid(cert, "type", key)), "title": title,
              "description": text, "hierarchyCode": str(depth), "typeCode": key, "lastChangeDateTime": when}
             for depth, (key, title, text) in enumerate(ITEM_TYPES, 1)]
    subjects = [{"identifier": uid(cert, "nsf", n.code), "uri": urn(uid(cert, "nsf", n.code)), "title": str(n),
                 "hierarchyCode": n.code, "description": f"Code NSF {n} (nomenclature des spécialités de formation).",
                 "lastChangeDateTime": when} for n in cert.nsf]
    return {"CFItemTypes": types, "CFSubjects": subjects}


def package(referential: Referential, scale: Scale, grids: dict[str, Grid], cert: Certification,
            changed: dt.date | None = None) -> dict:
    """The CFPackage (checked against the vendored CASE 1.1 schema; ExportError if it does not validate)."""
    when = timestamp(changed or cert.registered_on)
    doc = _document(cert, when)
    doc_link = _link(doc["title"], doc["identifier"])
    types = {key: _link(title, uid(cert, "type", key)) for key, title, _ in ITEM_TYPES}
    items: list[dict] = []
    associations: list[dict] = []

    def add(kind: str, code: str, statement: str, parent: dict, rank: int, **extra) -> dict:
        ident = uid(cert, "item", code)
        items.append({"identifier": ident, "fullStatement": statement, "CFItemType": types[kind]["title"],
                      "uri": urn(ident), "humanCodingScheme": code, "listEnumeration": str(rank), **extra,
                      "language": "fr", "CFItemTypeURI": types[kind], "lastChangeDateTime": when})
        link = _link(f"{code} — {statement}"[:200], ident)
        assoc = uid(cert, "association", f"{code}>{parent['identifier']}")
        associations.append({"identifier": assoc, "associationType": "isChildOf", "sequenceNumber": rank,
                             "uri": urn(assoc), "originNodeURI": link, "destinationNodeURI": parent,
                             "lastChangeDateTime": when})
        return link

    for b_rank, bloc in enumerate(referential.blocs, 1):
        code = cert.bloc_code(bloc.number)
        bloc_link = add("bloc", code, bloc.title, doc_link, b_rank, abbreviatedStatement=f"Bloc {bloc.number}",
                        notes=f"Activités : {', '.join(f'{a.code} {a.title}' for a in bloc.activities)}.")
        for c_rank, ccode in enumerate(bloc.competencies, 1):
            comp = referential.competency(ccode)
            comp_link = add("competence", comp.code, comp.title, bloc_link, c_rank,
                            notes=f"Activité {comp.activity}. Modalité d'évaluation : {comp.modality.title}. "
                                  f"{comp.modality.text}")
            for crit in comp.criteria:
                add("critere", criterion_code(comp.code, crit.number), crit.markdown(), comp_link, crit.number)
    rubrics = [_rubric(grid, referential, scale, cert, when) for code, grid in sorted(grids.items())]
    pkg = {"CFDocument": doc, "CFItems": items, "CFAssociations": associations,
           "CFDefinitions": _definitions(cert, when), "CFRubrics": rubrics}
    return check(pkg, CASE_SCHEMA, "Le paquet CASE du référentiel")


def _rubric(grid: Grid, referential: Referential, scale: Scale, cert: Certification, when: str) -> dict:
    comp = referential.competency(grid.competency)
    rubric_id = uid(cert, "rubric", grid.competency)
    criteria = []
    for gcrit in grid.criteria:
        code = criterion_code(grid.competency, gcrit.number)
        crit_id = uid(cert, "rubric-criterion", code)
        levels = [{"identifier": uid(cert, "rubric-level", f"{code}/{level}"),
                   "uri": urn(uid(cert, "rubric-level", f"{code}/{level}")), "description": gcrit.descriptors[level],
                   "quality": scale.levels[level], "score": float(level), "position": position,
                   "rubricCriterionId": crit_id, "lastChangeDateTime": when}
                  for position, level in enumerate(sorted(gcrit.descriptors), 1)]
        criteria.append({"identifier": crit_id, "uri": urn(crit_id), "category": grid.competency,
                         "description": gcrit.criterion.markdown(),
                         "CFItemURI": _link(code, uid(cert, "item", code)), "weight": 1.0,
                         "position": gcrit.number, "rubricId": rubric_id, "lastChangeDateTime": when,
                         "CFRubricCriterionLevels": levels})
    acquired = scale.levels[scale.acquired_from]
    return {"identifier": rubric_id, "uri": urn(rubric_id), "title": f"Grille de {comp.code} — {comp.title}",
            "description": f"Niveaux de chaque critère de {comp.code} dans le cas « {grid.case} » ; un critère est "
                           f"acquis à partir du niveau {scale.acquired_from} ({acquired}).",
            "lastChangeDateTime": when, "CFRubricCriteria": criteria}
