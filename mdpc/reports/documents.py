"""What a certifier issues after a jury: certificates, bloc attestations and notification letters, with their register.

:func:`issue_documents`, called by :func:`mdpc.app.publish` after the reports, gives each candidate:

- a **certificate** when the jury grants the certification (all blocs validated); otherwise one **bloc
  attestation** per validated bloc (a partial validation); nothing of the kind for a candidate with no bloc;
- a **notification letter** of the jury's decision (decision per bloc, what remains to validate, how long
  acquired blocs stay valid, how to appeal).

Each in HTML (self-contained) and PDF (WeasyPrint, ``data:`` URLs only: :func:`mdpc.reports.batch.data_only_fetcher`),
in a private folder (``rapports/documents/``). Every certificate and attestation is written in the course's
register with its number and the digest of its verification code (:mod:`mdpc.core.register`); ``mdpc verifier``
checks a number and a code. A certificate or an attestation is refused, with a French reason, when the
candidate's birth date or family name is missing from ``candidats.yaml`` or when the jury's date is outside the
registration's validity; the letter is still written, and the other candidates go on. A document an earlier jury
issued (a bloc validated in January, while a later jury settles the blocs it had deferred) keeps its date, place
and verification code: the later run is a re-edition of it, never a replacement.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import replace
from pathlib import Path

from tqdm import tqdm

from mdpc.core import certification as certification_file
from mdpc.core import enrolment
from mdpc.core.certification import Certification, french_date
from mdpc.core.decisions import CertificationStatus
from mdpc.core.minutes import parse_day
from mdpc.core.record import CandidateRecord
from mdpc.core.register import ATTESTATION, CERTIFICATE, KEY_FILE, Register, load_key, locked
from mdpc.errors import MdpcError
from mdpc.grading.erasure import check_identifier
from mdpc.grading.privacy import make_private
from mdpc.reports.documents_html import WITHHELD_ENROLMENT, Holder, Issue, certificate_page, letter_page

FOLDER = "documents"  # inside the reports folder


class DocumentError(MdpcError):
    """The documents cannot be issued for the whole batch (message in French)."""


def parse_deliberation_date(text: str | dt.date | None) -> dt.date | None:
    """The jury's date as a date (:func:`mdpc.core.minutes.parse_day`: AAAA-MM-JJ, « 15 janvier 2027 », « 1er mars
    2027 » or 15/01/2027); None when empty; a French :class:`DocumentError` naming the expected format otherwise."""
    day = parse_day(text)
    value = " ".join(str(text or "").split())
    if day is None and value:
        raise DocumentError(f"Date de délibération « {value} » illisible : écrivez-la au format AAAA-MM-JJ (par "
                            "exemple --date 2027-01-15) ; les parchemins, attestations et lettres portent cette date.")
    return day


def check_batch(course_root: str | Path, deliberation_date, place: str) -> tuple[dt.date, Certification]:
    """What the whole batch needs, checked before anything is produced: the date, the place, the identity, the
    register and its key."""
    day = parse_deliberation_date(deliberation_date)
    if day is None:
        raise DocumentError("Date de délibération absente : précisez --date AAAA-MM-JJ (les documents délivrés la "
                            "portent).")
    if not " ".join(str(place or "").split()):
        raise DocumentError("Lieu de la délibération absent : précisez --lieu (les documents délivrés le portent).")
    cert = certification_file.load(course_root)
    check_key(course_root)
    return day, cert


def check_key(course_root: str | Path) -> Register:
    """The register, once it is sure that its key is there when it already lists documents: a new key would
    silently void every code already issued (a copy of the course folder made without its dot files)."""
    register = Register.load(course_root)
    if not register.path.exists() and (Path(course_root) / KEY_FILE).exists():
        raise DocumentError(f"Registre des documents délivrés {register.path} introuvable alors que sa clé existe : "
                            "des documents ont été délivrés depuis ce dossier ; restaurez le registre depuis une "
                            "sauvegarde (repartir d'un registre vide redonnerait leurs numéros à d'autres). Si aucun "
                            f"document n'a jamais été remis, supprimez {KEY_FILE} ; rien n'a été délivré.")
    if register.entries and not (Path(course_root) / KEY_FILE).exists():
        raise DocumentError(f"Clé de vérification {Path(course_root) / KEY_FILE} introuvable alors que le registre "
                            f"compte {len(register.entries)} document(s) délivré(s) : restaurez-la depuis une "
                            "sauvegarde (une nouvelle clé rendrait faux tous les codes déjà délivrés) ; rien n'a "
                            "été délivré.")
    return register


def holder_of(record: CandidateRecord, enrolments: enrolment.Enrolments,
              day: dt.date | None = None) -> tuple[Holder, list[str]]:
    """The candidate's civil identity, and what a certificate would lack (French, empty when complete); with the
    jury's `day`, a birth date that cannot be a candidate's (after the jury, or under 14 years before it) too."""
    e = enrolments.get(record.id)
    if record.id in enrolments.problems:
        return Holder(record.id, record.candidate.name, "", None, ""), [enrolments.problems[record.id].rstrip(".")]
    lacks = []
    if not e.family_name:
        lacks.append(f"nom d'état civil absent de {enrolments.source}")
    if e.birth_date is None:
        lacks.append(f"date de naissance absente de {enrolments.source}")
    elif day is not None and not day.replace(year=day.year - 100, day=min(day.day, 28)) < e.birth_date <= day.replace(
            year=day.year - 14, day=min(day.day, 28)):
        lacks.append(f"date de naissance invraisemblable dans {enrolments.source} ({french_date(e.birth_date)}, pour "
                     f"un jury du {french_date(day)}) : corrigez-la, le parchemin la porte")
    if e.family_name:
        return Holder(record.id, e.given_name, e.family_name, e.birth_date, e.birth_place), lacks
    return Holder(record.id, record.candidate.name, "", e.birth_date, e.birth_place), lacks


def granted(record: CandidateRecord) -> list[int | None]:
    """The documents the decision grants: [None] for the certificate, else the validated blocs' numbers."""
    if record.decision.status == CertificationStatus.CERTIFIED:
        return [None]
    return sorted(record.decision.blocs_acquired)


