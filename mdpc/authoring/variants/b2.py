"""Session variants of B2_deploiement_strategies (C2.1 to C2.5): figures, planted defects and names from a seed.

What a session changes (``variant(seed)``), always with the same difficulty, asserted before it is accepted:

- C2.1: the revenue target, the first-year baskets, the prospecting budget and the emissions ceiling (the key's
  channel mix fits the budget and the ceiling, the press variant of the mix exceeds the budget only, one target's
  client count differs rounded to the nearest or up);
- C2.2: the CRM export drawn anew (``make_fichier`` with another seed, other contacts and company names): 27 companies
  exported twice, found by the normalised e-mail address and nothing else; SIRET with a wrong Luhn key; blank and
  refused consents, oppositions, contacts older than three years (under half the prospects may be e-mailed);
  prospects scored 45 exactly (the rounding trap), some of them eligible; an eligible cold prospect;
- C2.3: the partners' figures and the partnership's hypotheses (the first of the key's ranking is an installer, the
  energy supplier stays in the top three);
- C2.4: charge points, costs, financing cost, margin floor and BATNA (the client's request stays under the floor,
  the ZOPA exists, the key's concession plan and its variant stay above the floor and beat the BATNA);
- C2.5: charge points and the client's budget (the key's offer fits, the whole offer exceeds the monthly budget);
- names: the company (« Ombelle »), the partners, the negotiation's client and the prospect of C2.5.
"""

from __future__ import annotations

import functools
import io
import json
import math
import re
from pathlib import Path

import pandas as pd

from mdpc import CAS_DIR
from mdpc.authoring.datagen import b2 as gen
from mdpc.authoring.sessions import AssignmentVariant, Replacement, SessionError
from mdpc.authoring.variants import FIRST_NAMES, SURNAMES, pick, rng_for
from mdpc.authoring.variants import b2_faits as faits
from mdpc.authoring.variants import b2_textes as textes
from mdpc.authoring.variants.b2_faits import detect, facts

ASSIGNMENT = gen.ASSIGNMENT_B2
COMPANIES = ["Alvéa", "Iséane", "Oréade", "Elsane", "Azalis", "Ondéa", "Ilvane", "Amarelle"]   # vowel first: « d'… »
TRANSPORTERS = ["Transports Allobroges", "Transports Dauphinois", "Transports Foréziens", "Transports Savoyards"]
DAIRIES = ["Laiterie du Haut-Bugey", "Laiterie des Coteaux du Gier", "Laiterie du Val d'Azergues", "Laiterie des Bauges"]
PACA = ["Estérel", "Lubéron", "Verdon", "Alpilles", "Calanques", "Ventoux", "Mercantour", "Camargue", "Durance",
        "Riviera", "Maures", "Lérins"]
PARTNERS = {  # today's name → how a session names it ({p}: a place of the target region)
    "Azur Bornes Services": "{p} Bornes Services", "Méditerranée Flottes": "{p} Flottes",
    "Provence Élec Pro": "{p} Élec Pro", "Rhône-Med Logistique": "{p} Logistique",
    "Alpes Maritimes Recharge": "{p} Recharge", "Nice Côte Services Auto": "{p} Services Auto",
    "Toulon Fleet Management": "{p} Fleet Management",
    "Sud Énergie Conseil": ["Minervois Énergie Conseil", "Corbières Énergie Conseil", "Lauragais Énergie Conseil"],
    "Voltalis Fleet": ["Brabant Fleet", "Sonian Fleet Systems"], "Iberia Carga": ["Levante Carga", "Ebro Carga"],
    "Énergéticien Sud-Est": ["Énergies du Levant", "Électricité du Midi"],
    "Lyon Batteries Recyclage": ["Velay Batteries Recyclage", "Oisans Batteries Recyclage"],
}
CRM_SUFFIXES = ["du Bugey", "des Baronnies", "Chablais", "des Bauges", "Aravis", "de l'Oisans", "du Trièves", "du Diois",
                "Royans", "Valromey", "Revermont", "Roannais", "Tricastin", "Grésivaudan", "du Vivarais", "Livradois",
                "Matheysine", "de la Saône", "Mâconnais", "Azergues"]
TODAY_FIRMS = ["Ombelle", "Transports Rhodaniens", "Laiterie des Monts du Lyonnais", *PARTNERS]


