"""The referential as a Moodle competency framework, in the CSV format of ``tool_lpimportcsv``.

Moodle's importer (``admin/tool/lpimportcsv/classes/framework_importer.php``) reads fourteen columns by
position, in the order its exporter writes them (``framework_exporter.php``), headed by the English strings
of ``lang/en/tool_lpimportcsv.php`` (:data:`HEADERS`). One row per object:

- the framework (« Is framework » = 1): the certification, identified by its RNCP number, with the scale
  (« Scale values »: the labels, comma-separated, as ``grade_scale::compact_items`` writes them) and its
  configuration (« Scale configuration »: JSON, first element ``{"scaleid": …}`` — the importer replaces the
  value by the scale it finds or creates —, then one entry per value with ``scaledefault`` and
  ``proficient``): the default value is the threshold « Acquis », every value from it up is proficient;
  « Taxonomy » names each level of the tree (domain for a bloc, competency, indicator for a criterion);
- a bloc, under the framework (empty « Parent ID number »: Moodle's top level), ID number its RNCP code;
- a competency, under its bloc, ID number its code (C1.1);
- a criterion, under its competency, ID number « C1.1-1 ».

Blocs and competencies carry the rule of the referential: ``core_competency\\competency_rule_all`` (every
child complete), outcome « complete » (2, ``competency::OUTCOME_COMPLETE``); a grid's « au_moins: N » gives
``competency_rule_points`` (one point per criterion, N required; the importer maps the criteria through their
« Exported ID »). Descriptions are HTML (« Description format » 1, ``FORMAT_HTML``), every text escaped by
:mod:`mdpc.core.safe_text`. Moodle cuts short names and ID numbers at 100 characters: short names are cut
here, at a word, and the criterion's whole text is in its description.
"""

from __future__ import annotations

import csv
import io
import json

from mdpc.core.certification import Certification
from mdpc.core.grids import Grid, Scale
from mdpc.core.referential import Bloc, Competency, Criterion, Referential
from mdpc.core.safe_text import csv_cell, html_text
from mdpc.exports.common import SPECIMEN_NOTE, ExportError, criterion_code

HEADERS = ("Parent ID number", "ID number", "Short name", "Description", "Description format", "Scale values",
           "Scale configuration", "Rule type (optional)", "Rule outcome (optional)", "Rule config (optional)",
           "Cross-referenced competency ID numbers", "Exported ID (optional)", "Is framework", "Taxonomy")
FORMAT_HTML = 1
RULE_ALL = "core_competency\\competency_rule_all"
RULE_POINTS = "core_competency\\competency_rule_points"
OUTCOME_NONE = 0
OUTCOME_COMPLETE = 2
TAXONOMIES = ("domain", "competency", "indicator")  # bloc, competency, criterion (competency_framework::TAXONOMY_…)
MAX_SHORT = 100  # framework_importer: shorten_text(…, 100)


def short(text: str, limit: int = MAX_SHORT) -> str:
    """`text` on one line, cut at a word to fit Moodle's `limit` characters (an ellipsis says it was cut)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:—-")
    return cut + "…"


def _p(*parts: str) -> str:
    return "".join(f"<p>{html_text(p)}</p>" for p in parts if p)


def scale_values(scale: Scale) -> str:
    """The scale's labels, lowest first, comma-separated (Moodle's ``compact_items``)."""
    labels = [scale.levels[k] for k in sorted(scale.levels)]
    bad = [label for label in labels if "," in label]
    if bad:
        raise ExportError(f"Le libellé de niveau « {bad[0]} » contient une virgule : Moodle sépare les valeurs d'une "
                          "échelle par des virgules. Changez ce libellé dans grilles/echelle.yaml.")
    return ",".join(labels)


def scale_configuration(scale: Scale) -> str:
    """Moodle's scale configuration: default « Acquis » (the threshold), proficient from it up."""
    items = [{"scaleid": "0"}]
    for position, level in enumerate(sorted(scale.levels), 1):  # Moodle numbers a scale's values from 1
        items.append({"id": position, "scaledefault": int(level == scale.acquired_from),
                      "proficient": int(scale.is_acquired(level))})
    return json.dumps(items, separators=(",", ":"))


def _rule(children: list[str], rule, export_ids: dict[str, int]) -> tuple[str, int, str]:
    """(rule type, outcome, config) for a node whose children have these ID numbers."""
    if rule == "tous":
        return RULE_ALL, OUTCOME_COMPLETE, "null"
    required = int(rule["au_moins"])
    config = {"base": {"points": required},
              "competencies": [{"id": export_ids[c], "points": 1, "required": 0} for c in children]}
    return RULE_POINTS, OUTCOME_COMPLETE, json.dumps(config, separators=(",", ":"))


