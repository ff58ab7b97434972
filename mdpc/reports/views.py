"""What the papermill report templates display: tables, charts with text alternatives, recommendations."""

from __future__ import annotations

import html
import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from mdpc.core.decisions import (
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
from mdpc_utils.cases import HATCHES, PALETTE, date_fr, describe, fr_number

SYMBOL = {VALIDE: "✔", NON_VALIDE: "✘", ATTENTE: "…", ACQUIS: "✔", NON_ACQUIS: "✘", EN_ATTENTE: "…",
          DISPENSE: "D", CERTIFIE: "✔", PARTIELLE: "◐"}


def duration_fr(minutes: int) -> str:
    """A lateness as a reader counts it: « 2 715 min » reads « 1 j 21 h 15 min »."""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = [f"{days} j"] * bool(days) + [f"{hours} h"] * bool(hours) + [f"{mins} min"] * bool(mins or not (days or hours))
    return " ".join(parts)


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
    extra = r["temps_supplementaire_minutes"]
    for dv in r.get("devoirs") or [{"devoir": "", **r}]:
        if not dv["date"]:
            continue
        late = dv["retard_minutes"]
        when = f"**Remise{' — ' + dv['devoir'] if dv['devoir'] else ''} :** {dv['date']} (échéance {dv['echeance'] or 'non fixée'}"
        when += f", temps supplémentaire accordé : {extra} min" if extra else ""
        when += ") — " + (f"⚠ hors délai de {duration_fr(late)}" if late else "dans les délais") + "  "
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
                rows.append({"critère": f"{c['code']}-{cr['numero']}", "competence": c["code"], "bloc": b["numero"],
                             "numero": cr["numero"], "niveau": cr["niveau"], "statut": cr["statut"]})
    return pd.DataFrame(rows)


def levels_table(data: pd.DataFrame, means: dict[str, float]) -> pd.DataFrame:
    """The chart's values as a compact table: one row per competency, one column per criterion."""
    def cell(row) -> str:
        if row["statut"] == DISPENSE:
            return "dispensé"
        level = "—" if row["niveau"] is None or pd.isna(row["niveau"]) else str(int(row["niveau"]))
        if row["statut"] == EN_ATTENTE and level != "—":
            level += " proposé"
        mean = means.get(row["critère"])
        return f"{level} {SYMBOL.get(row['statut'], '')}" + (f" (cohorte {fr_number(mean, 1)})" if mean is not None else "")

    return _by_criterion_table(data, data.apply(cell, axis=1))


def _bloc_panels(data: pd.DataFrame):
    """One panel per bloc, stacked, each as wide as its criteria need: 69 criteria stay readable."""
    blocs = list(dict.fromkeys(data["bloc"]))
    width = max(6.0, min(11.0, 0.42 * data.groupby("bloc").size().max() + 1.5))
    fig, axes = plt.subplots(len(blocs), 1, figsize=(width, 2.3 * len(blocs) + 0.4), squeeze=False)
    return fig, list(zip(axes[:, 0], blocs, strict=True))


def _by_criterion_table(data: pd.DataFrame, values: pd.Series) -> pd.DataFrame:
    """Values per criterion as a compact table: one row per competency, one column per criterion number."""
    shown = data.assign(valeur=values, colonne=data["numero"].map(lambda k: f"critère {k}"))
    table = shown.pivot(index="competence", columns="colonne", values="valeur").fillna("")
    table = table.reindex(list(dict.fromkeys(data["competence"])))
    table.index.name = "compétence"
    table.columns.name = None
    return table


def show_levels_chart(rec: dict, cohort: list[dict] | None = None) -> None:
    """One panel per bloc: the level of each criterion, the cohort mean beside it, the acquisition threshold."""
    data = _levels(rec)
    if data.empty:
        display(Markdown("*Aucun critère évalué à ce jour : pas de graphique.*"))
        return
    top = max(int(k) for k in rec["echelle"])
    means = _cohort_means(cohort) if cohort else {}
    fig, panels = _bloc_panels(data)
    first = panels[0][1]
    for ax, bloc in panels:
        part = data[data["bloc"] == bloc].reset_index(drop=True)
        comps = list(dict.fromkeys(part["competence"]))
        for i, row in part.iterrows():
            k = comps.index(row["competence"])
            value = 0 if row["niveau"] is None or pd.isna(row["niveau"]) or row["statut"] == DISPENSE else row["niveau"]
            if row["statut"] == EN_ATTENTE:  # a level not yet decided (proposal, divergence): an empty dashed bar
                bar = ax.bar(i, value, facecolor="white", edgecolor="dimgray", linestyle="--")
            else:
                bar = ax.bar(i, value, color=PALETTE[k % len(PALETTE)], hatch=HATCHES[k % len(HATCHES)],
                             edgecolor="black")
            ax.annotate(SYMBOL.get(row["statut"], ""), (i, bar[0].get_height()), ha="center", va="bottom", fontsize=8)
        xs = [i for i, c in enumerate(part["critère"]) if c in means]
        if xs:
            ax.plot(xs, [means[part["critère"].iloc[i]] for i in xs], "kD", markersize=4, label="moyenne de la cohorte")
            if bloc == first:  # one legend, above the first panel, clear of the bars
                ax.legend(loc="lower right", bbox_to_anchor=(1, 1), fontsize=7, frameon=False)
        ax.axhline(rec["seuil_acquis"] - 0.5, color="black", linestyle="--", linewidth=1)
        ax.set_xticks(range(len(part)), part["critère"], rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(top + 1), [f"{k} {rec['echelle'][str(k)]}" for k in range(top + 1)], fontsize=7)
        ax.set_ylim(0, top + 0.8)
        ax.set_xlim(-0.6, len(part) - 0.4)
        ax.set_title(f"Bloc {bloc}", fontsize=9, loc="left")
    fig.suptitle("Niveau obtenu par critère (pointillés : seuil d'acquisition)", fontsize=10)
    fig.tight_layout()
    acquired = (data["statut"] == ACQUIS).sum()
    alt = (f"Diagrammes en barres des niveaux par critère, un par bloc : {acquired} critère(s) acquis sur "
           f"{len(data)}, {(data['statut'] == NON_ACQUIS).sum()} non acquis, {(data['statut'] == EN_ATTENTE).sum()} "
           f"en attente (barre vide en pointillés : niveau proposé, pas encore arrêté), "
           f"{(data['statut'] == DISPENSE).sum()} dispensé(s). Le tableau ci-dessous donne les mêmes "
           "valeurs" + (", avec la moyenne de la cohorte." if means else "."))
    describe(fig, alt, levels_table(data, means).style.set_table_styles(TABLE_STYLE))


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
                     f"{date_fr(e['date_decision'])} sur avis motivé du référent handicap ; les deux conditions cumulatives "
                     "sont affirmées. Le critère est laissé hors de la décision.")
    for m in rec["dispenses_refusees"]:
        lines.append(f"- ⚠ {m}")
    display(Markdown("\n".join(lines) if lines else "Aucun aménagement ni dispense."))


