"""No link a candidate made is ever followed; the sandbox's quota; the smaller items of issue 15.

Fast tests of the pieces (the hostile copies h17 to h23 of ``test_hostile.py`` take each of them the whole
way, from the exchange to the jury minutes, under the real sandbox).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import time
from argparse import Namespace
from pathlib import Path

import nbformat
import pytest

from mdpc.grading import nofollow
from mdpc.grading.intake import prepare_copy
from mdpc.grading.nofollow import copy_tree, ignore_names, sweep, write_text
from mdpc_utils.answers import AnswerStore

ROOT_ONLY = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="demande root")
SECRET = "JETON-QUI-NE-DOIT-JAMAIS-ETRE-COPIE"


def _state(path: Path):
    st = os.lstat(path)
    return (path.read_bytes() if stat.S_ISREG(st.st_mode) else None), stat.S_IMODE(st.st_mode)


@pytest.fixture()
def hostile_tree(tmp_path):
    """A submission holding every kind of link toward a private file and folder outside it."""
    outside = tmp_path / "dehors"
    outside.mkdir(mode=0o700)
    secret = outside / "secret.txt"
    secret.write_text(SECRET, encoding="utf-8")
    os.chmod(secret, 0o600)
    src = tmp_path / "remise"
    (src / "sous" / "dossier").mkdir(parents=True)
    (src / "carnet.ipynb").write_text("{}", encoding="utf-8")
    (src / "sous" / "dossier" / "donnees.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    (src / "lien.txt").symlink_to(secret)
    (src / "sous" / "lien_dossier").symlink_to(outside, target_is_directory=True)
    (src / "lien_casse").symlink_to(tmp_path / "nulle-part")
    os.mkfifo(src / "tube")
    os.link(secret, src / "physique.txt")
    deep = src
    for i in range(nofollow.MAX_DEPTH + 2):
        deep = deep / f"n{i}"
    deep.mkdir(parents=True)
    return {"src": src, "secret": secret, "outside": outside, "before": _state(secret)}


def test_copy_tree_follows_no_link_and_says_what_it_left_out(hostile_tree, tmp_path):
    dest = tmp_path / "copie"
    removed = copy_tree(hostile_tree["src"], dest, ignore_names([".ipynb_checkpoints"]))
    kinds = {r.path: r.kind for r in removed}
    assert kinds["lien.txt"] == "symlink" and kinds["sous/lien_dossier"] == "symlink" and kinds["lien_casse"] == "symlink"
    assert kinds["tube"] == "special" and kinds["physique.txt"] == "hardlink"
    assert any(k == "deep" for k in kinds.values())
    assert (dest / "carnet.ipynb").read_text(encoding="utf-8") == "{}"
    assert (dest / "sous" / "dossier" / "donnees.csv").exists()
    for p in dest.rglob("*"):
        assert not p.is_symlink()
        if p.is_file():
            assert SECRET not in p.read_text(encoding="utf-8"), p
    assert _state(hostile_tree["secret"]) == hostile_tree["before"]
    message = next(r for r in removed if r.path == "lien.txt").incident(nofollow.AT_COLLECT)
    assert message["type"] == "lien_retire" and str(hostile_tree["secret"]) in message["message"]
    assert SECRET not in message["message"] and "jamais été suivi" in message["message"]


def test_copy_tree_refuses_a_source_that_is_itself_a_link(hostile_tree, tmp_path):
    link = tmp_path / "remise-lien"
    link.symlink_to(hostile_tree["outside"], target_is_directory=True)
    with pytest.raises(OSError):
        copy_tree(link, tmp_path / "copie")
    assert not (tmp_path / "copie").exists()


def test_sweep_removes_links_special_files_and_outside_hard_links(hostile_tree, tmp_path):
    folder = hostile_tree["src"]
    (folder / "a.txt").write_text("x", encoding="utf-8")
    os.link(folder / "a.txt", folder / "b.txt")  # a hard link inside the folder: kept
    (folder / "suid").write_text("x", encoding="utf-8")
    os.chmod(folder / "suid", 0o4755)
    removed = {r.path: r.kind for r in sweep(folder)}
    assert removed["lien.txt"] == "symlink" and removed["sous/lien_dossier"] == "symlink"
    assert removed["tube"] == "special" and removed["physique.txt"] == "hardlink"
    assert (folder / "a.txt").exists() and (folder / "b.txt").exists()
    assert not os.stat(folder / "suid").st_mode & stat.S_ISUID
    assert not any(p.is_symlink() for p in folder.rglob("*"))
    assert _state(hostile_tree["secret"]) == hostile_tree["before"]
    assert sweep(folder) == []


def test_a_spray_of_links_makes_ten_incidents_and_one_summary(tmp_path):
    folder = tmp_path / "copie"
    folder.mkdir()
    for i in range(25):
        (folder / f"rafale_{i:02d}.html").symlink_to(f"/cours/cible-{i % 2}")
    found = nofollow.incidents(sweep(folder), nofollow.AFTER_KERNEL)
    assert len(found) == 11 and all(i["type"] == "lien_retire" for i in found)
    assert found[-1]["message"].startswith("15 autres liens") and "/cours/cible-1" in found[-1]["message"]
    assert not any(folder.iterdir())


def test_write_text_replaces_a_link_and_never_writes_through_it(hostile_tree, tmp_path):
    folder = tmp_path / "copie"
    folder.mkdir()
    (folder / "incidents_correction.json").symlink_to(hostile_tree["secret"])
    write_text(folder / "incidents_correction.json", "[]")
    assert not (folder / "incidents_correction.json").is_symlink()
    assert (folder / "incidents_correction.json").read_text(encoding="utf-8") == "[]"
    assert _state(hostile_tree["secret"]) == hostile_tree["before"]
    (tmp_path / "lien-dossier").symlink_to(hostile_tree["outside"], target_is_directory=True)
    with pytest.raises(OSError):
        write_text(tmp_path / "lien-dossier" / "x.json", "[]")
    assert sorted(p.name for p in hostile_tree["outside"].iterdir()) == ["secret.txt"]


@ROOT_ONLY
def test_stop_user_kills_every_process_of_the_sandbox_user_even_detached():
    uid = 61999
    proc = subprocess.Popen(["/bin/sh", "-c", "setsid sleep 60 & exec sleep 60"], user=uid, group=uid,
                            extra_groups=[], cwd="/")  # one of them detached: a session of its own
    deadline = time.monotonic() + 10
    while len(nofollow.processes_of(uid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(nofollow.processes_of(uid)) >= 2
    assert nofollow.stop_user(uid) >= 2
    proc.wait(timeout=10)
    assert [p for p in nofollow.processes_of(uid) if not _zombie(p)] == []
    with pytest.raises(ValueError):
        nofollow.stop_user(os.getuid())


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] in (b"Z", b"X")
    except OSError:
        return True


def _opts(**kw):
    base = {"dossier_fichiers": 100, "dossier_mio": 1, "tmp_mio": 256, "journal": ""}
    return Namespace(**{**base, **kw})


def test_the_watcher_measures_without_following_links(tmp_path, hostile_tree):
    from mdpc.grading.watcher import measure, over_quota

    folder = tmp_path / "copie"
    folder.mkdir()
    (folder / "vers-le-dehors").symlink_to(hostile_tree["outside"], target_is_directory=True)  # small: tests glob /tmp
    for i in range(50):
        (folder / f"f{i}").write_bytes(b"x" * 10)
    size, count, deep = measure(folder, 1000)
    assert count == 51 and not deep
    assert over_quota(folder, _opts()) is None
    for i in range(60):
        (folder / f"g{i}").touch()
    assert "fichiers" in over_quota(folder, _opts())
    (folder / "gros").write_bytes(b"\1" * (2 * 1024 * 1024))
    assert "Mio" in over_quota(folder, _opts(dossier_fichiers=10_000))
    deep_folder = folder / "/".join(f"d{i}" for i in range(120))
    deep_folder.mkdir(parents=True)
    assert "imbriqués" in over_quota(folder, _opts(dossier_fichiers=10_000, dossier_mio=100))


def test_the_watcher_stops_a_kernel_that_fills_its_folder(tmp_path):
    """The watcher, as jupyter_client starts the sandbox launcher (a session of its own), over a « kernel »
    that creates a million empty files: stopped past the quota, with the reason in the journal."""
    folder = tmp_path / "copie"
    folder.mkdir()
    journal = tmp_path / "journal.jsonl"
    filler = f"import os\nos.chdir({str(folder)!r})\nfor i in range(1_000_000):\n    open(f'f{{i}}', 'w').close()\n"
    script = (
        "import os, sys\nfrom argparse import Namespace\nfrom pathlib import Path\n"
        "from mdpc.grading.watcher import watch\n"
        "child = os.fork()\n"
        f"if child == 0:\n    os.execv(sys.executable, [sys.executable, '-S', '-c', {filler!r}])\n"
        f"opts = Namespace(dossier_fichiers=2000, dossier_mio=1024, tmp_mio=256, journal={str(journal)!r})\n"
        f"sys.exit(watch(child, Path({str(folder)!r}), opts, isolated=False))\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", script], start_new_session=True, timeout=60)
    assert proc.returncode == -9 and time.monotonic() - started < 30  # the watcher stops its whole group
    line = json.loads(journal.read_text(encoding="utf-8").splitlines()[0])
    assert line["type"] == "quota_depasse" and "2\u202f000 fichiers" in line["message"] and line["dossier"] == str(folder)
    count = len(list(folder.iterdir()))
    time.sleep(0.5)
    assert len(list(folder.iterdir())) == count < 1_000_000  # the « kernel » is dead too


def test_a_deeply_nested_answers_file_is_an_incident_not_a_crash(tmp_path):
    release = tmp_path / "release"
    release.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), release / "C1.ipynb")
    copy = tmp_path / "copie"
    copy.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), copy / "C1.ipynb")
    (copy / "reponses.json").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    found = prepare_copy(copy, release)
    assert [i.kind for i in found] == ["reponses_illisibles"] and "RecursionError" in found[0].message
    store = AnswerStore("C1", copy / "reponses.json", quiet=True)  # the kit, in the kernel: set aside, not a crash
    assert store.read_all() == {}
    assert not (copy / "reponses.json").exists()
    assert any(p.name.startswith("reponses.json.corrompu-") for p in copy.iterdir())


def _cell(kind, source, **meta):
    cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
    cell.metadata["nbgrader"] = {"grade": False, "solution": False, "locked": False, "task": False,
                                 "schema_version": 3, **meta}
    return cell


def test_marker_text_in_a_candidate_cell_does_not_break_feedback():
    from mdpc.grading.feedback import CandidateFeedback

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("code", "# ### BEGIN HIDDEN TESTS\nx = 1  # le texte du candidat\n# === BEGIN MARK SCHEME ===",
              solution=True, grade_id="rep"),
        _cell("code", "assert x == 1\n### BEGIN HIDDEN TESTS\n# Corrigé de référence\nassert x < 2\n### END HIDDEN TESTS",
              grade=True, locked=True, grade_id="test", points=1),
        _cell("code", "### BEGIN HIDDEN TESTS\nassert False  # région sans fin", grade=True, locked=True,
              grade_id="casse", points=1),
        _cell("markdown", "Critère\n=== BEGIN MARK SCHEME ===\nNiveaux réservés\n=== END MARK SCHEME ===",
              task=True, locked=True, grade_id="crit", points=3),
    ]
    out, _ = CandidateFeedback().preprocess(nb, {})
    sources = [c.source for c in out.cells]
    assert "le texte du candidat" in sources[0] and "BEGIN HIDDEN TESTS" in sources[0]
    assert "Corrigé de référence" not in sources[1] and "assert x == 1" in sources[1]
    assert "région sans fin" not in sources[2]
    assert "Niveaux réservés" not in sources[3]


def test_feedback_folders_are_made_private_never_through_a_link(tmp_path):
    from mdpc.grading.feedback import private_feedback

    top = tmp_path / "feedback"
    (top / "c01" / "B1" / "livrables").mkdir(parents=True)
    outside = tmp_path / "dehors"
    outside.mkdir(mode=0o755)
    (top / "c01" / "B1" / "vers-dehors").symlink_to(outside, target_is_directory=True)
    hook = private_feedback(top)
    hook(assignment="B1", student="*", notebooks=[])
    for path in (top, top / "c01", top / "c01" / "B1", top / "c01" / "B1" / "livrables"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    assert stat.S_IMODE(outside.stat().st_mode) == 0o755


def test_safe_collect_copies_without_links_and_keeps_what_it_left_out(hostile_tree, tmp_path):
    from nbgrader.auth import Authenticator
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from mdpc.grading.incidents import COLLECT_FILE
    from mdpc.grading.safe_exchange import SafeCollect

    course = tmp_path / "cours"
    course.mkdir()
    cfg = Config()
    cfg.CourseDirectory.root = str(course)
    cfg.CourseDirectory.ignore = [".ipynb_checkpoints"]
    collect = SafeCollect(coursedir=CourseDirectory(config=cfg), authenticator=Authenticator(config=cfg), config=cfg)
    dest = course / "submitted" / "c01" / "B1"
    dest.parent.mkdir(parents=True)
    collect.do_copy(str(hostile_tree["src"]), str(dest))
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    kept = json.loads((course / COLLECT_FILE).read_text(encoding="utf-8"))["B1"]["c01"]
    assert {i["type"] for i in kept} >= {"lien_retire", "fichier_special_retire"}
    assert all("au ramassage" in i["message"] for i in kept if i["type"] == "lien_retire")
    assert stat.S_IMODE(os.stat(course / COLLECT_FILE).st_mode) == 0o600
    # a submission that is itself a link is not collected, and says so
    link = tmp_path / "c02+B1+2027-01-01 10:00:00.000000 UTC+abc"
    link.symlink_to(hostile_tree["outside"], target_is_directory=True)
    collect.do_copy(str(link), str(course / "submitted" / "c02" / "B1"))
    assert not (course / "submitted" / "c02" / "B1").exists()
    kept = json.loads((course / COLLECT_FILE).read_text(encoding="utf-8"))["B1"]["c02"]
    assert kept[0]["type"] == "remise_refusee"
    assert _state(hostile_tree["secret"]) == hostile_tree["before"]


def test_autograde_refuses_without_the_sandbox_unless_told(tmp_path, monkeypatch, capsys):
    from mdpc import cli
    from mdpc.grading import autograde, sandbox

    monkeypatch.setattr(sandbox, "status", lambda: (False, "bac à sable réduit (essai)"))
    monkeypatch.setattr(autograde, "status", lambda: (False, "bac à sable réduit (essai)"))
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    assert cli.main(["autograde", "--cours", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "refusée" in err and "--sans-isolation" in err and "tests cachés" in err
    with pytest.raises(autograde.IsolationError):
        autograde.require_isolation(False)
    autograde.require_isolation(True)  # told: goes on (and says so)
    help_text = " ".join(subprocess.run([sys.executable, "-m", "mdpc.cli", "autograde", "--help"],
                                        capture_output=True, text=True).stdout.split())
    assert "--sans-isolation" in help_text and "tests cachés" in help_text and "votre compte" in help_text


def test_the_kernelspec_names_the_sweeping_provisioner_and_the_journal(tmp_path):
    from mdpc.grading.sandbox import KERNEL_NAME, PROVISIONER, Limits, install_kernelspec

    install_kernelspec(tmp_path, Limits(uid=61234), journal=tmp_path / "journal.jsonl")
    spec = json.loads((tmp_path / "kernels" / KERNEL_NAME / "kernel.json").read_text(encoding="utf-8"))
    assert spec["metadata"]["kernel_provisioner"] == {
        "provisioner_name": PROVISIONER, "config": {"journal": str(tmp_path / "journal.jsonl"), "uid": 61234}}
    assert "--tmp-mio=256" in spec["argv"] and "--dossier-fichiers=10000" in spec["argv"]
    assert f"--journal={tmp_path / 'journal.jsonl'}" in spec["argv"]
    from importlib.metadata import entry_points

    (found,) = entry_points(group="jupyter_client.kernel_provisioners", name=PROVISIONER)
    assert found.value == "mdpc.grading.kernel_sweep:SandboxProvisioner"


@ROOT_ONLY
def test_the_sandboxs_tmp_is_a_tmpfs_of_limited_size(tmp_path):
    from mdpc.grading.sandbox import Limits, sandbox_command, status

    if not status()[0]:
        pytest.skip(status()[1])
    sockets, copy = tmp_path / "noyaux", tmp_path / "copie"
    sockets.mkdir()
    copy.mkdir()
    conn = sockets / "k.json"
    conn.write_text(json.dumps({"transport": "ipc", "ip": str(sockets / "k")}), encoding="utf-8")
    opts = Namespace(uid=61998, tmp_mio=Limits.tmp_mib, lecture_seule=False)
    args, fds, _ = sandbox_command(["python", "-m", "ipykernel_launcher", "-f", str(conn)], opts, copy)
    for fd in fds:
        os.close(fd)
    i = args.index("--tmpfs")
    assert args[i + 1] == "/tmp" and args[i - 2:i] == ["--size", str(256 * 1024 * 1024)]


def test_erasing_dupont_1_leaves_dupont1_untouched(tmp_path):
    """Identifiers are never used as patterns: « dupont[1] » is not a glob matching « dupont1 », « dupont » does
    not take « dupont.fr »'s reports; an identifier that could name another path is refused."""
    from mdpc.grading.course import Course, CourseError
    from mdpc.grading.erasure import erase_candidate

    root = tmp_path / "cours"
    root.mkdir()
    (root / "nbgrader_config.py").write_text("c = get_config()\n", encoding="utf-8")
    course = Course(root)
    people = ("dupont[1]", "dupont1", "dupont", "dupont.fr")
    removed = []

    class Gradebook:  # nbgrader's gradebook is not what is tested here (its remove_student is exact)
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def remove_student(self, sid):
            removed.append(sid)

    course.gradebook = Gradebook
    (root / "rapports" / "resultats").mkdir(parents=True)
    for sid in people:
        for folder in ("submitted", "autograded", "feedback"):
            (root / folder / sid / "B1").mkdir(parents=True)
            (root / folder / sid / "B1" / "copie.txt").write_text(sid, encoding="utf-8")
        for ext in ("html", "pdf", "ipynb"):
            (root / "rapports" / f"rapport_{sid}.{ext}").write_text(sid, encoding="utf-8")
        (root / "rapports" / "resultats" / f"{sid}.json").write_text("{}", encoding="utf-8")
        (root / "echange" / "mdpc" / "inbound" / f"{sid}+B1+2027-01-01 10:00:00.000000 UTC+abc").mkdir(parents=True)
    erase_candidate(course, "dupont[1]")
    erase_candidate(course, "dupont")
    left = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() or not any(p.iterdir())}
    for sid in ("dupont1", "dupont.fr"):
        for folder in ("submitted", "autograded", "feedback"):
            assert f"{folder}/{sid}/B1/copie.txt" in left, (sid, folder)
        assert {f"rapports/rapport_{sid}.{ext}" for ext in ("html", "pdf", "ipynb")} <= left
        assert f"rapports/resultats/{sid}.json" in left
        assert f"echange/mdpc/inbound/{sid}+B1+2027-01-01 10:00:00.000000 UTC+abc" in left
    assert not any("dupont[1]" in p or p.split("/")[-1].startswith(("rapport_dupont.", "dupont+", "dupont.json"))
                   and "dupont.fr" not in p for p in left), left
    assert removed == ["dupont[1]", "dupont"]
    for bad in ("", ".", "..", "../cours", "a/b", " dupont1", "dupont1\n"):
        with pytest.raises(CourseError):
            erase_candidate(course, bad)
    assert (root / "submitted" / "dupont1" / "B1" / "copie.txt").exists()