@functools.cache
def taken() -> frozenset[str]:
    """Pool names already used somewhere in the repository (cases, lessons, grids, demo), and today's CRM names."""
    text = "\n".join(p.read_text(encoding="utf-8", errors="ignore") for root in ("cas_pratiques", "cours", "grilles", "mdpc")
                     for p in (CAS_DIR.parent / root).rglob("*") if p.suffix in {".ipynb", ".md", ".yaml", ".csv", ".json"})
    words = set(re.findall(r"\w+(?:[-' ]\w+)?", text)) | set(re.findall(r"\w+", text))
    pool = [*FIRST_NAMES["f"], *FIRST_NAMES["m"], *SURNAMES]
    return frozenset({n for n in pool if n in words} | set(gen.PRENOMS) | set(gen.NOMS))


def _read(text: str, stem: str) -> pd.DataFrame:
    if stem == "fichier_clients_prospects":
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return pd.read_csv(io.StringIO(text))


def _c21(rng) -> dict[str, pd.DataFrame]:
    cibles = gen.CIBLES.copy()
    cibles["panier_premiere_annee_eur"] = [int(round(v * rng.uniform(0.92, 1.08), -2)) for v in cibles["panier_premiere_annee_eur"]]
    cad = gen.CADRAGE_C21.copy()
    cad.loc[0, "valeur"] = int(round(780000 * rng.uniform(0.9, 1.1), -4))
    draft = {"cibles": cibles, "canaux": gen.CANAUX, "cadrage_prospection": cad}
    f = faits.facts_c21(draft)
    cad.loc[1, "valeur"] = int(math.ceil(f["cout"] * rng.uniform(1.05, 1.13) / 1000) * 1000)
    cad.loc[2, "valeur"] = int(math.ceil(f["co2"] * rng.uniform(1.1, 1.25) / 100) * 100)
    return {"cibles": cibles, "cadrage_prospection": cad}


def _c22(rng) -> pd.DataFrame:
    firsts = [n for g in ("f", "m") for n in rng.permutation([x for x in FIRST_NAMES[g] if x not in taken()])[:10].tolist()]
    lasts = [n for n in SURNAMES if n not in taken() and " " not in n and "-" not in n]
    lasts = rng.permutation(lasts)[:30].tolist()
    suffixes = rng.permutation(CRM_SUFFIXES)[:15].tolist()
    return gen.make_fichier(int(rng.integers(1, 2**31)), prenoms=firsts, noms=lasts, suffixes=suffixes)


def _c23(rng, panier: float) -> dict[str, pd.DataFrame]:
    p = gen.PARTENAIRES.copy()
    p["clients_flottes"] = [max(10, int(round(v * rng.uniform(0.85, 1.15), -1))) for v in p["clients_flottes"]]
    p["techniciens"] = [max(0, int(round(v * rng.uniform(0.8, 1.2)))) for v in p["techniciens"]]
    p["ca_meur"] = [round(v * rng.uniform(0.85, 1.15), 1) for v in p["ca_meur"]]
    h = gen.HYPOTHESES_PARTENARIAT.copy()
    h["valeur"] = [pick(rng, [0.03, 0.035, 0.04, 0.045, 0.05]), float(panier), pick(rng, [0.5, 0.55, 0.6]),
                   pick(rng, [0.1, 0.12, 0.15]), pick(rng, [5, 6, 7]), pick(rng, [200, 220, 240])]
    return {"partenaires": p, "hypotheses_partenariat": h}


def _c24(rng) -> pd.DataFrame:
    n = gen.NEGOCIATION.copy().set_index("parametre")
    bornes = pick(rng, [64, 72, 80, 88, 96])
    n.loc["client", "commentaire"] = f"Transporteur régional, {round(bornes * 1.5)} véhicules, 3 dépôts"
    n.loc["bornes", "valeur"] = bornes
    n.loc["cout_variable_mensuel", "valeur"] = pick(rng, [8, 9, 10])
    n.loc["cout_installation", "valeur"] = pick(rng, [840, 860, 880, 900, 920])
    n.loc["cout_financement_annuel", "valeur"] = pick(rng, [0.03, 0.035, 0.04, 0.045, 0.05])
    n.loc["taux_marge_plancher", "valeur"] = pick(rng, [0.38, 0.4, 0.42])
    n.loc["marge_meilleure_alternative_eur", "valeur"] = int(round(60000 * bornes / 80 * rng.uniform(0.85, 1.15), -3))
    return n.reset_index()


