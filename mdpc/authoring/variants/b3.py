"""Session variants of B3_pilotage_projets (C3.1 to C3.5): figures, firms and planted events drawn from a seed.

What a session changes (``b3_draws`` draws it, the generator ``mdpc.authoring.datagen.b3`` writes it): task durations,
workloads and budgets, with the critical chain drawn (platform or launch campaign) and the next chain one or two weeks
behind; costs and prices (break-even still reached); the week-14 status (which tasks are late, not started, near the
thresholds) and the re-planning that moves the critical path; the illegal payment term of the contract (days, how
they run, which accord), its figures and the order of the accords; which clients churn, hesitate, recommend;
monthly results. Every event is checked by :func:`b3_facts.detect` (the lesson's methods) and the difficulty kept:
the retry loop asserts the same number and kinds of events. The texts that quote the data follow
(``b3_texts``, ``b3_passages``), and the firm and clients get other fictional names.
"""

from __future__ import annotations

import pandas as pd

from mdpc.authoring.datagen import b3 as gen
from mdpc.authoring.datagen import csv_text
from mdpc.authoring.sessions import AssignmentVariant, Replacement, rename
from mdpc.authoring.variants import pick, rng_for
from mdpc.authoring.variants.b3_draws import draw
from mdpc.authoring.variants.b3_facts import detect, facts
from mdpc.authoring.variants.b3_passages import leak_facts, leak_facts_end, passages
from mdpc.authoring.variants.b3_texts import (
    guide_clients,
    guide_error,
    guide_planted,
    guide_report,
    guide_results,
)

ASSIGNMENT = gen.ASSIGNMENT_B3
# vowel-initial (« d'Ombelle » keeps its elision), fictional, used nowhere else in the project
FIRMS = ["Azalys", "Ilvéa", "Ambrelis", "Ondelis", "Élyrane", "Avéline", "Ysaure", "Opaliane"]
CLIENT_POOLS = {
    "Grand compte": ["Autocars du Pilat", "Logistique Saône-Gier", "Messageries Rhône-Isère", "Cars du Haut-Beaujolais",
                     "Entrepôts Confluence-Sud", "Transports Givors Express"],
    "PME": ["Primeurs du Garon", "Frigorifiques de l'Azergues", "Coursiers de la Croix-Rousse", "Bâtiment Trièves",
            "Menuiseries du Bugey", "Brasserie des Canuts", "Scierie du Haut-Jura", "Location Utilitaires Pilat",
            "Maraîchers du Val de Saône", "Charpentes du Revermont"],
    "TPE": ["Cabinet infirmier des Monts d'Or", "Taxis de la Presqu'île", "Plomberie Gerland", "Pharmacie des Brotteaux",
            "Serrurerie Part-Dieu"],
    "Collectivité": ["Ville de Décines (services techniques)", "Ville de Meyzieu (services techniques)",
                     "Ville de Rillieux (services techniques)", "Ville de Caluire (services techniques)"],
}
SHORT_NAMES = {"Froid Alpin": "Froid Alpin Logistique", "Ville de Bron": "Ville de Bron (services techniques)"}
ATTEMPTS = 40


def _csv(df: pd.DataFrame) -> str:
    return csv_text(df)


def _load(texts: dict[str, str]) -> dict[str, pd.DataFrame]:
    import io
    return {n.removesuffix(".csv"): pd.read_csv(io.StringIO(t), keep_default_na=(n != "taches.csv")) for n, t in texts.items()}


def default_data() -> dict[str, pd.DataFrame]:
    return _load({n: _csv(df) for n, df in gen.b3_tables().items()})


def names_for(seed: int) -> dict[str, str]:
    rng = rng_for(seed, 99)
    out = {"Ombelle": pick(rng, FIRMS)}
    pools = {k: [v[i] for i in rng.permutation(len(v))] for k, v in CLIENT_POOLS.items()}
    for client, segment in zip(gen.COMPTES.client, gen.COMPTES.segment, strict=True):
        out[client] = pools[segment].pop()
    for short, full in SHORT_NAMES.items():
        out[short] = out[full].replace(" (services techniques)", "")
    return out


