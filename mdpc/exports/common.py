"""What the three exports share: deterministic identifiers, the vendored schemas and their validation.

Identifiers are UUIDs of version 5 drawn from one fixed namespace and a stable name (the RNCP number, a bloc
code, a competency code, « C1.1-1 » for a criterion): exporting the same referential twice gives the same
identifiers, and a platform that imported the first export recognises every item of the second. Nothing here
reaches the network: the schemas are files of ``mdpc/exports/schemas/`` (their sources: ``SOURCES.md``).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from functools import lru_cache
from pathlib import Path

from mdpc.core.certification import Certification
from mdpc.errors import MdpcError

# Fixed once and for all: changing it changes every identifier of every export already imported somewhere.
NAMESPACE = uuid.UUID("6f1d3a52-8c1e-5b7a-9d3e-4a2b1c0d9e8f")
SCHEMA_DIR = Path(__file__).parent / "schemas"
CASE_SCHEMA = "case_v1p1_cfpackage.json"
OB_SCHEMA = "ob_v3p0_achievementcredential.json"
SPECIMEN_NOTE = ("SPÉCIMEN — identité de certification fictive (démonstration) : ce document n'atteste aucune "
                 "certification réelle.")


class ExportError(MdpcError):
    """An export cannot be produced as it stands (message in French)."""


def uid(certification: Certification, kind: str, code: str = "") -> str:
    """The deterministic UUID of an exported object: its kind (« item », « association »…) and its code, within
    the certification's RNCP sheet (two certifications never share an identifier)."""
    return str(uuid.uuid5(NAMESPACE, f"{certification.rncp}/{kind}/{code}"))


def urn(identifier: str) -> str:
    """A URI for an identifier when no server publishes the object: ``urn:uuid:…`` (RFC 9562)."""
    return f"urn:uuid:{identifier}"


def criterion_code(competency: str, number: int) -> str:
    """« C1.1-1 »: the stable code of a criterion (competency code, hyphen, number in the referential)."""
    return f"{competency}-{number}"


def timestamp(day: dt.date) -> str:
    """A day as an ISO 8601 date-time with its time zone (midnight UTC): the form the schemas require."""
    return f"{day.isoformat()}T00:00:00Z"


@lru_cache(maxsize=4)
def schema(name: str) -> dict:
    """A vendored JSON schema (``CASE_SCHEMA`` or ``OB_SCHEMA``)."""
    return json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))


def schema_errors(document: dict, name: str) -> list[str]:
    """What the vendored schema `name` finds wrong in `document` (empty when it validates), one line per error.

    Formats are checked too (``uuid``, ``date-time``, ``date``) as far as ``jsonschema`` can without the
    network."""
    import jsonschema

    definition = schema(name)
    cls = jsonschema.validators.validator_for(definition)
    validator = cls(definition, format_checker=cls.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path)) or '(racine)'} : {e.message}"
            for e in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))]


def check(document: dict, name: str, what: str) -> dict:
    """`document` if it validates against the schema `name`; else a French ExportError naming what fails."""
    errors = schema_errors(document, name)
    if errors:
        raise ExportError(f"{what} ne respecte pas le schéma {name} ({len(errors)} erreur(s)) : "
                          + " ; ".join(errors[:5]) + ". Rien n'a été écrit.")
    return document


def dump_json(document: dict) -> str:
    """The JSON text of an export: UTF-8, indented, keys in the order built (so two exports are identical)."""
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
