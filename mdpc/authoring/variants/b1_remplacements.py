"""The replacements of a bloc 1 session: each template of b1_textes rendered from today's facts (the committed
text) and from the session's, plus the passages that are not prose: the hidden test's PESTEL key, the watch-item
numbers of the answer key, the leak patterns of faits_reponses.yaml, the wrong answers of erreurs_types.yaml and
the numbers the answer key's forms hold."""

from __future__ import annotations

from mdpc.authoring.sessions import Replacement
from mdpc.authoring.variants import b1_textes as T

README = "data/README.md"


def nb_domaines(f) -> str:
    """The hidden test's answer key of the PESTEL classification, as the notebook writes it."""
    items = [f'"{i}": "{d}"' for i, d in sorted(f["pestel"]["domaines"].items())]
    lines = [", ".join(items[a:b]) for a, b in ((0, 5), (5, 9), (9, 14), (14, len(items)))]
    return "_DOMAINE = {" + ",\n            ".join(lines) + "}"


def e_signal(f) -> str:
    ids = sorted(T._ids(f, "Économique") + [f["pestel"]["cyber"]])
    return f"pestel_2.signaux: [{', '.join(ids)}]"


def e_option(f) -> str:
    opts, _, d = T._roles(f)
    return f"recommandation.option: {opts[d]['nom']}\n    recommandation.van_annoncee: {round(opts[d]['van'], -3):.0f}"


def e_somme(f) -> str:
    return f"recommandation.van_annoncee: {round(f['opportunites']['options']['A']['somme'], -3):.0f}"


def _digits(n: float) -> tuple[str, str]:
    s = f"{round(n):d}"
    return s[:-3], s[-3:]


def y_pestel(f) -> str:
    p = f["pestel"]
    return (f'  - motif: "{p["rachat"]}\\\\W{{0,5}}\\\\(?\\\\s*(économique|domaine\\\\s*:?\\\\s*économique)"\n'
            f'    pourquoi: "le signal {p["rachat"]} (rachat d\'un installateur) relève du facteur économique, piège du '
            'classement PESTEL"\n'
            f'  - motif: "{p["cyber"]}\\\\W{{0,5}}\\\\(?\\\\s*(technologique|domaine\\\\s*:?\\\\s*technologique)"\n'
            f'    pourquoi: "le signal {p["cyber"]} (cybersécurité des bornes) relève du facteur technologique, piège du '
            'classement PESTEL"')


def y_hhi(f) -> str:
    h = f"{f['hhi']:.0f}"
    return (f'HHI\\\\D{{0,25}}{h[0]}[\\\\s\\u00a0\\u202f]?{h[1:3]}\\\\d"\n    pourquoi: "valeur de l\'indice de '
            f'concentration que le candidat calcule ({T.fr(f["hhi"])})"')


def y_tcam(f) -> str:
    return T.fr(f["tcam"]["vehicules_electriques_flottes_aura"], 1).replace(",", "[,.]") + '\\\\d?\\\\s*%"'


def y_prix(f) -> str:
    return "prix moyen\\\\D{0,40}" + T.fr(f["prix_moyen"], 1).replace(",", "[,.]") + '"'


def y_total(f) -> str:
    v = T.fr(f["marche"]["total"] / 1e6, 1)
    return f'"{v.replace(",", "[,.]")}\\\\s*M€"\n    pourquoi: "marché potentiel total calculé à la section 1 (≈ {v} M€ par an)"'


def y_zone(f) -> str:
    z = f["marche"]["zones"]
    return f'"{z.index[0]}\\\\D{{0,20}}' + T.fr(z.iloc[0] / 1e6, 1).replace(",", "[,.]") + '\\\\s*M€"'


def y_point_mort(f) -> str:
    a, b = _digits(f["finances"]["point_mort"])
    return f"{a}[\\\\s\\u00a0\\u202f]?{b}"


