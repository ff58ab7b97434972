"""Candidates' results as Open Badges 3.0 achievement credentials (unsigned), aligned to the CASE items.

One ``OpenBadgeCredential`` per candidate and bloc the jury validated, and one for the certification when it
is obtained: W3C Verifiable Credentials 2.0 contexts then Open Badges 3.0.3's, as OB 3.0 requires.

- ``issuer``: a ``Profile``, the certifier (its legal name); ``validFrom``: the day given (the jury's), at
  midnight UTC; ``validUntil`` for a bloc when the identity fixes how long acquired blocs remain valid.
- ``credentialSubject``: an ``AchievementSubject`` named by the candidate's identifier (an ``IdentityObject``,
  unhashed: the course's identifier, not a national number) and name.
- ``achievement``: a bloc is a ``MicroCredential`` (OB 3.0: « a subset of field-specific knowledge, skills, or
  competencies », what a RNCP bloc is), the whole certification a ``Certificate`` (« requisite knowledge and
  skills of an occupation »); ``criteria.narrative`` says in French what validates it; ``alignment`` points
  to the CASE items (``targetType`` ``CFItem``, ``targetFramework`` the CASE document's title, ``targetUrl``
  the item's ``urn:uuid:``, ``targetCode`` its code).
- A specimen identity (the demo's) is said in the credential's and the achievement's name and description and
  by ``"specimen": true`` (a term of the VC 2.0 context's issuer-dependent vocabulary): such a credential
  cannot be mistaken for a real one.

No proof is attached: see README, « Exports », for why these credentials are not signed.
"""

from __future__ import annotations

import datetime as dt
import re

from mdpc.core.certification import Certification
from mdpc.core.decisions import CertificationStatus, Outcome
from mdpc.core.grids import Scale, default_scale
from mdpc.core.record import CandidateRecord
from mdpc.core.referential import Bloc, Referential
from mdpc.exports.common import OB_SCHEMA, SPECIMEN_NOTE, check, timestamp, uid, urn

CONTEXTS = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
BLOC_TYPE = "MicroCredential"
CERTIFICATION_TYPE = "Certificate"


def _issuer(cert: Certification) -> dict:
    return {"id": urn(uid(cert, "issuer")), "type": ["Profile"], "name": cert.certifier,
            "description": f"Certificateur de la certification {cert.title} ({cert.rncp})."}


def _framework(cert: Certification) -> str:
    """The CASE document's title, as :mod:`mdpc.exports.case` writes it."""
    return f"{cert.title} ({cert.acronym}) — {cert.rncp}"


def _alignment(cert: Certification, code: str, name: str) -> dict:
    return {"type": ["Alignment"], "targetName": f"{code} — {name}", "targetUrl": urn(uid(cert, "item", code)),
            "targetType": "CFItem", "targetFramework": _framework(cert), "targetCode": code}


def _mark(cert: Certification, text: str) -> str:
    return f"SPÉCIMEN — {text}" if cert.specimen else text


def bloc_achievement(bloc: Bloc, referential: Referential, cert: Certification, scale: Scale | None = None) -> dict:
    """The achievement of a bloc: what the jury validates, aligned to the bloc and its competencies."""
    scale = scale or default_scale()
    acquired = " ou ".join(f"« {label} »" for level, label in sorted(scale.levels.items()) if scale.is_acquired(level))
    code = cert.bloc_code(bloc.number)
    comps = [referential.competency(c) for c in bloc.competencies]
    description = (f"Bloc de compétences {code} de la certification professionnelle {cert.title} ({cert.acronym}), "
                   f"enregistrée au RNCP sous le numéro {cert.rncp} ; {cert.level_text()}.")
    narrative = (f"Le jury valide le bloc {bloc.number} quand chacune de ses compétences est validée, c'est-à-dire "
                 "quand chacun de leurs critères d'évaluation non dispensés est acquis (niveau "
                 f"{acquired}) :\n\n" + "\n".join(f"- {c.code} — {c.title} ({c.modality.title})" for c in comps))
    return _achievement(cert, f"achievement/{code}", BLOC_TYPE, _mark(cert, f"Bloc {bloc.number} — {bloc.title}"),
                        description, narrative, code,
                        [_alignment(cert, code, bloc.title)] + [_alignment(cert, c.code, c.title) for c in comps])