def show_incidents(rec: dict) -> None:
    """What the checks of the copies found before grading (put right, and how), and any copy that
    could not be autograded: its criteria wait for a new autograde."""
    items = rec.get("incidents", [])
    if not items:
        display(Markdown("Copies reçues et autocorrigées sans incident."))
        return
    display(Markdown("\n".join(
        f"- {'⚠ ' if i['type'] == 'echec_autocorrection' else ''}**{i.get('devoir', '')}"
        + (f", {i['carnet']}" if i.get("carnet") else "") + f"** : {html.escape(i['message'])}" for i in items)))


def show_recommendations(rec: dict) -> None:
    lines = []
    for b in rec["blocs"]:
        for c in b["competences"]:
            for cr in c["criteres"]:
                if cr["statut"] == NON_ACQUIS:
                    lines.append(f"- **{c['code']}, critère {cr['numero']}** — {cr['texte']}  \n"
                                 f"  Pour atteindre le niveau « Acquis » : {cr['cible']}")
    display(Markdown("\n".join(lines) if lines else "Aucun critère non acquis : pas de recommandation."))


# -- cohort report ----------------------------------------------------------------------------------
def _criteria_rows(cohort: list[dict]) -> pd.DataFrame:
    rows = []
    for rec in cohort:
        for b in rec["blocs"]:
            for c in b["competences"]:
                if not c["evaluee"]:
                    continue
                for cr in c["criteres"]:
                    rows.append({"candidat": rec["candidat"]["id"], "bloc": b["numero"], "competence": c["code"],
                                 "critere": f"{c['code']}-{cr['numero']}", "texte": cr["texte"],
                                 "niveau": cr["niveau"], "statut": cr["statut"]})
    return pd.DataFrame(rows)


