"""Bloc 2 sessions: the passages of the key, the guide and the notebooks that quote the data, rendered from facts.

``passages(facts)`` returns ``(glob, text, count)`` in a fixed order: rendered from today's facts, each text is
today's (the build fails otherwise: the proof that the template is right); rendered from a session's facts, it is
the session's. Names stay today's here: the session's names are applied after the replacements.
"""

from __future__ import annotations

import os

GUIDE, FAITS, ERREURS = "corrige/guide_formateur.md", "corrige/faits_reponses.yaml", "corrige/erreurs_types.yaml"
KEY, NO_CODE = "corrige/reponses_corrige.json", "corrige/reponses_sans_code.json"
SP = "[  \\u202f]?"   # the separator of thousands a leak pattern accepts (as faits_reponses.yaml writes it)
WORDS = dict(enumerate(("zéro un deux trois quatre cinq six sept huit neuf dix onze douze treize quatorze quinze seize "
                        "dix-sept dix-huit dix-neuf vingt").split()))


def fr(x: float, decimals: int = 0) -> str:
    """A French figure: « 82 470 », « 3,83 »."""
    text = f"{x:,.{decimals}f}".replace(",", " ").replace(".", ",")
    return text


def fr_g(x: float) -> str:
    return f"{x:g}".replace(".", ",")


