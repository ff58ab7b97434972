"""Candidates fetching and submitting through nbgrader's exchange at once, each from their own home folder."""

import shutil
from concurrent.futures import ThreadPoolExecutor

from mdpc import RELEASE_DIR
from mdpc.grading.exchange import CACHE_DIR, COURSE_ID, exchange_step

A = "B4_management_equipe"


def test_candidates_submitting_at_once_keep_their_own_cache(tmp_path, monkeypatch):
    """Each candidate's copy of their submission goes to their own cache, as on their own machine: none in
    the user's data folder (where threads raced to create one shared folder: FileExistsError)."""
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "donnees_jupyter"))
    exchange = tmp_path / "echange"
    shutil.copytree(RELEASE_DIR / A, exchange / COURSE_ID / "outbound" / A)
    (exchange / COURSE_ID / "inbound").mkdir()
    ids = [f"e{k:02d}" for k in range(8)]

    def work(sid: str) -> None:
        home = tmp_path / "candidats" / sid
        home.mkdir(parents=True)
        exchange_step("fetch", home, A, sid, exchange)
        exchange_step("submit", home, A, sid, exchange)

    with ThreadPoolExecutor(max_workers=len(ids)) as pool:
        list(pool.map(work, ids))
    for sid in ids:
        cached = list((tmp_path / "candidats" / sid / CACHE_DIR / COURSE_ID).glob(f"{sid}+{A}+*"))
        assert len(cached) == 1 and (cached[0] / "C4_4_reunion_pilotage.ipynb").exists(), sid
    assert len(list((exchange / COURSE_ID / "inbound").iterdir())) == len(ids)
    assert not (tmp_path / "donnees_jupyter").exists()