@ROOT_ONLY
def test_the_watcher_sees_the_sandboxs_tmp_from_outside(tmp_path):
    """Files and bytes of a sandbox's own /tmp count against its quota, seen through /proc (what stops a
    copy when bubblewrap is older than 0.7 and cannot size the tmpfs)."""
    import shutil as sh

    from mdpc.grading.watcher import over_quota

    if not sh.which("bwrap"):
        pytest.skip("bubblewrap absent")
    proc = subprocess.Popen(["bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--unshare-pid",
                             "--die-with-parent", "--tmpfs", "/tmp", "sh", "-c",
                             "dd if=/dev/zero of=/tmp/x bs=1M count=3 2>/dev/null; touch /tmp/a /tmp/b; sleep 30"])
    try:
        deadline, reason = time.monotonic() + 20, None
        while reason is None and time.monotonic() < deadline:
            time.sleep(0.1)
            reason = over_quota(tmp_path, _opts(tmp_mio=1, dossier_mio=100), proc.pid)
        assert reason and "/tmp occupait 3 Mio" in reason, reason
        assert "fichiers" in over_quota(tmp_path, _opts(dossier_fichiers=2, tmp_mio=100), proc.pid)
        assert over_quota(tmp_path, _opts(dossier_fichiers=2, tmp_mio=100)) is None  # without the sandbox: not counted
    finally:
        proc.kill()
        proc.wait()


