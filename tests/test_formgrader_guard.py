"""What formgrader may not do (mdpc.grading.formgrader_guard); the HTTP side runs in tests/test_jupyterhub.py (through
the hub) and here, in a server of the course with the service's authorizer (last test, slow)."""

import json
from types import SimpleNamespace

import pytest
from tornado import web

from mdpc.grading import formgrader_guard as guard


@pytest.fixture
def authorizer(monkeypatch):
    monkeypatch.setenv(guard.OWNER_VARIABLE, "formateur")
    return guard.CourseServiceAuthorizer()


def test_only_the_course_account_reaches_files_kernels_and_terminals(authorizer):
    owner, grader, nameless = (SimpleNamespace(username=n) for n in ("formateur", "aubert", ""))
    for resource in ("contents", "kernels", "kernelspecs", "sessions", "terminals", "nbconvert", "server", "lsp"):
        for action in ("read", "write", "execute"):
            assert authorizer.is_authorized(None, owner, action, resource)
            assert not authorizer.is_authorized(None, grader, action, resource), (resource, action)
            assert not authorizer.is_authorized(None, nameless, action, resource)
    for resource in ("lab", "api", "csp", "config", "events"):  # JupyterLab's shell around the Formgrader tab
        assert authorizer.is_authorized(None, grader, "read", resource)


def test_the_owner_is_the_process_account_when_the_hub_does_not_say(monkeypatch):
    import getpass

    monkeypatch.delenv(guard.OWNER_VARIABLE, raising=False)
    assert guard.course_owner() == getpass.getuser()
    monkeypatch.setenv(guard.OWNER_VARIABLE, " aubert ")
    assert guard.course_owner() == "aubert"


def test_formgrader_autograde_is_replaced_by_a_french_refusal():
    from nbgrader.server_extensions.formgrader import apihandlers as api

    guard.install()
    guard.install()  # idempotent
    assert api.AutogradeHandler._mdpc_refused
    assert "bac à sable" in guard.AUTOGRADE_REFUSED and "mdpc autograde --cours" in guard.AUTOGRADE_REFUSED


def _request(method: str, path: str, who: str) -> SimpleNamespace:
    return SimpleNamespace(request=SimpleNamespace(method=method, path=path), base_url="/services/mdpc/",
                           current_user=SimpleNamespace(username=who))


def test_a_grader_changes_only_ratings_comments_and_flags(authorizer):
    """Handlers that never ask the authorizer (nbgrader's extensions, JupyterLab's settings, workspaces, extension
    manager) are checked on every change: a grader may record ratings, comments and flags, nothing else."""
    for path in ("formgrader/api/grade/g1", "formgrader/api/comment/c1", "formgrader/api/submitted_notebook/s1/flag",
                 "formgrader/api/submission/B4/c01/autograde"):  # refused by its own handler, with its French message
        authorizer.check_change(_request("PUT", f"/services/mdpc/{path}", "aubert"))
    for method, path in (("POST", "assignments/validate"), ("POST", "lab/api/extensions"), ("PUT", "lab/api/settings/x"),
                         ("PUT", "lab/api/workspaces/x"), ("PATCH", "api/config/notebook"),
                         ("POST", "formgrader/api/assignment/B4/release_feedback"), ("PUT", "formgrader/api/student/c01"),
                         ("POST", "formgrader/api/assignment/B4/collect"), ("PUT", "formgrader/api/grade/g1/../../x"),
                         ("POST", "assignments/submit")):
        with pytest.raises(web.HTTPError) as refused:
            authorizer.check_change(_request(method, f"/services/mdpc/{path}", "aubert"))
        assert refused.value.status_code == 403, path
        authorizer.check_change(_request(method, f"/services/mdpc/{path}", "formateur"))  # the course's account
    authorizer.check_change(_request("GET", "/services/mdpc/lab/api/settings", "aubert"))
    with pytest.raises(web.HTTPError):  # elsewhere than under the service's own prefix
        authorizer.check_change(_request("PUT", "/formgrader/api/grade/g1", "aubert"))


def test_formgrader_does_not_reload_itself_on_another_folder(tmp_path):
    """nbgrader's /formgrader?path=<folder> runs <folder>/nbgrader_config.py (Python) as the course's account."""
    from nbgrader.server_extensions.formgrader import handlers as pages

    guard.install()
    root, trap = tmp_path / "projet", tmp_path / "piege"
    handed_in = root / "demo_mdpc" / "submitted" / "c01" / "B4"  # what a candidate handed in, kept by collect
    for folder in (trap, handed_in, root / "autre"):
        folder.mkdir(parents=True)
        (folder / "nbgrader_config.py").write_text(f"open({str(tmp_path / 'execute')!r}, 'w').close()\n")
    (root / "lien").symlink_to(trap)
    for path in (trap, handed_in, root / "lien", root / "demo_mdpc" / "submitted", root / "absent"):
        handler = SimpleNamespace(get_argument=lambda name, default=None, path=path: str(path) if name == "path" else default,
                                  settings={"server_root_dir": str(root)})
        with pytest.raises(web.HTTPError) as refused:
            pages.FormgraderHandler.get(handler)
        assert refused.value.status_code == 400 and "autre dossier" in refused.value.log_message, path
    assert not (tmp_path / "execute").exists()
    for path in (root, root / "demo_mdpc", root / "autre"):  # the served folder, a course directly in it
        assert guard.course_folder(str(path), str(root))