def _c25(rng) -> pd.DataFrame:
    bornes = pick(rng, [14, 15, 16, 17, 18])
    monthly = pick(rng, list(range(50 * math.ceil(62 * bornes / 50), 68 * bornes, 50)))
    once = pick(rng, [50000, 55000, 60000, 65000])
    fiche = gen.FICHE_CLIENT.copy().set_index("rubrique")
    fiche.loc["bornes_envisagees", "information"] = str(bornes)
    fiche.loc["budget_annonce", "information"] = (f"{textes.fr(once)} € HT d'investissement la première année, au plus "
                                                   f"{textes.fr(monthly)} € HT par mois ensuite")
    return fiche.reset_index()


def _c21_problems(data) -> list[str]:
    c1 = faits.facts_c21(data)
    out = []
    if not (c1["cout"] <= c1["budget"] < c1["cout_presse"] and max(c1["co2"], c1["co2_presse"]) <= c1["plafond"]
            and c1["autre_mix"][0] <= c1["budget"] and c1["autre_mix"][1] <= c1["plafond"]):
        out.append("C2.1 : le mix du corrigé hors budget ou plafond, ou la presse dans le budget ou au-delà du plafond")
    if c1["arrondis"] == c1["clients"]:
        out.append("C2.1 : aucun arrondi au plus près ne diffère")
    return out


def _c22_problems(data) -> list[str]:
    c2 = faits.facts_c22(data)
    conds = {"27 doublons": c2["doublons"] == 27, "SIRET": 15 <= c2["siret"] <= 30, "refus": c2["refus"] > 0,
             "consentements": 20 <= c2["consentements"] <= 45, "éligibles": 15 <= c2["eligibles"] < c2["prospects"] / 2,
             "froid éligible": c2["extrait"] < c2["eligibles"], "score 45": 8 <= c2["score_45"] <= 20,
             "score 45 éligible": c2["score_45_eligibles"] >= 1, "poids inversés": c2["inverses_change"],
             "ABC": c2["abc_change"], "opposition": c2["opposition_seule"] >= 1,
             "raisons": all(v > 0 for v in c2["raisons"].values()), "segments": all(c2["segments"].values()),
             "dates": 1 <= c2["groupes_meme_date"] < c2["doublons"]}
    return [f"C2.2 : {k}" for k, ok in conds.items() if not ok]


def _c23_problems(data) -> list[str]:
    top = faits.facts_c23(data)["top"]
    out = []
    if top[0]["modele"] != "Installateur IRVE" or "Fournisseur d'énergie" not in [r["modele"] for r in top]:
        out.append("C2.3 : tête du classement")
    scores = faits.ranking(data)["score"].head(4).tolist()
    if min(a - b for a, b in zip(scores[:-1], scores[1:], strict=True)) < 0.01 or int(top[0]["gain"]) // 1000 != (int(top[0]["gain"]) + 1) // 1000:
        out.append("C2.3 : classement ou gain ambigu")
    return out


def _c24_problems(data) -> list[str]:
    c4 = faits.facts_c24(data)
    n = c4["n"]
    variant_plan = [(33, 1200, 36, 30), (31, 1200, 48, 30), (30, 1000, 60, 30), (29, 1000, 60, 15)]
    steps = c4["etapes"] + [faits.margin(n, *s) for s in variant_plan]
    conds = {"plancher": 24.5 <= c4["plancher"] <= 26.5, "demande": c4["demande"]["taux_marge"] < n["taux_marge_plancher"],
             "étapes": all(s["taux_marge"] >= n["taux_marge_plancher"] for s in steps),
             "BATNA": min(c4["etapes"][-1]["marge"], steps[-1]["marge"], c4["standard"]["marge"])
             > n["marge_meilleure_alternative_eur"]}
    return [f"C2.4 : {k}" for k, ok in conds.items() if not ok]


def _c25_problems(data) -> list[str]:
    c5 = faits.facts_c25(data)
    once, monthly = c5["budgets"]
    return [] if c5["solution"][0] <= once and c5["solution"][1] <= monthly < c5["tout"][1] else ["C2.5 : budget"]


def problems(data: dict[str, pd.DataFrame]) -> list[str]:
    """What would make the session easier, harder or false for the key's texts (empty: the same difficulty)."""
    return (_c21_problems(data) + _c22_problems(data) + _c23_problems(data) + _c24_problems(data)
            + _c25_problems(data))