def _fidelisation(default: dict, session: dict) -> list[Replacement]:
    """The key's action per client follows the client's class: keys renamed through placeholders."""
    old = {k: [i for i, c in enumerate(default["clients"].index, 1) if default["clients"].loc[c, "classe"] == k]
           for k in ("ambassadeur", "résilié", "à risque", "stable")}
    new = {k: [i for i, c in enumerate(session["clients"].index, 1) if session["clients"].loc[c, "classe"] == k] for k in old}
    moves = {o: n for k in old for o, n in zip(old[k], new[k], strict=True)}
    if all(o == n for o, n in moves.items()):
        return []
    key = "corrige/reponses_corrige.json"
    out = [Replacement(key, f"fidelisation.client_{o}", f"fidelisation.@{o}@", 1) for o in sorted(moves, reverse=True)]
    out += [Replacement(key, f"fidelisation.@{o}@", f"fidelisation.client_{n}", 1) for o, n in moves.items()]
    first_risk, first_stable = new["à risque"][0], new["stable"][0]
    out += [Replacement("corrige/erreurs_types.yaml", "fidelisation.client_5: Proposition",
                        f"fidelisation.client_{first_risk}: Proposition", 1),
            Replacement("corrige/variantes.yaml", "fidelisation.client_4: Programme", f"fidelisation.client_{first_stable}: Programme", 1)]
    return out


def replacements(default: dict, session: dict) -> tuple[Replacement, ...]:
    guide = "corrige/guide_formateur.md"
    pairs = [(guide, fn(default), fn(session)) for fn in (guide_planted, guide_results, guide_clients, guide_report, guide_error)]
    pairs += [("corrige/faits_reponses.yaml", fn(default), fn(session)) for fn in (leak_facts, leak_facts_end)]
    pairs += [(g, a, b) for (g, a), (_, b) in zip(passages(default), passages(session), strict=True)]
    out = [Replacement(g, a, b, 1) for g, a, b in pairs if a != b]
    out += [Replacement("data/README.md", "produits par un générateur à graine fixe et ne changent pas d'une session à l'autre",
                        "produits par un générateur à partir de la graine de la session : chaque session a les siens", 1),
            Replacement(guide, "(graine `SEED_B3 = 20260701`) ;\n`.venv/bin/mdpc donnees` les régénère à l'identique "
                        "(`tests/test_datagen.py`). Les valeurs ci-dessous sont\ncelles des données livrées",
                        "(paramètres et graine tirés de l'identifiant de la session par `mdpc/authoring/variants/b3.py`) ;\n"
                        "`mdpc publier --session` les régénère à l'identique. Les valeurs ci-dessous sont\ncelles des "
                        "données de cette session", 1)]
    return tuple(out + _fidelisation(default, session))


def variant(seed: int) -> AssignmentVariant:
    names = names_for(seed)
    default = {**facts(default_data()), "default": True}
    for attempt in range(ATTEMPTS):
        params = draw(rng_for(seed, 1000 + attempt), default)
        if params is None:
            continue
        planted = params.pop("_events")
        texts = {n: rename(_csv(df), names) for n, df in gen.b3_tables(**params).items()}
        data = _load(texts)
        found = detect(data)
        if found != {k: [rename(x, names) if isinstance(x, str) else x for x in v] if isinstance(v, list) else v
                     for k, v in planted.items()}:
            continue
        unnamed = _load({n: _csv(df) for n, df in gen.b3_tables(**params).items()})
        session = {**facts(unnamed), "default": False}
        return AssignmentVariant(data=texts, names=names, replacements=replacements(default, session), events=found)
    raise RuntimeError(f"B3 : aucune variante de même difficulté en {ATTEMPTS} essais (graine {seed}).")