def test_the_cases_data_are_put_back_as_released_and_own_data_said(tmp_path):
    """Rewritten, deleted or replaced-by-a-folder data files of a copy are restored from the release before any
    kernel runs (the sandbox then mounts ``data/`` read-only); extra files and ``mes_donnees/`` stay, said."""
    release, copy = tmp_path / "release", tmp_path / "copie"
    (release / "data").mkdir(parents=True)
    nbformat.write(nbformat.v4.new_notebook(), release / "C1.ipynb")
    for name in ("absences.csv", "equipe.csv", "ventes.csv"):
        (release / "data" / name).write_text(f"{name}\n1\n", encoding="utf-8")
    shutil.copytree(release, copy)
    (copy / "data" / "absences.csv").write_text("commercial,semaine,jours\n", encoding="utf-8")
    (copy / "data" / "equipe.csv").unlink()
    (copy / "data" / "ventes.csv").unlink()
    (copy / "data" / "ventes.csv").mkdir()
    (copy / "data" / "mes_notes.csv").write_text("x\n", encoding="utf-8")
    (copy / "mes_donnees").mkdir()
    (copy / "mes_donnees" / "absences.csv").write_text("commercial,semaine,jours\n", encoding="utf-8")
    found = {i.kind: i.message for i in prepare_copy(copy, release)}
    for name in ("absences.csv", "equipe.csv", "ventes.csv"):
        assert (copy / "data" / name).read_bytes() == (release / "data" / name).read_bytes(), name
        assert f"data/{name}" in found["donnees_du_cas_retablies"]
    assert (copy / "data" / "mes_notes.csv").exists() and "mes_notes" not in found["donnees_du_cas_retablies"]
    assert "mes_donnees/ : absences.csv" in found["donnees_propres"]
    assert {i.kind for i in prepare_copy(copy, release)} == {"donnees_propres"}  # nothing to restore a second time