def certification_achievement(referential: Referential, cert: Certification) -> dict:
    """The achievement of the whole certification, aligned to its blocs."""
    description = f"{cert.registration_text()} Niveau : {cert.level_text()}. Code(s) NSF : {cert.nsf_text()}."
    narrative = ("La certification est obtenue quand le jury a validé chacun de ses blocs de compétences :\n\n"
                 + "\n".join(f"- {cert.bloc_code(b.number)} — {b.title}" for b in referential.blocs))
    return _achievement(cert, f"achievement/{cert.rncp}", CERTIFICATION_TYPE, _mark(cert, f"{cert.title} "
                        f"({cert.acronym})"), description, narrative, cert.rncp,
                        [_alignment(cert, cert.bloc_code(b.number), b.title) for b in referential.blocs])


def _achievement(cert: Certification, key: str, kind: str, name: str, description: str, narrative: str, code: str,
                 alignment: list[dict]) -> dict:
    if cert.specimen:
        description = f"{SPECIMEN_NOTE} {description}"
    return {"id": urn(uid(cert, key)), "type": ["Achievement"], "achievementType": kind, "name": name,
            "description": description, "criteria": {"narrative": narrative}, "alignment": alignment,
            "creator": _issuer(cert), "humanCode": code, "inLanguage": "fr",
            "fieldOfStudy": ", ".join(n.label or n.code for n in cert.nsf), "specimen": cert.specimen}


def credential(record: CandidateRecord, achievement: dict, cert: Certification, issued: dt.date,
               valid_years: int | None = None) -> dict:
    """The unsigned OpenBadgeCredential of `achievement` for the candidate of `record` (schema-checked)."""
    subject = {"type": ["AchievementSubject"], "name": record.candidate.name,
               "identifier": [{"type": "IdentityObject", "hashed": False, "identityHash": record.id,
                               "identityType": "identifier"}],
               "achievement": achievement}
    doc = {"@context": list(CONTEXTS), "id": urn(uid(cert, "credential", f"{record.id}/{achievement['humanCode']}")),
           "type": ["VerifiableCredential", "OpenBadgeCredential"],
           "name": f"{achievement['name']} — {record.candidate.name}",
           "description": f"{achievement['name']} : décision du jury de la session {record.session}.",
           "issuer": _issuer(cert), "validFrom": timestamp(issued)}
    if valid_years:
        try:
            until = issued.replace(year=issued.year + valid_years)
        except ValueError:  # 29 February
            until = issued.replace(year=issued.year + valid_years, day=28)
        doc["validUntil"] = timestamp(until)
    doc["credentialSubject"] = subject
    doc["specimen"] = cert.specimen
    return check(doc, OB_SCHEMA, f"Le badge « {achievement['name']} » de {record.id}")


def candidate_credentials(record: CandidateRecord, referential: Referential, cert: Certification,
                          issued: dt.date) -> dict[str, dict]:
    """The credentials a candidate earns, by code (RNCP bloc code, or the RNCP number for the certification):
    one per bloc the jury validated, and the certification's when it is obtained."""
    out = {}
    for bloc_record in record.blocs:
        if bloc_record.status is Outcome.VALIDATED:
            bloc = referential.bloc(bloc_record.number)
            out[cert.bloc_code(bloc.number)] = credential(record, bloc_achievement(bloc, referential, cert), cert,
                                                          issued, cert.bloc_validity_years)
    if record.decision.status is CertificationStatus.CERTIFIED:
        out[cert.rncp] = credential(record, certification_achievement(referential, cert), cert, issued)
    return out


def file_stem(identifier: str) -> str:
    """A candidate's identifier as a folder name: letters, digits, « - », « _ » and « . » kept, anything else
    « _ » (an identifier can never climb out of the output folder)."""
    stem = re.sub(r"[^A-Za-z0-9_.-]", "_", identifier).strip(".")
    return stem or "_"
