"""Case data: the committed CSV files are exactly what the seeded generator makes."""

import pandas as pd

from mdpc_utils import CAS_DIR, datagen


def test_committed_data_is_reproducible(tmp_path):
    written = datagen.write_b4(tmp_path)
    for path in written:
        committed = CAS_DIR / "B4_pilotage_performance" / "data" / path.name
        assert committed.read_bytes() == path.read_bytes(), f"{path.name} diffère : lancez `mdpc donnees`"


def test_planning_data_is_overloaded_but_feasible():
    team, absences, activities = datagen.make_b4_planning()
    cap = datagen.capacity(team, absences)
    load = datagen.load_per_week(activities.rename(columns={"echeance": "semaine_fin"}))
    assert 5 <= ((load - cap) > 1e-9).to_numpy().sum() <= 10
    assert load.to_numpy().sum() < 0.8 * cap.to_numpy().sum()
    assert set(activities.transferable) == {"oui", "non"}


def test_injected_anomalies_are_in_the_data():
    perf, _ = datagen.make_b4_performance()
    monthly = perf.groupby(["commercial", "mois"])[["prevision_ht", "realise_ht"]].sum()
    ratio = monthly.realise_ht / monthly.prevision_ht
    for rep, month, _, kind in datagen.ANOMALIES_B4:
        assert (ratio.loc[(rep, month)] > 2) if kind != "absence" else (ratio.loc[(rep, month)] < 0.2)
    assert isinstance(perf, pd.DataFrame) and len(perf) == 8 * 4 * 12