def show_cohort_header(cohort: list[dict], session: str) -> None:
    n = len(cohort)
    statuses = pd.Series([r["decision"]["statut"] for r in cohort]).value_counts()
    display(Markdown(f"# Rapport de cohorte — {html.escape(session)}\n\n**{n} candidat(s).** Décisions de "
                     "certification à ce stade : " + ", ".join(f"{status(k)} : {v}" for k, v in statuses.items())))


def success_tables(cohort: list[dict]) -> dict[str, pd.DataFrame]:
    """Success rates per criterion, competency and bloc (only what was decided: pending and exempt left out)."""
    rows = _criteria_rows(cohort)
    out = {}
    decided = rows[rows["statut"].isin([ACQUIS, NON_ACQUIS])]
    crit = decided.groupby(["critere", "texte"])["statut"].agg(
        acquis=lambda s: (s == ACQUIS).sum(), decides="count").reset_index()
    crit["taux"] = (100 * crit["acquis"] / crit["decides"]).round(0)
    out["criteres"] = crit.sort_values(["taux", "critere"])
    comps, blocs = [], []
    for rec in cohort:
        for b in rec["blocs"]:
            if any(c["evaluee"] for c in b["competences"]):
                blocs.append({"bloc": f"Bloc {b['numero']}", "statut": b["statut"]})
            for c in b["competences"]:
                if c["evaluee"]:
                    comps.append({"competence": c["code"], "statut": c["statut"]})
    for name, data, key in (("competences", comps, "competence"), ("blocs", blocs, "bloc")):
        df = pd.DataFrame(data)
        table = df.groupby(key)["statut"].value_counts().unstack(fill_value=0)
        for col in (VALIDE, NON_VALIDE, ATTENTE):
            if col not in table:
                table[col] = 0
        table = table[[VALIDE, NON_VALIDE, ATTENTE]]
        table["taux de validation (%)"] = (100 * table[VALIDE] / table.sum(axis=1)).round(0).astype(int)
        table.columns.name = None
        out[name] = table.reset_index().rename(columns={key: key.capitalize().replace("Competence", "Compétence")})
    return out


