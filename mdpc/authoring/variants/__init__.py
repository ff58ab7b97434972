"""Variant modules of the assignments (one per bloc), and the pools of fictional names they draw from.

Each module exposes ``variant(seed) -> AssignmentVariant`` (``mdpc.authoring.sessions``): its data regenerated
from the seed with planted events drawn and checked detectable, the names to change, and the exact
replacements of what the data do not carry. The pools below are fictional names that appear nowhere in
today's cases, lessons or demo cohort (``tests/test_sessions.py`` checks it), so that a renamed session never
mixes a new name with an old one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FIRST_NAMES = {
    "f": ["Agathe", "Albane", "Alix", "Anaïs", "Apolline", "Axelle", "Bérénice", "Blandine", "Capucine", "Céleste",
          "Clarisse", "Coralie", "Daphné", "Delphine", "Éloïse", "Estelle", "Faustine", "Flavie", "Gaëlle",
          "Héloïse", "Hortense", "Iris", "Jeanne", "Joséphine", "Justine", "Laure", "Leïla", "Lison", "Maëlys",
          "Mathilde", "Mélissa", "Nadia", "Noémie", "Ophélie", "Perrine", "Rachida", "Salomé", "Servane",
          "Solène", "Tiphaine", "Victoire", "Yasmina", "Zoé", "Clémence", "Amandine", "Bérangère", "Margaux",
          "Soraya", "Linh", "Fatou"],
    "m": ["Adrien", "Alban", "Amaury", "Anatole", "Antonin", "Armand", "Aurélien", "Basile", "Bastien", "Benoît",
          "Brice", "Cyprien", "Damien", "Edgar", "Élie", "Émeric", "Fabien", "Florent", "Gaspard", "Gauthier",
          "Grégoire", "Hector", "Hugo", "Jérémie", "Joachim", "Jordan", "Léandre", "Lionel", "Loïc", "Malik",
          "Marius", "Maxence", "Nathan", "Octave", "Olivier", "Quentin", "Raphaël", "Régis", "Samir", "Sacha",
          "Simon", "Tanguy", "Timothée", "Valentin", "Victor", "Yanis", "Youssef", "Baptiste", "Minh", "Moussa"],
}
SURNAMES = [
    "Abadie", "Allard", "Arnoult", "Barbier", "Baudin", "Berthier", "Besnard", "Blanchet", "Bouvier", "Brunel",
    "Carpentier", "Chauvin", "Chevallier", "Collet", "Coste", "Delorme", "Deschamps", "Devaux", "Dumont", "Ferrand",
    "Fleury", "Gauthier-Roux", "Gilbert", "Guérin", "Hamon", "Hoarau", "Jacquet", "Joly", "Labbé", "Lacombe",
    "Langlois", "Laurent-Petit", "Lebreton", "Leclerc", "Lejeune", "Lemaire", "Le Goff", "Marchal", "Maillard",
    "Mallet", "Marty", "Meunier", "Millet", "Monnier", "Navarro", "Olivier-Lamy", "Pasquier", "Pelletier",
    "Poulain", "Prévost", "Raynaud", "Rey", "Rivière-Bonnet", "Rolland", "Royer", "Sanchez", "Schmitt", "Tessier",
    "Texier", "Vasseur-Klein", "Vidal", "Weber", "Benhamou", "Traoré", "Ndiaye", "Haddad", "Tran", "Pham",
    "Kowalski", "Da Silva", "Ferreira", "Hoang", "Mansouri", "Belkacem", "Diop", "Camara", "Yilmaz", "Ortega",
]


# Firms that appear in several assignments get one name per session (not one per assignment): the session's
# seed draws it (:func:`shared_names`), :func:`mdpc.authoring.sessions.make_variant` puts it over the module's.
SHARED_FIRMS = {
    "Ombelle": ["Aubélie", "Orvane", "Elvéa", "Isalis", "Ambrelle", "Ulmaire"],  # vowel first: « d'Ombelle »
    "Transports Rhodaniens": ["Transports Allobroges", "Transports Dauphinois", "Transports Foréziens",
                              "Transports Savoyards"],
}


def shared_names(session: int) -> dict[str, str]:
    """Today's name → the session's, for the firms shared by several assignments (``session``: the session's
    seed, not an assignment's)."""
    rng = rng_for(session, 7)
    return {old: pick(rng, pool) for old, pool in SHARED_FIRMS.items()}


def rng_for(seed: int, salt: int = 0) -> np.random.Generator:
    return np.random.default_rng([seed, salt])


def people_names(rng: np.random.Generator, people: Sequence[tuple[str, str]], taken: set[str] = frozenset(),
                 parts: bool = False) -> dict[str, str]:
    """A new full name for each ``(full name, "f" or "m")``: same gender, first names and surnames all distinct.

    ``parts``: also map each first name and each surname used alone (« Sophie », « Mme Marchand »), when it
    belongs to one person only of the list."""
    firsts = {g: [n for n in FIRST_NAMES[g] if n not in taken] for g in FIRST_NAMES}
    lasts = [n for n in SURNAMES if n not in taken]
    order = {g: list(rng.permutation(len(firsts[g]))) for g in firsts}
    last_order = list(rng.permutation(len(lasts)))
    out: dict[str, str] = {}
    for full, gender in people:
        first, last = firsts[gender][order[gender].pop()], lasts[last_order.pop()]
        out[full] = f"{first} {last}"
    if parts:
        for index in (0, -1):
            pieces = [(full.split(" ", 1)[index] if index == 0 else full.split(" ", 1)[1],
                       out[full].split(" ", 1)[index] if index == 0 else out[full].split(" ", 1)[1])
                      for full, _ in people]
            for old, new in pieces:
                if sum(o == old for o, _ in pieces) == 1:
                    out.setdefault(old, new)
    return out


def pick(rng: np.random.Generator, pool: Sequence[str]) -> str:
    return pool[int(rng.integers(len(pool)))]