def _criterion_html(crit: Criterion, grid: Grid | None, scale: Scale) -> str:
    text = "<p>" + html_text(crit.text) + "</p>"
    if crit.sub_points:
        text += "<ul>" + "".join(f"<li>{html_text(p)}</li>" for p in crit.sub_points) + "</ul>"
    if grid is not None:
        descriptors = grid.criteria[crit.number - 1].descriptors
        text += (f"<p>Niveaux de la grille (cas {html_text(grid.case)}) :</p><ul>"
                 + "".join(f"<li><strong>{k} — {html_text(scale.levels[k])}</strong> : {html_text(descriptors[k])}"
                           "</li>" for k in sorted(descriptors)) + "</ul>")
    return text


def rows(referential: Referential, scale: Scale, grids: dict[str, Grid], cert: Certification) -> list[list]:
    """Every row of the CSV, header first, in the referential's order."""
    export_ids: dict[str, int] = {}
    tree: list[tuple[str, str, object]] = []  # (parent ID number, ID number, object)
    for bloc in referential.blocs:
        tree.append(("", cert.bloc_code(bloc.number), bloc))
        for code in bloc.competencies:
            comp = referential.competency(code)
            tree.append((cert.bloc_code(bloc.number), comp.code, comp))
            tree.extend((comp.code, criterion_code(comp.code, c.number), c) for c in comp.criteria)
    for n, (_, idnumber, _) in enumerate(tree, 1):
        if idnumber in export_ids:
            raise ExportError(f"Le numéro d'identification « {idnumber} » apparaît deux fois dans le référentiel "
                              "exporté vers Moodle : chaque bloc, compétence et critère doit avoir le sien.")
        export_ids[idnumber] = n
    children: dict[str, list[str]] = {}
    for parent, idnumber, _ in tree:
        children.setdefault(parent, []).append(idnumber)
    framework = [
        "", cert.rncp, short(f"{cert.acronym} — {cert.title}"),
        _p(f"{cert.title} ({cert.acronym})", cert.registration_text(), f"Niveau : {cert.level_text()}.",
           f"Code(s) NSF : {cert.nsf_text()}.", f"Certificateur : {cert.certifier}.",
           "Échelle : " + ", ".join(f"{k} {v}" for k, v in sorted(scale.levels.items()))
           + f" ; un critère est acquis à partir du niveau {scale.acquired_from} "
             f"({scale.levels[scale.acquired_from]}).",
           SPECIMEN_NOTE if cert.specimen else ""),
        FORMAT_HTML, scale_values(scale), scale_configuration(scale), "", "", "", "", "", 1, ",".join(TAXONOMIES)]
    out = [list(HEADERS), framework]
    for parent, idnumber, node in tree:
        rule_type, outcome, config = "", OUTCOME_NONE, "null"
        if isinstance(node, Bloc):
            name = f"Bloc {node.number} — {node.title}"
            text = _p(name, f"Code du bloc au RNCP : {idnumber}.",
                      "Le bloc est validé quand toutes ses compétences le sont.")
            rule_type, outcome, config = _rule(children[idnumber], "tous", export_ids)
        elif isinstance(node, Competency):
            name = f"{node.code} — {node.title}"
            grid = grids.get(node.code)
            rule = grid.rule if grid else scale.default_rule
            text = _p(name, f"Activité {node.activity}.", f"Modalité d'évaluation : {node.modality.title}.",
                      node.modality.text,
                      "La compétence est validée quand tous ses critères non dispensés sont acquis."
                      if rule == "tous" else
                      f"La compétence est validée quand au moins {rule['au_moins']} de ses critères sont acquis.")
            rule_type, outcome, config = _rule(children[idnumber], rule, export_ids)
        else:
            name = f"{idnumber} — {node.text}"
            text = _criterion_html(node, grids.get(node.competency), scale)
        out.append([parent, idnumber, short(name), text, FORMAT_HTML, "", "", rule_type, outcome, config, "",
                    export_ids[idnumber], "", ""])
    return out


def framework_csv(referential: Referential, scale: Scale, grids: dict[str, Grid], cert: Certification) -> str:
    """The CSV text Moodle imports (Administration du site › Compétences › Importer un référentiel de
    compétences; séparateur « , », encodage UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows(referential, scale, grids, cert):
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue()
