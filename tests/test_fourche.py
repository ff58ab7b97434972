"""The kernels of one copy, forked from the copy's fork server (mdpc.grading.fork_server), keep the sandbox.

Each notebook of a copy gets a kernel forked from a process that imported the libraries once, inside the
copy's sandbox. This test puts a probe in two notebooks of one copy and grades it with ``mdpc autograde``:
each kernel runs under a user id of its own (not root, not the other notebook's), with no capability and
``no_new_privs``, was forked (its parent is the copy's fork server, the same for both notebooks) and starts
with nothing of the previous notebook (a mark left in a loaded module, in ``builtins`` and in the environment
by the first notebook is absent from the second, and so are the IPython startup file and the System V shared
memory segment it leaves in the sandbox's /tmp and IPC namespace, which the copy's kernels share). The copy
still earns the points of the solution, and no fork server outlives the run.
"""

from __future__ import annotations

import json
import os
import shutil
import time

import nbformat
import psutil
import pytest

from mdpc import demo
from mdpc.authoring.demo_cohort import make_submission
from mdpc.grading.autograde import autograde_cohort
from mdpc.grading.sandbox import SANDBOX_UID, status

A = demo.ASSIGNMENT  # B4_pilotage_performance: three notebooks
PROBE = """
import builtins as _b, ctypes as _c, json as _j, os as _o, sys as _s
def _statut():
    with open("/proc/self/status", encoding="ascii") as fh:
        return dict(l.split(":", 1) for l in fh.read().splitlines() if ":" in l)
_st, _libc = _statut(), _c.CDLL(None, use_errno=True)
_m = _o.umask(0)
_o.umask(_m)
_vu = {"uid": _o.getuid(), "euid": _o.geteuid(), "gid": _o.getgid(), "groupes": _o.getgroups(),
       "cap_eff": _st["CapEff"].strip(), "cap_prm": _st["CapPrm"].strip(), "cap_inh": _st["CapInh"].strip(),
       "cap_amb": _st["CapAmb"].strip(), "nnp": _st["NoNewPrivs"].strip(), "ppid": _o.getppid(), "umask": _m,
       "marque_module": hasattr(_s.modules["pandas"], "_marque_fourche"), "marque_builtins": hasattr(_b, "_marque_fourche"),
       "marque_env": "MARQUE_FOURCHE" in _o.environ, "marque_demarrage": hasattr(_b, "_marque_demarrage"),
       "memoire_partagee": _libc.shmget(0x4D445043, 0, 0) != -1}
_s.modules["pandas"]._marque_fourche = _b._marque_fourche = 1
_o.environ["MARQUE_FOURCHE"] = "1"
_libc.shmget(0x4D445043, 1 << 20, 0o1600)  # IPC_CREAT | 0600: a System V segment left behind
open("sonde-{nb}.json", "w").write(_j.dumps(_vu))
for _d in {_o.environ.get("IPYTHONDIR", "/tmp/.ipython"), "/tmp/.ipython"}:  # a startup file for the next kernel
    try:
        _o.makedirs(_d + "/profile_default/startup", exist_ok=True)
        with open(_d + "/profile_default/startup/00-marque.py", "w") as _f:
            _f.write("import builtins; builtins._marque_demarrage = 1")
    except OSError:  # the second notebook's user may not write where the first one did
        pass
"""
CELLS = {"C4_1_plan_de_charges": "C4_1_capacite_rep", "C4_2_tableau_de_bord": "C4_2_indicateurs_rep"}


def _probe(path, cell_id, nb):
    book = nbformat.read(path, as_version=4)
    cell = next(c for c in book.cells if c.get("id") == cell_id)
    cell.source = cell.source + "\n" + PROBE.replace("{nb}", nb)
    nbformat.write(book, path)


def _orphan_servers() -> list[int]:
    """Fork servers whose run is over: their socket's folder (in the run's temporary folder) is gone."""
    out = []
    for p in psutil.process_iter(["cmdline"]):
        cmd = p.info["cmdline"] or []
        if any("fork server of one candidate copy" in a for a in cmd) and not os.path.isdir(os.path.dirname(cmd[-3])):
            out.append(p.pid)
    return out


@pytest.mark.slow
def test_forked_kernels_keep_their_own_user_no_privilege_and_a_fresh_state(tmp_path):
    if hasattr(os, "geteuid") and os.geteuid() != 0:
        pytest.skip("le bac à sable complet demande root (et bubblewrap) : test sauté sur ce poste")
    isolated, why = status()
    assert isolated, why
    course = demo.prepare_course(tmp_path / "cours")
    with course.gradebook() as gb:
        gb.update_or_create_assignment(A, duedate=demo.DUE)
        gb.update_or_create_student("f01", first_name="Fourche", last_name="Essai")
    course.run_in_process("generate_assignment", A)
    folder = course.root / "submitted" / "f01" / A
    shutil.copytree(course.root / "release" / A, folder)
    make_submission(folder, course.source(A))
    for nb, cell in CELLS.items():
        _probe(folder / f"{nb}.ipynb", cell, nb)
    (folder / "timestamp.txt").write_text("2027-01-08 10:00:00.000000 UTC", encoding="utf-8")

    assert autograde_cohort(course, A, workers=1, progress=False) == {}
    graded = course.root / "autograded" / "f01" / A
    first, second = (json.loads((graded / f"sonde-{nb}.json").read_text(encoding="utf-8")) for nb in CELLS)
    for seen in (first, second):
        assert seen["uid"] == seen["euid"] == seen["gid"] >= SANDBOX_UID, seen
        assert seen["groupes"] == [], seen
        caps = (seen["cap_eff"], seen["cap_prm"], seen["cap_inh"], seen["cap_amb"])
        assert all(int(c, 16) == 0 for c in caps), seen
        assert seen["nnp"] == "1", seen
        assert seen["umask"] == 0o022, f"masque de création {oct(seen['umask'])} au lieu de 0o022"
    assert first["uid"] != second["uid"], "deux carnets de la même copie sous le même utilisateur"
    assert first["ppid"] == second["ppid"] != 1, ("les noyaux de la copie ne sont pas issus du même serveur de "
                                                   f"fourche : {first['ppid']}, {second['ppid']}")
    inherited = [k for k in ("marque_module", "marque_builtins", "marque_env", "marque_demarrage", "memoire_partagee")
                 if second[k]]
    assert not inherited, f"le second carnet hérite de l'état du premier : {inherited}"
    with course.gradebook() as gb:
        sub = gb.find_submission(A, "f01")
        assert sub.code_score == sub.max_code_score > 0, f"{sub.code_score}/{sub.max_code_score}"
    deadline = time.monotonic() + 15
    while _orphan_servers() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not _orphan_servers(), "un serveur de fourche survit à l'autocorrection"