def show_cohort_success(cohort: list[dict]) -> None:
    tables = success_tables(cohort)
    for title, key in (("Par bloc", "blocs"), ("Par compétence", "competences")):
        display(Markdown(f"### {title}"))
        display(tables[key].style.hide(axis="index").set_table_styles(TABLE_STYLE))
    crit = tables["criteres"]
    if crit.empty:
        display(Markdown("*Aucun critère noté à ce jour : pas de graphique.*"))
        return
    data = crit.assign(bloc=crit["critere"].str[1].astype(int), competence=crit["critere"].str.split("-").str[0],
                       numero=crit["critere"].str.split("-").str[1].astype(int))
    data = data.sort_values(["competence", "numero"]).reset_index(drop=True)
    fig, panels = _bloc_panels(data)
    for ax, bloc in panels:
        part = data[data["bloc"] == bloc].reset_index(drop=True)
        bars = ax.bar(range(len(part)), part["taux"], color=PALETTE[0], edgecolor="black")
        for bar, v in zip(bars, part["taux"], strict=True):
            ax.annotate(f"{v:.0f}", (bar.get_x() + bar.get_width() / 2, v), ha="center", va="bottom", fontsize=7)
            if v < 50:
                bar.set_hatch("//")
                bar.set_facecolor(PALETTE[3])
        ax.axhline(50, color="black", linestyle=":", linewidth=1)
        ax.set_xticks(range(len(part)), part["critere"], rotation=45, ha="right", fontsize=7)
        ax.set_xlim(-0.6, len(part) - 0.4)
        ax.set_ylim(0, 115)
        ax.set_ylabel("réussite (%)", fontsize=8)
        ax.set_title(f"Bloc {bloc}", fontsize=9, loc="left")
    fig.suptitle("Taux de réussite par critère, en % des candidats notés (hachures : moins de 50 %)", fontsize=10)
    fig.tight_layout()
    worst = ", ".join(f"{r.critere} ({r.taux:.0f} %)" for r in crit.head(3).itertuples())
    values = data.apply(lambda r: f"{r.taux:.0f} % ({r.acquis}/{r.decides})", axis=1)
    describe(fig, f"Taux de réussite par critère pour les critères notés par le jury, un diagramme par bloc ; les plus "
                  f"faibles : {worst}. Le tableau donne, pour chaque critère, le taux et le nombre de candidats qui "
                  "l'ont acquis sur ceux qui ont été notés.",
             _by_criterion_table(data, values).style.set_table_styles(TABLE_STYLE))


def show_level_distribution(cohort: list[dict]) -> None:
    rows = _criteria_rows(cohort)
    rated = rows[rows["niveau"].notna() & (rows["statut"] != DISPENSE)]
    table = rated.groupby("competence")["niveau"].value_counts().unstack(fill_value=0).reindex(
        columns=[0, 1, 2, 3], fill_value=0)
    fig, ax = plt.subplots(figsize=(max(7.0, min(11.0, 0.45 * len(table) + 2.5)), 3.6))
    bottom = pd.Series(0, index=table.index)
    for k in table.columns:
        ax.bar(table.index, table[k], bottom=bottom, color=PALETTE[int(k)], hatch=HATCHES[int(k)], edgecolor="black",
               label=f"niveau {k}")
        bottom += table[k]
    ax.set_ylabel("nombre de critères")
    ax.set_title("Répartition des niveaux par compétence")
    ax.tick_params(axis="x", rotation=45, labelsize=8)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    fig.tight_layout()
    describe(fig, "Répartition des niveaux (0 à 3) attribués, compétence par compétence ; le tableau donne les effectifs.",
             table.rename(columns=lambda k: f"niveau {k}").rename_axis(index=None, columns=None))


def show_most_failed(cohort: list[dict], n: int = 5) -> None:
    crit = success_tables(cohort)["criteres"].head(n)
    display(Markdown("\n".join(f"{i}. **{r.critere}** — {r.texte} : {r.taux:.0f} % de réussite ({r.acquis}/{r.decides})"
                               for i, r in enumerate(crit.itertuples(), 1)) or "Aucun critère noté."))


def pseudonyms(ids: list[str]) -> dict[str, str]:
    """« copie 1 », « copie 2 »… in order of first appearance: a cohort report that names nobody."""
    out: dict[str, str] = {}
    for i in ids:
        out.setdefault(i, f"copie {len(out) + 1}")
    return out


