"""What the papermill report templates display: tables, charts with text alternatives, recommendations."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

from .cases import HATCHES, PALETTE, describe
from .decisions import (
    ACQUIS,
    ATTENTE,
    CERTIFIE,
    DISPENSE,
    EN_ATTENTE,
    NON_ACQUIS,
    NON_VALIDE,
    PARTIELLE,
    VALIDE,
)

SYMBOL = {VALIDE: "✔", NON_VALIDE: "✘", ATTENTE: "…", ACQUIS: "✔", NON_ACQUIS: "✘", EN_ATTENTE: "…",
          DISPENSE: "D", CERTIFIE: "✔", PARTIELLE: "◐"}


def load(path: str | Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def status(text: str) -> str:
    """A status with a symbol, so that nothing is said by colour alone."""
    return f"{SYMBOL.get(text, '')} {text}".strip()


def show_header(rec: dict) -> None:
    c, d, r = rec["candidat"], rec["decision"], rec["remise"]
    lines = [f"# Relevé de résultats — {html.escape(c['nom'])}",
             f"**Candidat :** {c['nom']} ({c['id']})  ",
             f"**Session :** {rec['session']}  ",
             f"**Décision à ce stade :** {SYMBOL.get(d['statut'], '')} {d['resume']}  "]
    if r["date"]:
        late = r["retard_minutes"]
        extra = r["temps_supplementaire_minutes"]
        when = f"**Remise :** {r['date']} (échéance {r['echeance'] or 'non fixée'}"
        when += f", temps supplémentaire accordé : {extra} min" if extra else ""
        when += ") — " + (f"⚠ hors délai de {late} min" if late else "dans les délais")
        lines.append(when)
    if r["carnets_manquants"]:
        lines.append(f"⚠ Carnets non remis : {', '.join(r['carnets_manquants'])}")
    display(Markdown("\n".join(lines)))


def decisions_table(rec: dict) -> pd.DataFrame:
    rows = []
    for b in rec["blocs"]:
        assessed = [c for c in b["competences"] if c["evaluee"]]
        rows.append({"Bloc / compétence": f"Bloc {b['numero']} — {b['intitule']}", "Décision": status(b["statut"]),
                     "Motif": "" if assessed else "aucune compétence évaluée à ce jour"})
        for c in assessed:
            rows.append({"Bloc / compétence": f"{c['code']} ({c['modalite']})", "Décision": status(c["statut"]),
                         "Motif": c["raison"]})
        others = [c["code"] for c in b["competences"] if not c["evaluee"]]
        if assessed and others:
            rows.append({"Bloc / compétence": f"{', '.join(others)}", "Décision": "… non évaluée(s) à ce jour",
                         "Motif": "le bloc reste en attente de ces compétences"})
    return pd.DataFrame(rows)


TABLE_STYLE = [{"selector": "th", "props": [("text-align", "left")]},
               {"selector": "td", "props": [("text-align", "left"), ("vertical-align", "top")]}]


def show_decisions(rec: dict) -> None:
    display(decisions_table(rec).style.hide(axis="index").set_table_styles(TABLE_STYLE))


def criteria_table(comp: dict) -> pd.DataFrame:
    rows = []
    for cr in comp["criteres"]:
        level = "—" if cr["niveau"] is None else f"{cr['niveau']} — {cr['libelle']}"
        if cr["statut"] == DISPENSE:
            level = "Dispensé"
        source = {"correcteur": "correcteur", "proposition automatique": "proposition automatique (à confirmer)"}.get(
            cr["source"], "—")
        auto = "" if cr["part_auto"] is None else f"{100 * cr['part_auto']:.0f} %"
        if cr["statut"] == DISPENSE:
            source, auto = "—", ""
        if cr.get("notes_divergentes"):
            source = "notes divergentes : " + ", ".join(f"{w} {lv}" for w, lv in cr["niveaux_par_correcteur"].items())
        elif cr.get("correcteur") and cr["source"] == "correcteur":
            source = cr["correcteur"]
        rows.append({"Critère": f"{cr['numero']}. {cr['texte']}", "Niveau": level, "Statut": status(cr["statut"]),
                     "Évalué par": source, "Tests réussis": auto, "Commentaire": cr["commentaire"] or ""})
    return pd.DataFrame(rows)


def show_criteria(rec: dict) -> None:
    for b in rec["blocs"]:
        for c in b["competences"]:
            if not c["evaluee"]:
                continue
            display(Markdown(f"### {c['code']} — {status(c['statut'])}\n\n*{c['intitule']}*"))
            display(criteria_table(c).style.hide(axis="index").set_table_styles(TABLE_STYLE))


def _levels(rec: dict) -> pd.DataFrame:
    rows = []
    for b in rec["blocs"]:
        for c in b["competences"]:
            if not c["evaluee"]:
                continue
            for cr in c["criteres"]:
                rows.append({"critère": f"{c['code']}-{cr['numero']}", "competence": c["code"],
                             "niveau": cr["niveau"], "statut": cr["statut"]})
    return pd.DataFrame(rows)


def show_levels_chart(rec: dict, cohort: list[dict] | None = None) -> None:
    data = _levels(rec)
    if data.empty:
        display(Markdown("*Aucun critère évalué à ce jour : pas de graphique.*"))
        return
    top = max(int(k) for k in rec["echelle"])
    fig, ax = plt.subplots(figsize=(max(6, 0.55 * len(data)), 3.8))
    comps = list(dict.fromkeys(data["competence"]))
    for i, row in data.reset_index(drop=True).iterrows():
        k = comps.index(row["competence"])
        value = 0 if row["niveau"] is None or pd.isna(row["niveau"]) else row["niveau"]
        bar = ax.bar(i, value if row["statut"] != DISPENSE else 0, color=PALETTE[k % len(PALETTE)],
                     hatch=HATCHES[k % len(HATCHES)], edgecolor="black")
        ax.annotate(SYMBOL.get(row["statut"], ""), (i, bar[0].get_height()), ha="center", va="bottom")
    if cohort:
        means = _cohort_means(cohort)
        xs = [i for i, c in enumerate(data["critère"]) if c in means]
        ax.plot(xs, [means[data["critère"].iloc[i]] for i in xs], "kD", label="moyenne de la cohorte")
        ax.legend(loc="upper right", fontsize=8)
    ax.axhline(rec["seuil_acquis"] - 0.5, color="black", linestyle="--", linewidth=1)
    ax.set_xticks(range(len(data)), data["critère"], rotation=45, ha="right")
    ax.set_yticks(range(top + 1), [f"{k} {rec['echelle'][str(k)]}" for k in range(top + 1)])
    ax.set_ylim(0, top + 0.6)
    ax.set_title("Niveau obtenu par critère (pointillés : seuil d'acquisition)")
    fig.tight_layout()
    acquired = (data["statut"] == ACQUIS).sum()
    alt = (f"Diagramme en barres des niveaux par critère : {acquired} critère(s) acquis sur {len(data)}, "
           f"{(data['statut'] == NON_ACQUIS).sum()} non acquis, {(data['statut'] == EN_ATTENTE).sum()} en attente, "
           f"{(data['statut'] == DISPENSE).sum()} dispensé(s). Le tableau ci-dessous donne les mêmes valeurs.")
    table = data.assign(niveau=data["niveau"].map(lambda v: "—" if v is None or pd.isna(v) else int(v)))
    describe(fig, alt, table.drop(columns="competence").set_index("critère").T)


def _cohort_means(cohort: list[dict]) -> dict[str, float]:
    values: dict[str, list[float]] = {}
    for rec in cohort:
        for _, row in _levels(rec).iterrows():
            if row["niveau"] is not None and not pd.isna(row["niveau"]) and row["statut"] != DISPENSE:
                values.setdefault(row["critère"], []).append(float(row["niveau"]))
    return {k: sum(v) / len(v) for k, v in values.items()}


def show_accommodations(rec: dict) -> None:
    lines = []
    if rec["amenagement"] or rec["remise"]["temps_supplementaire_minutes"]:
        lines.append(f"- Aménagement : {rec['amenagement'] or 'temps supplémentaire'} "
                     f"({rec['remise']['temps_supplementaire_minutes']} min).")
    for e in rec["dispenses"]:
        lines.append(f"- Dispense du critère {e['critere']} de {e['competence']}, décidée par le jury le "
                     f"{e['date_decision']} sur avis motivé du référent handicap ; les deux conditions cumulatives "
                     "sont affirmées. Le critère est laissé hors de la décision.")
    for m in rec["dispenses_refusees"]:
        lines.append(f"- ⚠ {m}")
    display(Markdown("\n".join(lines) if lines else "Aucun aménagement ni dispense."))


def show_recommendations(rec: dict) -> None:
    lines = []
    for b in rec["blocs"]:
        for c in b["competences"]:
            for cr in c["criteres"]:
                if cr["statut"] == NON_ACQUIS:
                    lines.append(f"- **{c['code']}, critère {cr['numero']}** — {cr['texte']}  \n"
                                 f"  Pour atteindre le niveau « Acquis » : {cr['cible']}")
    display(Markdown("\n".join(lines) if lines else "Aucun critère non acquis : pas de recommandation."))