def y_delai(f) -> str:
    d = f["finances"]["delai"]
    two, one = T.fr(d, 2).split(",")[1], T.fr(d, 1).split(",")[1]
    return (f'{int(d)}[,.]({two}|{one})\\\\s*ans"\n    pourquoi: "délai de récupération interpolé '
            f'({T.fr(d, 2)} ans)')


def y_egalite(f) -> str:
    r = f["risques"]
    w, lo = r["egalites"][0]
    pair = "".join(sorted(x[-1] for x in (w, lo)))
    return f'"R0[{pair}]\\\\W{{1,4}}R0[{pair}]\\\\s*:\\\\s*{r["c"][w]}"'


def y_dominee(f) -> str:
    d = T._roles(f)[2]
    return (f'"\\\\b{d}\\\\b\\\\D{{0,20}}(est )?dominée"\n    pourquoi: "l\'opportunité {d} est dominée')


def y_van(f, k) -> str:
    a, b = _digits(f["opportunites"]["options"][k]["van"])
    tail = "|000\\\\s*€" if k == "A" else ""
    return f'"{a}[\\\\s\\u00a0\\u202f]?(k€|{b}{tail})"\n    pourquoi: "VAN de l\'opportunité {k}'


def _pairs(f0: dict, f1: dict):
    """(files, template(f), count) of every text a session rewrites."""
    out = [(T.GUIDE, lambda f, g=g: T.wrap(g(f)), 1) for g in T.BULLETS]
    out += [(T.KEY, t, 1) for t in T.KEY_TEXTS]
    out += [(T.KEY, lambda f, k=k: T.k_mesure(f, k), 1) for k in range(3)]
    out += [(T.NB1, nb_domaines, 1), (T.ERRORS, e_signal, 1), (T.ERRORS, e_option, 1), (T.ERRORS, e_somme, 1),
            (T.FACTS, y_pestel, 1), (T.FACTS, y_hhi, 1), (T.FACTS, y_tcam, 1), (T.FACTS, y_prix, 1),
            (T.FACTS, y_total, 1), (T.FACTS, y_zone, 1), (T.FACTS, y_point_mort, 2), (T.FACTS, y_delai, 1),
            (T.FACTS, y_egalite, 1), (T.FACTS, y_dominee, 1)]
    out += [(T.FACTS, lambda f, k=k: y_van(f, k), 1) for k in "ABC"]
    return out


def _ids(f0: dict, f1: dict) -> list[Replacement]:
    """The watch items' numbers in the answer key's lists, by the title of each item (two passes, no chaining)."""
    new = {t: i for t, i in f1["pestel"]["titres"].items()}
    moves = [(i, new[t]) for t, i in f0["pestel"]["titres"].items() if new[t] != i]
    return ([Replacement(T.KEY, old, f"⟦{old}⟧", 1) for old, _ in moves]
            + [Replacement(T.KEY, f"⟦{old}⟧", new_id, 1) for old, new_id in moves])


def replacements(f0: dict, f1: dict) -> tuple[Replacement, ...]:
    out = [Replacement(files, t(f0), t(f1), n) for files, t, n in _pairs(f0, f1)]
    out += _ids(f0, f1)
    r0, r1 = f0["risques"]["ordre"][2], f1["risques"]["ordre"][2]
    fast0, fast1 = T._fast(f0), T._fast(f1)
    out += [Replacement(T.KEY, a, b, 1) for a, b in ((r0, r1), (fast0, fast1)) if a != b]
    x0, x1 = f0["finances"], f1["finances"]
    a0, a1 = f0["opportunites"]["options"]["A"]["van"], f1["opportunites"]["options"]["A"]["van"]
    out += [Replacement(T.KEY, int(round(x0["ca"][2], -5)), int(round(x1["ca"][2], -5)), 1),
            Replacement(T.KEY, int(x0["parc"][4]), int(x1["parc"][4]), 1),
            Replacement(T.KEY, float(round(a0, -3)), float(round(a1, -3)), 1),
            Replacement(README, "PME lyonnaise (celle du bloc 4)", "PME lyonnaise", 1)]
    return tuple(r for r in out if r.old != r.new or isinstance(r.old, str))