def render_pdf(page: str, path: Path) -> str | None:
    """`page` as a PDF (WeasyPrint, ``data:`` URLs only); a French reason when WeasyPrint is unavailable."""
    try:
        from weasyprint import HTML

        for name in ("weasyprint", "fontTools"):
            logging.getLogger(name).setLevel(logging.ERROR)
    except (ImportError, OSError) as exc:
        return f"PDF non produit (WeasyPrint indisponible : {exc.__class__.__name__})"
    from mdpc.reports.batch import data_only_fetcher

    HTML(string=page, url_fetcher=data_only_fetcher()).write_pdf(str(path))
    return None


def _write(page: str, out_dir: Path, stem: str, pdf: bool, warnings: list[str]) -> dict:
    html = out_dir / f"{stem}.html"
    html.write_text(page, encoding="utf-8")
    make_private(html)
    out = {"html": html}
    if pdf:
        problem = render_pdf(page, out_dir / f"{stem}.pdf")
        if problem:
            warnings.append(problem)
        else:
            make_private(out_dir / f"{stem}.pdf")
            out["pdf"] = out_dir / f"{stem}.pdf"
    return out


def _issue_one(record: CandidateRecord, issue: Issue, holder: Holder, lacks: list[str], register: Register,
               key: bytes, out_dir: Path, pdf: bool) -> dict:
    cert = issue.cert
    sid = check_identifier(record.id)
    result = {"candidat": sid, "documents": [], "refus": [], "avertissements": []}
    wanted = granted(record)
    if wanted and (lacks or not cert.valid_on(issue.date)):
        what = "certificat" if wanted == [None] else f"attestation(s) de bloc ({len(wanted)})"
        why = list(lacks)
        if not cert.valid_on(issue.date):
            why.append(f"le {french_date(issue.date)} est hors de la période d'enregistrement de la certification "
                       f"au RNCP ({cert.registration_text().rstrip('.')})")
        result["refus"].append(f"{what} non délivré(e) : " + " ; ".join(why) + ".")
        wanted = []
    prefix = re.sub(r"[^A-Z0-9]", "", cert.acronym.upper()) or "DOC"
    validated_on: dict[int, dt.date] = {}  # the day each attested bloc was validated (an earlier jury's, kept)
    for number in wanted:
        bloc = None if number is None else next(b for b in record.blocs if b.number == number)
        content = {"nature": CERTIFICATE if bloc is None else ATTESTATION,
                   "bloc": "" if bloc is None else cert.bloc_code(number), "titulaire": holder.full_name,
                   "date_naissance": holder.birth_date.isoformat(), "lieu_naissance": holder.birth_place,
                   "date_delivrance": issue.date.isoformat(), "lieu": issue.place, "rncp": cert.rncp}
        dated = issue
        prior = next((e for e in register.of_candidate(sid)
                      if e.nature == content["nature"] and e.bloc == content["bloc"]), None)
        if prior is not None and prior.date_delivrance < content["date_delivrance"]:
            # issued by an earlier jury (a later one settled other blocs): the decision keeps its date and place,
            # and the document its code (a later date would void the one the candidate holds)
            content.update(date_delivrance=prior.date_delivrance, lieu=prior.lieu)
            dated = replace(issue, date=dt.date.fromisoformat(prior.date_delivrance), place=prior.lieu)
        entry, code, state = register.issue(key, content, sid, prefix, issue.today)
        again = entry.reeditions[-1] if state == "réédition" else ""
        page = certificate_page(dated, holder, entry.numero, code, bloc, again)
        stem = f"certificat_{sid}" if bloc is None else f"attestation_{sid}_{content['bloc'][-4:]}"
        if bloc is not None:
            validated_on[bloc.number] = dated.date
        result["documents"].append({"numero": entry.numero, "nature": content["nature"], "bloc": content["bloc"],
                                    "etat": state, **_write(page, out_dir, stem, pdf, result["avertissements"])})
    issued = [(d["numero"], "votre certificat" if not d["bloc"] else f"l'attestation de validation du bloc {d['bloc']}")
              for d in result["documents"]]
    page = letter_page(issue, holder, record, issued, "" if not result["refus"] else
                       WITHHELD_ENROLMENT if lacks else "enregistrement", validated_on)
    result["lettre"] = _write(page, out_dir, f"lettre_{sid}", pdf, result["avertissements"])
    return result