def _call(base: str, method: str, path: str, body=None) -> tuple[int, str]:
    from test_jupyterhub import _call as call
    from test_navigateur import TOKEN

    status, _, text = call(f"{base}/{path}", TOKEN, method, json_body=body)
    return status, text.decode(errors="replace")


@pytest.mark.slow
def test_a_grader_on_the_course_server_neither_runs_code_nor_changes_the_course(tmp_path):
    """A server of the course with the service's authorizer, reached by someone who is not the course's account:
    formgrader reloaded on a folder of theirs, nbgrader's validation of a notebook of the course (both would run
    Python as the course's account), JupyterLab's settings, workspaces and extension manager, formgrader's own
    administration: refused, nothing runs; a copy's flag is still theirs to set."""
    import shutil

    import nbformat
    from test_journee_correcteur import B, graded_course
    from test_navigateur import _free_port, _start_lab

    from mdpc.grading.course import nbgrader_env

    course = graded_course(tmp_path / "cours")
    marker = tmp_path / "execute"
    trap = tmp_path / "piege"
    trap.mkdir()
    (trap / "nbgrader_config.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(f"open({str(marker)!r}, 'w').close()")])
    nbformat.write(notebook, course.root / "copie.ipynb")
    with course.gradebook() as gb:
        name = sorted(n.name for n in gb.find_assignment(B).notebooks)[0]
        submission = gb.notebook_submissions(name, B)[0].id
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"authorizer_class": "mdpc.grading.formgrader_guard.CourseServiceAuthorizer"}}))
    (tmp_path / "reglages").mkdir()
    env = {**nbgrader_env(), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTER_RUNTIME_DIR": str(tmp_path / "run"),
           guard.OWNER_VARIABLE: "formateur"}  # the token's user is someone else
    server, base = _start_lab(_free_port(), course.root, tmp_path / "reglages", env, tmp_path / "lab.log")
    try:
        handed_in = course.root / "submitted" / "n01" / B  # a candidate's nbgrader_config.py, kept by collect
        handed_in.mkdir(parents=True)
        shutil.copy(trap / "nbgrader_config.py", handed_in)
        for folder in (trap, handed_in):
            assert _call(base, "GET", f"formgrader?path={folder}")[0] == 400
        assert _call(base, "POST", "assignments/validate", {"path": "copie.ipynb"})[0] == 403
        for method, path, body in (("POST", "lab/api/extensions", {"cmd": "disable", "extension_name": "mdpc-enregistrer"}),
                                   ("PUT", "lab/api/workspaces/piege", {"data": {}, "metadata": {"id": "piege"}}),
                                   ("PUT", "lab/api/settings/@jupyterlab/apputils-extension:themes", {"raw": "{}"}),
                                   ("PATCH", "api/config/notebook", {"piege": True}),
                                   ("POST", f"formgrader/api/assignment/{B}/release_feedback", {}),
                                   ("PUT", "formgrader/api/student/n01", {"first_name": "X", "last_name": "Y"})):
            status, text = _call(base, method, path, body)
            assert status == 403, (path, status, text[:300])
        assert not marker.exists()
        status, text = _call(base, "POST", f"formgrader/api/submitted_notebook/{submission}/flag", {})
        assert status == 200 and json.loads(text)["flagged"] is True, text[:300]
        assert _call(base, "GET", "formgrader/manage_assignments")[0] == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_formgrader_totals_count_the_tests_points_only():
    """A criterion's level (task cell) never reaches a total nbgrader shows: copies, notebooks, averages, and a
    candidate's overall score (not split by nbgrader: their task levels are read from the gradebook)."""
    from mdpc.grading.formgrader_totals import without_levels

    submission = {"student": "c01", "score": 7.5, "max_score": 14.0, "code_score": 4.5, "max_code_score": 5.0,
                  "written_score": 0.0, "max_written_score": 0.0, "task_score": 3.0, "max_task_score": 9.0,
                  "needs_manual_grade": False}
    average = {"name": "B4", "average_score": 6.0, "average_task_score": 2.0, "max_score": 14.0,
               "max_task_score": 9.0, "average_code_score": 4.0}
    students = [{"id": "c01", "first_name": "Léa", "last_name": "Fontaine", "email": None, "score": 7.5,
                 "max_score": 14.0, "lms_user_id": None},
                {"id": "c02", "first_name": "Paul", "last_name": "Dupont", "email": None, "score": 4.0,
                 "max_score": 14.0, "lms_user_id": None}]
    shown = without_levels({"rows": [submission, average], "students": students},
                           lambda: ({"c01": 3.0}, 9.0))
    row, avg = shown["rows"]
    assert (row["score"], row["max_score"], row["task_score"], row["code_score"]) == (4.5, 5.0, 0.0, 4.5)
    assert (avg["average_score"], avg["max_score"], avg["average_task_score"]) == (4.0, 5.0, 0.0)
    assert [(s["score"], s["max_score"]) for s in shown["students"]] == [(4.5, 5.0), (4.0, 5.0)]
    grade = {"id": "g1", "manual_score": 2.0, "auto_score": None, "max_score": 3.0}  # a cell: the journal blinds it
    assert without_levels(grade) == grade and without_levels("texte") == "texte"
