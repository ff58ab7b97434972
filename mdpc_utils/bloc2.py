"""Checks and helpers of the bloc 2 cases (Ombelle Flotte deployment), with French messages.

Candidates import this package: it holds the tools a case offers them (normalising a phone number, the
SIRET key, checkers that say what is wrong with a plan) and never the answer key. The reference
computations live in the hidden tests of the source notebooks, which are never released.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from .cases import fr_number

# -- C2.1 prospecting plan ---------------------------------------------------------------------------


def check_mix(mix: pd.DataFrame, channels: pd.DataFrame, targets: pd.DataFrame) -> list[str]:
    """Problems of a channel mix (segment, canal, part_clients), in French; empty when it holds."""
    needed = {"segment", "canal", "part_clients"}
    if not isinstance(mix, pd.DataFrame) or not needed <= set(mix.columns):
        return [f"Le mix doit être un DataFrame avec les colonnes {', '.join(sorted(needed))}."]
    problems = []
    ch = channels.set_index("canal")
    for r in mix.itertuples():
        if r.canal not in ch.index:
            problems.append(f"Canal inconnu : « {r.canal} ».")
            continue
        if r.segment not in ch.loc[r.canal, "segments"].split(";"):
            problems.append(f"« {r.canal} » n'est pas un outil adapté aux {r.segment} (il sert : "
                            f"{ch.loc[r.canal, 'segments'].replace(';', ', ')}).")
        if ch.loc[r.canal, "conforme_charte"] != "oui":
            problems.append(f"« {r.canal} » est contraire à la charte éthique de l'entreprise (contacts sans consentement).")
    for seg in targets["segment"]:
        rows = mix[mix["segment"] == seg]
        if len(rows) < 2:
            problems.append(f"{seg} : prévoyez au moins deux canaux (un seul canal est un risque).")
        if abs(rows["part_clients"].sum() - 1) > 1e-6:
            problems.append(f"{seg} : les parts de clients attendues par canal doivent faire 100 % "
                            f"(reçu {100 * rows['part_clients'].sum():.0f} %).")
    return problems


# -- C2.2 client and prospect file ---------------------------------------------------------------------

ALLOWED_EXTRACT = ("raison_sociale", "contact_nom", "email", "qualification", "offre")
RETENTION_YEARS = 3   # CNIL: prospect data kept 3 years from collection or the last contact from the prospect


def luhn_ok(number) -> bool:
    """SIRET check digit (Luhn algorithm); anything but 14 digits is invalid."""
    text = str(number) if number is not None else ""
    if not re.fullmatch(r"\d{14}", text):
        return False
    total = 0
    for i, d in enumerate(int(c) for c in reversed(text)):
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def normalise_email(value) -> str:
    return "" if not isinstance(value, str) else value.strip().lower().replace(" ", "")


def normalise_phone(value) -> str:
    """A French number as +33 followed by 9 digits; empty when it cannot be read."""
    digits = re.sub(r"\D", "", str(value) if value is not None else "")
    if digits.startswith("33") and len(digits) == 11:
        digits = digits[2:]
    elif digits.startswith("0") and len(digits) == 10:
        digits = digits[1:]
    return "+33" + digits if len(digits) == 9 else ""


def campaign_eligible(row, reference: dt.date) -> bool:
    """Company policy for the e-mail campaign: a prospect who consented, never opposed, contacted within 3 years."""
    last = pd.Timestamp(row["date_dernier_contact"]).date()
    limit = reference.replace(year=reference.year - RETENTION_YEARS)
    opposed = isinstance(row["date_opposition"], str) and row["date_opposition"].strip() != ""
    return row["statut"] == "prospect" and row["consentement_prospection"] == "oui" and not opposed and last >= limit


def check_extract(extract: pd.DataFrame, clean: pd.DataFrame, reference: dt.date) -> list[str]:
    """Legal checks of a campaign extract (consent, opposition, retention, minimisation, duplicates), in French."""
    if not isinstance(extract, pd.DataFrame) or "email" not in extract.columns:
        return ["L'extrait doit être un DataFrame avec au moins la colonne email."]
    problems = []
    extra = [c for c in extract.columns if c not in ALLOWED_EXTRACT]
    if extra:
        problems.append("Minimisation des données (RGPD, art. 5) : colonnes inutiles à la campagne "
                        f"{', '.join(extra)} — gardez seulement {', '.join(ALLOWED_EXTRACT)}.")
    emails = extract["email"].map(normalise_email)
    if emails.duplicated().any():
        problems.append("L'extrait contient des doublons : un contact recevrait plusieurs messages.")
    ref = clean.assign(_e=clean["email"].map(normalise_email)).set_index("_e")
    for e in emails:
        if e not in ref.index:
            problems.append(f"{e} : adresse absente du fichier nettoyé.")
            continue
        row = ref.loc[e]
        row = row.iloc[0] if isinstance(row, pd.DataFrame) else row
        if row["statut"] != "prospect":
            problems.append(f"{e} : c'est un client, pas un prospect de la campagne.")
        elif row["consentement_prospection"] != "oui":
            problems.append(f"{e} : pas de consentement à la prospection.")
        elif isinstance(row["date_opposition"], str) and row["date_opposition"].strip():
            problems.append(f"{e} : opposition exercée le {row['date_opposition']} (droit d'opposition, RGPD art. 21).")
        elif not campaign_eligible(row, reference):
            problems.append(f"{e} : dernier contact il y a plus de {RETENTION_YEARS} ans (durée de conservation dépassée).")
    expected = {normalise_email(r["email"]) for _, r in clean.iterrows() if campaign_eligible(r, reference)}
    missing = expected - set(emails)
    if missing:
        problems.append(f"{len(missing)} prospect(s) éligible(s) oublié(s) dans l'extrait.")
    return problems


# -- C2.4 negotiation ----------------------------------------------------------------------------------


def check_concessions(plan: pd.DataFrame, p: dict, margin) -> list[str]:
    """Problems of a concession plan (etape, prix_mensuel, installation, duree_mois, delai_paiement_jours), in French.

    ``margin(prix, installation, duree_mois, delai_jours)`` is the candidate's own margin function (C2.4,
    question 1): the rules are checked with it, so the checker gives no margin away.
    """
    needed = {"etape", "prix_mensuel", "installation", "duree_mois", "delai_paiement_jours"}
    if not isinstance(plan, pd.DataFrame) or not needed <= set(plan.columns):
        return [f"Le plan de concessions doit avoir les colonnes {', '.join(sorted(needed))}."]
    problems = []
    previous = None
    for r in plan.sort_values("etape").itertuples():
        m = margin(r.prix_mensuel, r.installation, int(r.duree_mois), int(r.delai_paiement_jours))
        if m["taux_marge"] < p["taux_marge_plancher"] - 1e-9:
            problems.append(f"Étape {r.etape} : taux de marge {100 * m['taux_marge']:.1f} %, sous le plancher de "
                            f"{100 * p['taux_marge_plancher']:.0f} %.")
        if r.delai_paiement_jours > p["delai_paiement_legal_max_jours"]:
            problems.append(f"Étape {r.etape} : délai de paiement de {r.delai_paiement_jours} jours, au-delà du plafond "
                            f"légal de {p['delai_paiement_legal_max_jours']} jours.")
        if previous is not None:
            if r.prix_mensuel > previous.prix_mensuel or r.installation > previous.installation:
                problems.append(f"Étape {r.etape} : le prix remonte après une concession (perte de crédibilité).")
            gave = (r.prix_mensuel < previous.prix_mensuel or r.installation < previous.installation
                    or r.delai_paiement_jours > previous.delai_paiement_jours)
            got = r.duree_mois > previous.duree_mois or r.delai_paiement_jours < previous.delai_paiement_jours
            if gave and not got:
                problems.append(f"Étape {r.etape} : concession sans contrepartie (donnant-donnant : demandez par exemple "
                                "un engagement plus long).")
        previous = r
    return problems


# -- C2.5 sales interview ------------------------------------------------------------------------------


def check_solution(modules: list[str], offer: pd.DataFrame, needs: pd.DataFrame, charge_points: int,
                   budget_once: float, budget_monthly: float, covering: dict | None = None) -> list[str]:
    """Is the chosen set of modules a valid offer within the client's budget? With `covering` (need id ->
    the module that answers it, which only the grading knows: the case leaves that reading to the candidate),
    are the essential needs covered too?"""
    problems = [] if "M0" in modules else ["L'abonnement de supervision (M0) est la base de toute offre."]
    chosen = offer[offer["id"].isin(modules)]
    if covering:
        essential = needs[needs["priorite"] == "essentiel"]
        for n in essential[~essential["id"].map(covering).isin(modules)].itertuples():
            problems.append(f"Besoin essentiel non couvert : {n.besoin}.")
    quantity = chosen["id"].map(lambda m: charge_points if m == "M1" else 1).astype(float)
    once = float((chosen["prix_unique_eur"] * quantity).sum())  # 0 when nothing is chosen yet
    monthly = float(chosen["prix_mensuel_par_borne_eur"].sum() * charge_points)
    if once > budget_once:
        problems.append(f"Investissement de {fr_number(once, 0)} € HT : au-delà du budget de {fr_number(budget_once, 0)} €.")
    if monthly > budget_monthly:
        problems.append(f"Abonnement de {fr_number(monthly, 0)} € HT par mois : au-delà de {fr_number(budget_monthly, 0)} €.")
    return problems