def issue_documents(records: list[CandidateRecord], out_dir: Path, course_root: str | Path,
                    deliberation_date: dt.date | str, place: str, progress: bool = True, pdf: bool = True,
                    today: dt.date | None = None) -> dict:
    """Certificates or bloc attestations, and a letter, for every candidate (see the module's docstring).

    Returns, per candidate, what was written (numbers, state « nouveau », « réécrit », « réédition » or « modifié »,
    paths), the French reasons of what was refused, and any error (one candidate's failure never stops the
    others); with the register's path and the output folder."""
    day, cert = check_batch(course_root, deliberation_date, place)
    issue = Issue(cert, day, " ".join(place.split()), today or dt.date.today())
    enrolments = enrolment.load(course_root)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    make_private(out_dir)
    results = []
    with locked(course_root):
        register = check_key(course_root)
        key = load_key(course_root)
        for record in tqdm(records, desc="Documents", unit="candidat", disable=not progress):
            holder, lacks = holder_of(record, enrolments, day)
            try:
                results.append(_issue_one(record, issue, holder, lacks, register, key, out_dir, pdf))
            except Exception as exc:  # one candidate's failure never stops the batch
                results.append({"candidat": record.id, "documents": [], "refus": [], "avertissements": [],
                                "erreur": f"documents non produits : {exc.__class__.__name__} : {str(exc)[:300]}"})
            register.save()
        if not register.path.exists():
            register.save()
    return {"candidats": results, "registre": register.path, "dossier": out_dir}


def summary_lines(result: dict) -> list[str]:
    """What ``mdpc rapports`` and the demo say of the documents, in French (one line per candidate)."""
    lines = []
    for r in result["candidats"]:
        parts = [f"{d['nature']} {d['numero']}" + (f" ({d['bloc']})" if d["bloc"] else "")
                 + ("" if d["etat"] == "nouveau" else f", {d['etat']}") for d in r["documents"]]
        if "lettre" in r:
            parts.append("lettre de notification")
        parts += [f"⚠ {m}" for m in r["refus"] + r["avertissements"]]
        if "erreur" in r:
            parts.append(f"⚠ {r['erreur']}")
        lines.append(f"{r['candidat']} : " + " ; ".join(parts))
    lines.append(f"registre des documents délivrés : {result['registre']} (mdpc verifier NUMERO CODE)")
    return lines
