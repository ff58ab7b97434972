"""A hostile review of what a certification body issues after a jury (issue 19): health data in refusal
messages, the register across several juries, erasure, malformed registration files, the key's permissions."""

from __future__ import annotations

import datetime as dt
import json

from test_amenagements import ADVICE, submission

from mdpc.core import cohort
from mdpc.core import exemptions as ex
from mdpc.core.record import build_records
from mdpc.core.referential import default as default_referential

REF = default_referential()
HEALTH = "cécité totale"


def test_a_refusal_never_quotes_free_text_of_the_jurys_file():
    """A refusal goes into the record, the minutes, the CSV and the command line: a value written by mistake
    with a health detail in it (minutes, competency, adaptation, criterion, a key) is not copied there."""
    data = {"candidats": {"c01": {
        "dossier": "AH-1",
        "amenagements": {"temps_supplementaire": {"minutes": f"60 ({HEALTH})", "avis_referent": ADVICE},
                         "format_adapte": [{"competence": f"C2.5 {HEALTH}", "adaptation": "distance",
                                            "avis_referent": ADVICE},
                                           {"competence": "C2.5", "adaptation": f"oral car {HEALTH}",
                                            "avis_referent": ADVICE}],
                         f"lecteur ({HEALTH})": {"avis_referent": ADVICE}},
        "dispenses": [{"competence": f"C4.2 {HEALTH}", "critere": 3, "avis_referent": ADVICE},
                      {"competence": "C4.2", "critere": f"3 {HEALTH}", "avis_referent": ADVICE}],
        f"note {HEALTH}": "x"}}}
    accs = ex.parse(data, REF)
    assert len(accs.refusals) == 7, accs.refusals
    records = build_records({"c01": submission("c01")}, accs, "Session")
    for text in ([r.message for r in accs.refusals], json.dumps([r.to_json() for r in records], ensure_ascii=False),
                 cohort.minutes_csv(records).to_csv()):
        assert HEALTH not in str(text)
    messages = " ".join(r.message for r in accs.refusals)
    assert "texte libre non recopié" in messages and "genre « chien » inconnu" in " ".join(
        r.message for r in ex.parse({"candidats": {"c": {"dossier": "A", "amenagements": {
            "chien": {"avis_referent": ADVICE}}}}}, REF).refusals)


def test_exemptions_written_as_a_mapping_are_refused_once_and_clearly():
    accs = ex.parse({"candidats": {"c01": {"dossier": "AH-2", "dispenses": {
        "competence": "C4.2", "critere": 3, "avis_referent": ADVICE, "date_decision_jury": dt.date(2027, 1, 5)}}}}, REF)
    assert [r.message for r in accs.refusals] == [
        "Dispenses refusées pour c01 : « dispenses » s'écrit comme une liste, une demande par tiret "
        "(« - competence: … »)."]