def _thousands(n: int) -> tuple[str, str]:
    return str(n // 1000), f"{n % 1000:03d}"


def _leak(n: int) -> str:
    a, b = _thousands(n)
    return f"{a}{SP}{b}"


def _leak_either(x: float) -> str:
    """A figure not a whole number, rounded down or up: « 41[  \\u202f]?5(29|30) »."""
    lo, hi = int(x), int(x) + 1
    a, b_lo = _thousands(lo)
    b_hi = _thousands(hi)[1]
    common = os.path.commonprefix([b_lo, b_hi])
    return f"{a}{SP}{common}({b_lo[len(common):]}|{b_hi[len(common):]})"


def c21(f: dict) -> list[tuple[str, str, int]]:
    c = f["clients"]
    seg = next(s for s in c if f["arrondis"][s] != c[s])
    seg_text = "grands comptes" if seg == "Grands comptes" else seg
    return [
        (GUIDE, f"Objectif de {fr(f['objectif'])} € auprès de nouveaux clients, budget de {fr(f['budget'])} €, plafond de\n"
                f"{fr(f['plafond'])} kg CO2e.", 1),
        (GUIDE, f"(arrondi au-dessus) : grands comptes {c['Grands comptes']}, PME {c['PME']}, TPE {c['TPE']}.", 1),
        (GUIDE, f"coûte {fr(f['cout'])} € et émet environ {fr(f['co2'])} kg", 1),
        (ERREURS, f"arrondis au plus près ({f['arrondis'][seg]} {seg_text} au lieu de {c[seg]})", 1),
        (FAITS, f"\"{c['Grands comptes']} nouveaux clients[^.\\\\n]{{0,20}}grands comptes|grands comptes\\\\s*:\\\\s*"
                f"{c['Grands comptes']} nouveaux clients\"", 1),
        (FAITS, f"\"{_leak(int(f['cout']))} €\"", 1),
    ]


def c22(f: dict) -> list[tuple[str, str, int]]:
    s, q, abc = f["segments"], f["qualifs"], f["abc"]
    return [
        (GUIDE, f"{f['lignes']} lignes pour {f['entreprises']} entreprises : {f['doublons']} doublons d'adresse", 1),
        (GUIDE, f"; {f['groupes_meme_date']} groupes de doublons", 1),
        (GUIDE, f"Fichier propre : {f['entreprises']} lignes ; bilan de qualité : {f['doublons']} doublons retirés, "
                f"{f['siret']} SIRET manquants ou invalides,\n  {f['consentements']} consentements non renseignés.", 1),
        (GUIDE, f"- {f['clients']} clients : {s['Champions']} Champions, {s['Fidèles']} Fidèles, {s['À réactiver']} À réactiver, "
                f"{s['Occasionnels']} Occasionnels ; classes ABC : {abc['A']} A, {abc['B']} B, {abc['C']} C (part", 1),
        (GUIDE, f"- {f['prospects']} prospects : {q['chaud']} chauds, {q['tiède']} tièdes, {q['froid']} froids. Le score est "
                f"arrondi à une décimale : {f['score_45']} prospects ont un score de", 1),
        (GUIDE, f"- {f['eligibles']} prospects sont éligibles", 1),
        (GUIDE, f"l'extrait compte {f['extrait']} prospects.", 1),
        (GUIDE, f"score non arrondi ({f['score_45']} tièdes classés froids)", 1),
        (ERREURS, f"{WORDS.get(f['score_45'], str(f['score_45']))} prospects tièdes classés froids", 1),
        (FAITS, f"\"{f['doublons']} doublons\"", 1),
        (FAITS, f"\"{f['siret']} siret\"", 1),
        (FAITS, f"\"{f['consentements']} consentements\"", 1),
        (FAITS, f"\"\\\\b({f['eligibles']}|{f['extrait']}) prospects", 1),
        (FAITS, f"\"\\\\b{f['score_45']} prospects\"", 1),
        (FAITS, f"\"{s['Champions']} champions|{s['Fidèles']} fidèles|{s['À réactiver']} à réactiver|"
                f"{s['Occasionnels']} occasionnels\"", 1),
    ]


def c23(f: dict, default: bool) -> list[tuple[str, str, int]]:
    t, h = f["top"], f["h"]
    first = t[0]
    gain = "27 000" if default else fr(round(first["gain"], -3))   # today's key says « environ 27 000 € »

    def value(r, with_margin_words):
        words = (" de CA", " de marge pour Ombelle", " pour le partenaire") if with_margin_words else ("", "", "")
        return (f"{r['nom']} {fr_g(round(r['clients'], 1))} clients, {fr(r['ca'])} €{words[0]}, {fr(r['marge'])} €{words[1]}, ")
    return [
        (GUIDE, "place en tête " + ", ".join(f"{r['nom']} ({fr(r['score'], 2)})" for r in t[:2])
                + f" et {t[2]['nom']} ({fr(t[2]['score'], 2)})", 1),
        (GUIDE, f"(valeur annuelle pour les trois premiers du corrigé) : {t[0]['nom']} {fr_g(round(t[0]['clients'], 1))} clients,\n"
                f"{fr(t[0]['ca'])} € de CA, {fr(t[0]['marge'])} € de marge pour Ombelle, {fr(t[0]['gain'])} € pour le partenaire "
                f"(commission et pose des bornes) ;\n{t[1]['nom']} {fr_g(round(t[1]['clients'], 1))} clients, {fr(t[1]['ca'])} € de CA, "
                f"{fr(t[1]['marge'])} € et {fr(t[1]['gain'])} € ; {t[2]['nom']} {fr_g(round(t[2]['clients'], 1))} clients,\n"
                f"{fr(t[2]['ca'])} €, {fr(t[2]['marge'])} € et {fr(t[2]['gain'])} €.", 1),
        (FAITS, f"\"(score|{first['nom'].lower()})[^\\\\n]{{0,40}}\\\\b{fr(first['score'], 2).replace(',', '[,.]')}\\\\b\"", 1),
        (FAITS, f"\"{_leak(int(round(first['ca'])))}\"", 1),
        (FAITS, f"\"{_leak_either(first['gain'])}\"", 1),
        (KEY, f"Vos {first['clients_flottes']} clients flottes", 1),
        (KEY, f"{fr_g(round(100 * h['commission_partenaire'], 1))} % de commission et la pose de {int(h['bornes_par_client'])} "
              f"bornes par client, soit environ {gain} €", 1),
    ]


def c24(f: dict) -> list[tuple[str, str, int]]:
    n, st, dm, last = f["n"], f["standard"], f["demande"], f["etapes"][-1]
    pl = f["plancher"]
    return [
        (GUIDE, f"Transports Rhodaniens, {int(n['bornes'])} bornes ;", 1),
        (GUIDE, f"plancher de marge {fr_g(100 * n['taux_marge_plancher'])} %", 1),
        (GUIDE, f"Marge de l'offre catalogue : {fr(st['marge'])} € sur {fr(st['chiffre_affaires'])} € de CA "
                f"({fr(100 * st['taux_marge'], 1)} %). Marge si l'on cède toute la demande :\n  {fr(dm['marge'])} € "
                f"({fr(100 * dm['taux_marge'], 1)} %)", 1),
        (GUIDE, f"Prix plancher : {fr(pl, 2)} € par borne et par mois ; ZOPA sur le prix de {fr(pl, 2)} € à "
                f"{fr_g(n['budget_client_max_mensuel'])} € ; BATNA : {fr(n['marge_meilleure_alternative_eur'])} € de marge.", 1),
        (GUIDE, f"({fr(100 * last['taux_marge'], 1)} %, {fr(last['marge'])} € de marge, au-dessus de la BATNA)", 1),
        ("C2_4_negociation.ipynb", f"({f['vehicules']} véhicules, 3 dépôts) veut équiper {int(n['bornes'])} places", 1),
        (FAITS, f"\"{fr(pl, 2).replace(',', '[,.]')}\"", 1),
        (FAITS, f"{{0,80}}{fr(pl, 1).replace(',', '[,.]')}\"", 1),
        (FAITS, f"\"{_leak(int(round(dm['marge'])))}\"", 1),
        (FAITS, f"\"{fr(100 * dm['taux_marge'], 1).replace(',', '[,.]')} ?%\"", 1),
    ]


def c24_numbers(f: dict) -> list[tuple[str, str, int]]:
    """Numbers of the no-code answers (JSON numbers, not strings)."""
    return [(NO_CODE, repr(round(f["plancher"], 2)), 1),
            (NO_CODE, repr(float(f["n"]["marge_meilleure_alternative_eur"])), 1),
            (NO_CODE, repr(round(f["demande"]["marge"], 2)), 1)]


def c25(f: dict) -> list[tuple[str, str, int]]:
    inv, mens = f["budgets"]
    return [
        ("C2_5_entretien_vente.ipynb", f"BUDGET_INVESTISSEMENT, BUDGET_MENSUEL = {inv}, {mens}", 1),
        (GUIDE, f"{f['bornes']} bornes envisagées, budget de {fr(inv)} € d'investissement et {fr(mens)} € par mois.", 1),
        (GUIDE, f"Tous les modules ensemble coûtent {fr(f['tout'][1])} € par mois", 1),
        (GUIDE, f"{fr(f['solution'][0])} € d'investissement, {fr(f['solution'][1])} € par mois.", 1),
        (FAITS, f"\"{_leak(int(f['tout'][1]))} €\"", 1),
    ]


def passages(facts: dict, default: bool) -> list[tuple[str, str, int]]:
    return (c21(facts["c21"]) + c22(facts["c22"]) + c23(facts["c23"], default) + c24(facts["c24"]) + c25(facts["c25"]))