def show_double_marking(double: list[dict], anonymous: bool = False) -> None:
    if not double:
        display(Markdown("Aucune double correction dans cette session."))
        return
    names = pseudonyms([d["candidat"] for d in double]) if anonymous else {d["candidat"]: d["candidat"] for d in double}
    rows = []
    for d in double:
        levels = d["niveaux"]
        gap = max(levels.values()) - min(levels.values())
        rows.append({"candidat": names[d["candidat"]], "critère": f"{d['competence']}-{d['critere']}",
                     **{f"niveau {w}": lv for w, lv in levels.items()},
                     "écart": gap, "niveau retenu": "—" if d["niveau_final"] is None else d["niveau_final"],
                     "état": "tranché par le jury" if d["jury"] else ("divergent, à trancher" if gap else "concordant")})
    table = pd.DataFrame(rows)
    agree = (table["écart"] == 0).mean() * 100
    display(Markdown(f"**{len(table)} critère(s) doublement corrigé(s)** : accord exact dans {agree:.0f} % des cas, "
                     f"écart moyen {fr_number(table['écart'].mean())} niveau."))
    display(table.fillna("—").style.hide(axis="index").set_table_styles(TABLE_STYLE))


# -- jury minutes -----------------------------------------------------------------------------------
def minutes_table(cohort: list[dict]) -> pd.DataFrame:
    """Per candidate and bloc, the decision; partial validations and exemptions with their justification."""
    rows = []
    for rec in cohort:
        row = {"Candidat": f"{rec['candidat']['nom']} ({rec['candidat']['id']})"}
        for b in rec["blocs"]:
            row[f"Bloc {b['numero']}"] = b["statut"]
        row["Décision"] = rec["decision"]["resume"]
        row["Blocs acquis"] = ", ".join(map(str, rec["decision"]["blocs_acquis"])) or "aucun"
        row["Dispenses (avis du référent, décision du jury)"] = " ; ".join(
            f"{e['competence']} critère {e['critere']} — {e['avis']} (jury du {date_fr(e['date_decision'])})"
            for e in rec["dispenses"]) or "—"
        late = rec["remise"]["retard_minutes"]
        row["Remise"] = f"hors délai ({duration_fr(late)})" if late else "dans les délais"
        failed = [i for i in rec.get("incidents", []) if i["type"] == "echec_autocorrection"]
        others = len(rec.get("incidents", [])) - len(failed)
        row["Incidents de correction"] = " ; ".join(
            [("dernière autocorrection en échec" if i.get("corrigee_avant") else "copie non autocorrigée")
             + f" ({i.get('devoir', '')})" for i in failed]
            + [f"{others} incident(s) corrigé(s) avant notation, détail dans le relevé"] * bool(others)) or "—"
        rows.append(row)
    return pd.DataFrame(rows)


def show_minutes(cohort: list[dict], session: str, date: str, place: str) -> None:
    display(Markdown(f"# Procès-verbal du jury de certification\n\n**Certification :** Manager développement et "
                     f"performance commerciale (MDPC)  \n**Session :** {html.escape(session)}  \n"
                     f"**Date de délibération :** {html.escape(date)}  \n**Lieu :** {html.escape(place)}  \n"
                     f"**Candidats délibérés :** {len(cohort)}"))
    table = minutes_table(cohort)
    for col in [c for c in table.columns if c.startswith("Bloc ")]:
        table[col] = table[col].map(status)
    display(table.style.hide(axis="index").set_table_styles(TABLE_STYLE))
    display(Markdown("Légende : ✔ validé · ✘ non validé · … en attente (évaluation incomplète ou à confirmer). "
                     "Une validation partielle liste les blocs acquis ; les dispenses sont décidées sur avis motivé du "
                     "référent handicap, les deux conditions cumulatives du référentiel étant réunies."))


def show_signatures(members: list[str]) -> None:
    cells = "".join(f"<tr><td style='padding:8px 12px'>{html.escape(m)}</td><td style='width:45%;height:60px;"
                    "border-bottom:1px solid black'></td></tr>" for m in members)
    display(HTML("<h3>Signatures des membres du jury</h3><table style='width:100%'><tr><th style='text-align:left'>"
                 f"Membre</th><th style='text-align:left'>Signature</th></tr>{cells}</table>"))
