"""Exports to the platforms certifiers and schools use: the referential and the candidates' results.

- :mod:`mdpc.exports.moodle`: the referential as a Moodle competency framework (``tool_lpimportcsv`` CSV);
- :mod:`mdpc.exports.case`: the referential as a 1EdTech CASE 1.1 package (JSON), grids as CFRubrics;
- :mod:`mdpc.exports.badges`: validated blocs and certifications as Open Badges 3.0 credentials (JSON);
- :mod:`mdpc.exports.common`: deterministic identifiers, the vendored schemas (``schemas/``) and validation.

This layer reads :mod:`mdpc.core` only (referential, scale, grids, certification identity, records): the
command (``mdpc exporter``) and the demonstration call :func:`write_exports`. Nothing reaches the network.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from mdpc.core.certification import Certification
from mdpc.core.grids import Grid, Scale, default_grids, default_scale
from mdpc.core.record import CandidateRecord, load_records
from mdpc.core.referential import Referential
from mdpc.core.referential import default as default_referential
from mdpc.exports.common import ExportError, dump_json

MOODLE_FILE = "referentiel_moodle.csv"
CASE_FILE = "referentiel_case.json"
BADGES_DIR = "badges"
COHORT_FILE = "cohorte.json"


def _sources(referential, scale, grids) -> tuple[Referential, Scale, dict[str, Grid]]:
    return (referential or default_referential(), scale or default_scale(),
            default_grids() if grids is None else grids)


def referential_text(fmt: str, cert: Certification, *, referential: Referential | None = None,
                     scale: Scale | None = None, grids: dict[str, Grid] | None = None,
                     changed: dt.date | None = None) -> str:
    """The referential exported as `fmt` (« moodle »: CSV; « case »: JSON)."""
    from mdpc.exports import case, moodle

    referential, scale, grids = _sources(referential, scale, grids)
    if fmt == "moodle":
        return moodle.framework_csv(referential, scale, grids, cert)
    if fmt == "case":
        return dump_json(case.package(referential, scale, grids, cert, changed))
    raise ExportError(f"Format d'export inconnu « {fmt} » : « moodle » ou « case » sont possibles.")


def read_records(folder: str | Path) -> list[CandidateRecord]:
    """The records `mdpc rapports` wrote in `folder` (``rapports/resultats/``): ``cohorte.json``, else every
    ``<candidat>.json`` (the folder's other files, double marking and similarities, are not records)."""
    folder = Path(folder)
    cohort = folder / COHORT_FILE
    files = [cohort] if cohort.is_file() else sorted(folder.glob("*.json"))
    records = []
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if path == cohort or isinstance(data, dict) and "candidat" in data:
                loaded = load_records(data)
                records.extend(loaded if isinstance(loaded, list) else [loaded])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ExportError(f"Le fichier de résultats {path} est illisible ({exc!r}) : régénérez-le avec "
                              "« mdpc rapports ».") from exc
    if not records:
        raise ExportError(f"Aucun résultat dans {folder} : indiquez le dossier resultats/ que « mdpc rapports » a "
                          "écrit (il contient cohorte.json et un fichier JSON par candidat).")
    return records


def write_badges(records: list[CandidateRecord], out_dir: str | Path, cert: Certification, issued: dt.date,
                 referential: Referential | None = None) -> list[Path]:
    """One JSON file per credential earned: ``<out_dir>/<candidat>/<code>.json`` (code: the RNCP bloc code, or
    the RNCP number for the certification). Every credential is built and checked before any is written; a badge
    an earlier export wrote in a candidate's folder and that the records no longer grant is removed. Badges are
    personal data: folders 0700, files 0600."""
    from mdpc.exports.badges import candidate_credentials, file_stem

    if not cert.valid_on(issued):  # as for certificates and attestations (mdpc.reports.documents)
        raise ExportError(f"Aucun badge écrit : le {issued.isoformat()} est hors de la période d'enregistrement de la "
                          f"certification au RNCP ({cert.registration_text().rstrip('.')}) ; indiquez la date du jury "
                          "(--date AAAA-MM-JJ).")
    referential = referential or default_referential()
    earned = [(record, candidate_credentials(record, referential, cert, issued)) for record in records]
    stems = [file_stem(r.id) for r, _ in earned]
    if len(set(stems)) != len(stems):
        raise ExportError("Deux candidats auraient le même dossier de badges (identifiants qui ne diffèrent que par "
                          "des caractères remplacés) : rendez leurs identifiants distincts.")
    paths = []
    for stem, (_, credentials) in zip(stems, earned, strict=True):
        folder = Path(out_dir) / stem
        for stale in folder.glob(f"{cert.rncp}*.json"):  # a badge of an earlier export the jury no longer grants
            if stale.stem not in credentials:
                stale.unlink()
        for code, doc in credentials.items():
            path = folder / f"{code}.json"
            for made in (Path(out_dir), folder):  # a candidate's name and results: owner only, like the reports
                made.mkdir(parents=True, exist_ok=True)
                os.chmod(made, 0o700)
            _write_private(path, dump_json(doc))
            paths.append(path)
    return paths


def _write_private(path: Path, text: str) -> None:
    """Write `text` into `path`, readable by its owner only (0600), never through a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)


def write_exports(records: list[CandidateRecord], out_dir: str | Path, cert: Certification,
                  issued: dt.date | None = None) -> list[Path]:
    """Every export in `out_dir`: the Moodle framework, the CASE package and the badges (``badges/``), for the
    demonstration and the command; `issued` (the jury's day, by default today) dates the badges.
    Returns the files written."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    texts = {MOODLE_FILE: referential_text("moodle", cert), CASE_FILE: referential_text("case", cert)}
    paths = []
    for name, text in texts.items():
        (out / name).write_text(text, encoding="utf-8")
        paths.append(out / name)
    return paths + write_badges(records, out / BADGES_DIR, cert, issued or dt.date.today())
