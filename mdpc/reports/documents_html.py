"""The pages of the documents a certifier issues after a jury: certificate, bloc attestation, notification letter.

Each page is one self-contained HTML string (inline CSS, no script, no URL of any kind) that WeasyPrint also
renders to PDF. Every value from a record, the registration file or the certification's identity goes through
:func:`mdpc.core.safe_text.html_text`. The mentions France Compétences asks of a certificate and of a bloc
attestation are laid out by :func:`certificate_page` (one function for both: an attestation names its bloc and
its competencies); :func:`letter_page` is the notification of the jury's decision, with the ways to appeal.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from mdpc.core.certification import Certification, french_date
from mdpc.core.decisions import CertificationStatus, Outcome
from mdpc.core.record import BlocRecord, CandidateRecord
from mdpc.core.safe_text import html_text as h

SPECIMEN = "SPÉCIMEN — document fictif de démonstration, sans valeur"
WITHHELD_ENROLMENT = "inscription"  # a document withheld because candidats.yaml lacks what it must carry

CSS = """@page { size: A4; margin: 10mm 12mm; }
body { font-family: 'DejaVu Serif', Georgia, serif; font-size: 10pt; line-height: 1.35; color: #111; margin: 0; }
.cadre { border: 3px double #1f3b5c; padding: 7mm 10mm 5mm; }
.specimen { border: 2px solid #a00; color: #a00; font-weight: bold; text-align: center; padding: 4px;
  margin-bottom: 8px; font-family: 'DejaVu Sans', sans-serif; letter-spacing: 0.5px; }
.filigrane { position: fixed; top: 42%; left: 0; right: 0; text-align: center; font-size: 34pt; color: #a00;
  opacity: 0.16; transform: rotate(-30deg); font-family: 'DejaVu Sans', sans-serif; font-weight: bold; }
.certificateur { text-align: center; font-size: 12pt; font-weight: bold; margin: 0; }
.adresse { text-align: center; font-size: 9pt; margin: 0 0 4mm; }
h1 { text-align: center; font-size: 19pt; letter-spacing: 2px; margin: 2mm 0 0; color: #1f3b5c; }
.sous-titre { text-align: center; font-size: 11pt; margin: 0 0 3mm; }
.cadre p { margin: 1.2mm 0; }
.centre { text-align: center; }
.titulaire { text-align: center; font-size: 15pt; font-weight: bold; margin: 2mm 0 1mm; }
.intitule { text-align: center; font-size: 13pt; font-weight: bold; margin: 2mm 0; color: #1f3b5c; }
.mentions { font-size: 8pt; margin-top: 3mm; border-top: 1px solid #ccc; padding-top: 2mm; }
.mentions p { margin: 0.8mm 0; }
ul { margin: 1mm 0 1mm 4mm; padding-left: 4mm; font-size: 8pt; line-height: 1.2; }
.signature { margin-top: 3mm; margin-left: 55%; font-size: 9.5pt; }
.signature p { margin: 0.5mm 0; }
.signature .ligne { border-bottom: 1px solid #555; height: 9mm; margin: 0; }
.pied { margin-top: 3mm; font-size: 7.5pt; border-top: 1px solid #999; padding-top: 2mm;
  font-family: 'DejaVu Sans', sans-serif; }
.code { font-family: 'DejaVu Sans Mono', monospace; font-size: 10pt; font-weight: bold; letter-spacing: 1px; }
table { border-collapse: collapse; width: 100%; font-size: 9pt; margin: 2mm 0; }
th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #eef2f6; }
.lettre { font-size: 10pt; }
.lettre p { margin: 2mm 0; }
.entete { margin-bottom: 4mm; }
.destinataire { margin: 0 0 4mm 55%; }
.objet { font-weight: bold; margin: 4mm 0; }
.certificat { padding: 14mm 14mm 8mm; }
.certificat h1 { font-size: 30pt; margin: 12mm 0 2mm; }
.certificat .sous-titre { margin-bottom: 12mm; }
.certificat .titulaire { font-size: 20pt; margin: 8mm 0 2mm; }
.certificat .intitule { font-size: 16pt; margin: 8mm 0 6mm; }
.certificat .mentions { margin-top: 16mm; }
.certificat .signature { margin-top: 10mm; }
.certificat .signature .ligne { height: 16mm; }
tr { page-break-inside: avoid; }"""


@dataclass(frozen=True)
class Holder:
    """The civil identity a document carries (from ``candidats.yaml``)."""

    candidate: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    birth_place: str

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name.upper()}".strip()

    def birth_text(self) -> str:
        if not self.birth_date:
            return ""
        place = f" à {self.birth_place}" if self.birth_place else ""
        return f"né(e) le {french_date(self.birth_date)}{place}"


@dataclass(frozen=True)
class Issue:
    """What every document of a batch shares: the identity, the jury's date and place, the day of printing."""

    cert: Certification
    date: dt.date
    place: str
    today: dt.date


def _page(title: str, body: str, specimen: bool, cls: str = "") -> str:
    mark = (f'<div class="filigrane" aria-hidden="true">SPÉCIMEN</div><div class="specimen">{h(SPECIMEN)}</div>'
            if specimen else "")
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{h(title)}</title>'
            f'<style>{CSS}</style></head><body><div class="{cls}">{mark}{body}</div></body></html>')


def _signature(cert: Certification, place: str, day: dt.date, dated: bool = True) -> str:
    made = f"<p>Fait à {h(place)}, le {h(french_date(day))}.</p>" if dated else ""
    return (f'<div class="signature">{made}<p>Pour {h(cert.certifier)},<br>{h(cert.signatory.name)}<br>'
            f'{h(cert.signatory.quality)}</p><div class="ligne" aria-label="signature"></div></div>')


def _mentions(cert: Certification) -> str:
    return (f'<div class="mentions"><p>{h(cert.registration_text())}</p>'
            f'<p>Niveau : {h(cert.level_text())}.</p><p>Code(s) NSF : {h(cert.nsf_text())}.</p>'
            f'<p>Certificateur : {h(cert.certifier)}.</p></div>')


def certificate_page(issue: Issue, holder: Holder, number: str, code: str, bloc: BlocRecord | None = None,
                     reedition: str = "") -> str:
    """A certificate (`bloc` None) or the attestation of one validated bloc, with every required mention.

    `reedition`: the ISO date of a re-edition, shown with the original's date of issue."""
    cert = issue.cert
    head = (f'<p class="certificateur">{h(cert.certifier)}</p><p class="adresse">{h(cert.address)}</p>')
    who = (f'<p class="centre">{h(cert.certifier)}, certificateur, atteste que</p>'
           f'<p class="titulaire">{h(holder.full_name)}</p>'
           f'<p class="centre">{h(holder.birth_text())}</p>')
    jury = (f'<p class="centre">par décision du jury réuni le {h(french_date(issue.date))} à {h(issue.place)}.</p>')
    if bloc is None:
        title = "Certificat"
        body = (f'<h1>CERTIFICAT</h1><p class="sous-titre">de certification professionnelle</p>{who}'
                f'<p class="centre">a obtenu la certification professionnelle</p>'
                f'<p class="intitule">{h(cert.title)} ({h(cert.acronym)})</p>{jury}')
    else:
        code_bloc = cert.bloc_code(bloc.number)
        title = f"Attestation de validation du bloc {code_bloc}"
        competencies = "".join(f"<li>{h(c.code)} — {h(c.title)}</li>" for c in bloc.competencies)
        validity = (f'<p class="centre">Ce bloc reste acquis {cert.bloc_validity_years} ans à compter de la décision '
                    f"du jury, soit jusqu'au {h(french_date(add_years(issue.date, cert.bloc_validity_years)))}.</p>"
                    if cert.bloc_validity_years else "")
        body = (f'<h1>ATTESTATION</h1><p class="sous-titre">de validation d\'un bloc de compétences</p>{who}'
                f'<p class="centre">a validé le bloc de compétences</p>'
                f'<p class="intitule">{h(code_bloc)} — {h(bloc.title)}</p>'
                f'<p class="centre">de la certification professionnelle {h(cert.title)} ({h(cert.acronym)}), au titre '
                f"d'une validation partielle,</p>{jury}{validity}"
                f'<p>Compétences attestées par ce bloc :</p><ul>{competencies}</ul>')
    again = (f"<p>Réédition (duplicata) établie le {h(french_date(dt.date.fromisoformat(reedition)))} ; document "
             f"original délivré le {h(french_date(issue.date))}.</p>" if reedition else "")
    foot = (f'<div class="pied"><p>Document n° <span class="code">{h(number)}</span> — code de vérification : '
            f'<span class="code">{h(code)}</span></p><p>Toute personne à qui ce document est présenté peut en '
            f'vérifier l\'authenticité auprès du certificateur (adresse ci-dessus) en lui communiquant ce numéro '
            f"et ce code.</p>{again}</div>")
    body = head + body + _mentions(cert) + _signature(cert, issue.place, issue.date) + foot
    return _page(f"{title} — {holder.full_name} — {number}", body, cert.specimen,
                 "cadre" if bloc else "cadre certificat")


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved `years` years on (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


OUTCOME_TEXT = {Outcome.VALIDATED: "✔ validé", Outcome.NOT_VALIDATED: "✘ non validé", Outcome.PENDING: "… en attente"}
COMPETENCY_TEXT = {Outcome.NOT_VALIDATED: "non validée", Outcome.PENDING: "en attente"}


def _decision_sentence(record: CandidateRecord, cert: Certification) -> str:
    """What the jury decided, as the end of « Après délibération, … » (HTML)."""
    acquired, total = len(record.decision.blocs_acquired), len(record.blocs)
    status = record.decision.status
    if status == CertificationStatus.CERTIFIED:
        return (f"il vous a attribué la certification professionnelle « {h(cert.title)} » dans sa totalité : les "
                f"{total} blocs de compétences sont validés.")
    if status == CertificationStatus.PARTIAL:
        return (f"il a prononcé une validation partielle de la certification : vous avez validé {acquired} bloc(s) de "
                f"compétences sur {total}.")
    if status == CertificationStatus.PENDING:
        failed = sum(b.status == Outcome.NOT_VALIDATED for b in record.blocs)
        pending = sum(b.status == Outcome.PENDING for b in record.blocs)
        parts = ([f"a validé {acquired} bloc(s) de compétences sur {total}"] if acquired else []) + (
            [f"n'a pas validé {failed} bloc(s)"] if failed else []) + [f"a sursis à statuer sur {pending} bloc(s) en "
                                                                        "attente"]
        return (f"il {', '.join(parts[:-1])}{' et ' if len(parts) > 1 else ''}{parts[-1]}, dont certaines évaluations "
                "n'ont pas encore de niveau arrêté : il statuera lorsqu'elles l'auront.")
    return "il n'a validé aucun bloc de compétences à l'issue de cette session."


def _bloc_rows(record: CandidateRecord, cert: Certification) -> str:
    rows = []
    for b in record.blocs:
        detail = ""
        if b.status != Outcome.VALIDATED:
            missing = [c for c in b.competencies if c.status != Outcome.VALIDATED]
            detail = "<ul>" + "".join(f"<li><strong>{h(c.code)}</strong> ({h(COMPETENCY_TEXT.get(c.status, c.status))}) "
                                      f"— {h(c.title)}</li>" for c in missing) + "</ul>" if missing else ""
        rows.append(f"<tr><td>{h(cert.bloc_code(b.number))}</td><td>{h(b.title)}</td>"
                    f"<td>{h(OUTCOME_TEXT.get(b.status, b.status.label))}{detail}</td></tr>")
    return ("<table><thead><tr><th scope='col'>Bloc</th><th scope='col'>Intitulé</th>"
            "<th scope='col'>Décision du jury (compétences non validées ou en attente)</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")


def letter_page(issue: Issue, holder: Holder, record: CandidateRecord, issued: list[tuple[str, str]],
                withheld: str = "", validated_on: dict[int, dt.date] | None = None) -> str:
    """The notification of the jury's decision to the candidate: decision per bloc, what remains to validate,
    how long acquired blocs stay valid, the ways to appeal. `issued`: the documents issued with it (number,
    what it is); `withheld`: why a document the decision grants could not be issued yet, "" when none was withheld
    (:data:`WITHHELD_ENROLMENT`: the registration is incomplete; anything else: a reason the letter does not name);
    `validated_on`: the day an earlier jury validated a bloc (its attestation keeps that date), per bloc number."""
    cert = issue.cert
    birth = holder.birth_text()
    left = [b for b in record.blocs if b.status != Outcome.VALIDATED]
    if left:
        remains = ("<p>Il vous reste à valider : " + ", ".join(f"{h(cert.bloc_code(b.number))} ({h(b.title)})"
                                                             for b in left) + ".")
        if any(b.status == Outcome.NOT_VALIDATED for b in left):
            remains += (" Vous pourrez vous présenter à nouveau à l'évaluation des blocs non validés lors d'une "
                        "prochaine session.")
        if any(b.status == Outcome.PENDING for b in left):
            remains += (" Les blocs en attente feront l'objet d'une décision du jury dès que leurs évaluations seront "
                        "arrêtées ; elle vous sera notifiée de la même manière.")
        remains += "</p>"
    else:
        remains = "<p>Vous n'avez plus aucun bloc à valider pour cette certification.</p>"
    validity = ""
    earlier = {n: d for n, d in (validated_on or {}).items() if d < issue.date}
    if cert.bloc_validity_years and left and record.decision.blocs_acquired and earlier:
        validity = (f"<p>Les blocs validés le restent pendant {cert.bloc_validity_years} ans à compter de la décision du "
                    "jury qui les a validés, soit jusqu'au "
                    + " ; ".join(f"{h(french_date(add_years(earlier.get(n, issue.date), cert.bloc_validity_years)))} "
                                 f"pour {h(cert.bloc_code(n))}" for n in sorted(record.decision.blocs_acquired))
                    + " : vous pouvez compléter la certification dans ce délai sans les repasser.</p>")
    elif cert.bloc_validity_years and left and record.decision.blocs_acquired:
        until = add_years(issue.date, cert.bloc_validity_years)
        validity = (f"<p>Les blocs validés le restent pendant {cert.bloc_validity_years} ans à compter de la présente "
                    f"décision, soit jusqu'au {h(french_date(until))} : vous pouvez compléter la certification dans ce "
                    "délai sans les repasser.</p>")
    documents = ""
    if issued:
        documents = ("<p>Vous trouverez ci-joint : "
                     + " ; ".join(f"{h(what)} (n° {h(n)})" for n, what in issued) + ".</p>")
    if withheld == WITHHELD_ENROLMENT:
        documents += ("<p>Le document attestant la décision vous sera adressé séparément, dès que votre dossier "
                      "d'inscription sera complet.</p>")
    elif withheld:
        documents += "<p>Le document attestant la décision vous sera adressé séparément.</p>"
    body = (f'<div class="entete"><p><strong>{h(cert.certifier)}</strong><br>{h(cert.address)}</p></div>'
            f'<div class="destinataire"><p>{h(holder.full_name)}<br>{h(birth)}'
            f'{"<br>" if birth else ""}Candidat(e) n° {h(record.id)}</p>'
            f'<p>{h(issue.place)}, le {h(french_date(issue.date))}</p></div>'
            f'<p class="objet">Objet : notification de la décision du jury — certification professionnelle '
            f'{h(cert.title)} ({h(cert.acronym)}, {h(cert.rncp)})</p>'
            f'<p>Madame, Monsieur,</p>'
            f'<p>Le jury de la certification professionnelle « {h(cert.title)} » ({h(cert.acronym)}) s\'est réuni le '
            f'{h(french_date(issue.date))} à {h(issue.place)}, au titre de la session « {h(record.session)} ». '
            f'Après délibération, {_decision_sentence(record, cert)}</p>'
            f"<p>Décision pour chacun des blocs de compétences :</p>{_bloc_rows(record, cert)}{remains}{validity}"
            f"{documents}"
            f"<p><strong>Voies de recours.</strong> Si vous souhaitez contester cette décision, vous pouvez former un "
            f"recours écrit et motivé dans un délai de {cert.appeal.delay_days} jours à compter de la notification de "
            f"la présente lettre, adressé à : {h(cert.appeal.address)}.</p>"
            f"<p>Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.</p>"
            + _signature(cert, issue.place, issue.date, dated=False) + _mentions(cert))
    return _page(f"Notification de la décision du jury — {holder.full_name}", body, cert.specimen, "lettre")