def _names(rng) -> dict[str, str]:
    places = rng.permutation(PACA).tolist()
    names = {"Ombelle": pick(rng, COMPANIES), "Transports Rhodaniens": pick(rng, TRANSPORTERS),
             "Laiterie des Monts du Lyonnais": pick(rng, DAIRIES)}
    for old, new in PARTNERS.items():
        names[old] = pick(rng, new) if isinstance(new, list) else new.format(p=places.pop())
        names[old.lower()] = names[old].lower()   # the leak patterns of faits_reponses.yaml write it in lower case
    return names


def _attempts(seed: int, salt: int, make, check):
    """``make(rng)`` retried (seed + attempt) until ``check(result)`` finds no problem."""
    for attempt in range(80):
        result = make(rng_for(seed + attempt, salt))
        if not check(result):
            return result
    raise SessionError(f"Variante de {ASSIGNMENT} : aucune donnée de même difficulté en 80 essais (graine {seed}, partie {salt}).")


def _data(tables: dict[str, pd.DataFrame]) -> tuple[dict[str, str], dict[str, pd.DataFrame]]:
    texts = {name: gen.csv_text(t) for name, t in tables.items()}
    return texts, {Path(name).stem: _read(text, Path(name).stem) for name, text in texts.items()}


def _events(fichier: pd.DataFrame) -> dict:
    return {"doublons": list(fichier.attrs["doublons"]), "siret_faux": list(fichier.attrs["siret_faux"]),
            "canal_hors_charte": ["Achat de fichier et e-mailing de masse"],
            "mois_imposes": {"Salon régional de la mobilité durable": 3, "Rencontres flottes de la CCI": 5}}


def _part(tables: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Only these tables, as the notebooks read them (through their CSV text)."""
    return {stem: _read(gen.csv_text(t), stem) for stem, t in tables.items()}


@functools.lru_cache(maxsize=8)
def draw(seed: int) -> tuple[dict[str, str], dict, dict, dict[str, str]]:
    """The session's data (file → text), planted events, facts and names; each part retried until its difficulty
    holds (the parts are independent, but for the basket of C2.1 that C2.3 reuses)."""
    c21 = _attempts(seed, 1, _c21, lambda t: _c21_problems(_part({"canaux": gen.CANAUX, **t})))

    def c22_problems(fichier):
        data = _part({"fichier_clients_prospects": fichier, "scoring_prospects": gen.SCORING_PROSPECTS, "canaux": gen.CANAUX})
        found = detect(data)
        return _c22_problems(data) + ([] if found == _events(fichier) and found["siret_faux"] else ["C2.2 : défauts"])
    fichier = _attempts(seed, 2, _c22, c22_problems)
    panier = float(c21["cibles"].set_index("segment").loc["PME", "panier_premiere_annee_eur"])
    c23 = _attempts(seed, 3, lambda rng: _c23(rng, panier), lambda t: _c23_problems(_part(t)))
    c24 = _attempts(seed, 4, lambda rng: {"negociation": _c24(rng)}, lambda t: _c24_problems(_part(t)))
    c25 = _attempts(seed, 5, lambda rng: {"fiche_client": _c25(rng)},
                    lambda t: _c25_problems(_part({"offre_modules": gen.OFFRE_MODULES, **t})))
    texts, data = _data(gen.tables_b2(fichier=fichier, **c21, **c23, **c24, **c25))
    events = _events(fichier)
    if problems(data) or detect(data) != events:
        raise SessionError(f"Variante de {ASSIGNMENT} : les parties tirées ne tiennent pas ensemble (graine {seed}).")
    return texts, events, facts(data), _names(rng_for(seed, 6))


@functools.cache
def default_facts() -> dict:
    return facts({p.stem: _read(p.read_text(encoding="utf-8"), p.stem) for p in (CAS_DIR / ASSIGNMENT / "data").glob("*.csv")})


def replacements(f: dict) -> tuple[Replacement, ...]:
    base = default_facts()
    out = [Replacement(g, old, new, c) for (g, old, c), (_, new, _) in
           zip(textes.passages(base, True), textes.passages(f, False), strict=True) if old != new]
    out += [Replacement(g, json.loads(old), json.loads(new), c) for (g, old, c), (_, new, _) in
            zip(textes.c24_numbers(base["c24"]), textes.c24_numbers(f["c24"]), strict=True) if old != new]
    clients = 40 * float(f["c23"]["h"]["panier_annuel_eur"])
    out.append(Replacement(textes.KEY, 384000, int(clients), 1))  # a number of the key: a JSON value
    return tuple(out)


def variant(seed: int) -> AssignmentVariant:
    texts, events, f, names = draw(seed)
    return AssignmentVariant(data=texts, names=names, replacements=replacements(f), events=events)
