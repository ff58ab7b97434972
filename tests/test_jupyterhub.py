"""An MDPC session on JupyterHub, on loopback, with real Unix users.

The hub runs the project's one hub configuration (``mdpc/grading/jupyterhub_config.py``, shown in the README's
guide) as root: JupyterHub's local process spawner, configurable-http-proxy (npm; ``make test`` installs it
when it is missing, ``tests/systeme.sh``), one trainer account and two candidates created here and removed at
the end, nbgrader's multi-course exchange in a shared folder, formgrader as a hub service, the gradebook on
PostgreSQL (the server of ``tests/test_postgres.py``, on its own port). Candidates fetch and submit through
their own servers' REST API (nbgrader's server extension) with their hub tokens; the trainer collects,
``mdpc autograde`` grades in the sandbox, a grader rates, ``mdpc rapports`` writes the reports.

The servers run as the users, who cannot reach an interpreter under ``/root`` (pyenv's, on the test machines):
both environments are light venvs of the system's Python of the same version over the project's packages —
the trainers' sees all of them, the candidates' sees the kit (``mdpc_utils``) and not the grading system, as
the candidates' image of the README does.
"""

from __future__ import annotations

import json
import os
import pwd
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import sysconfig
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from test_postgres import _as_postgres, _pg_bin

from mdpc import demo
from mdpc.authoring.demo_cohort import certification, make_submission
from mdpc.core.certification import dump
from mdpc.grading.course import Course

pytestmark = pytest.mark.slow
A = "B4_pilotage_performance"
COURSE = "mdpc"
TRAINER, GRADER, CANDIDATES = "mdpchubform", "mdpchubcorr", ("mdpchubcand1", "mdpchubcand2")
PROJECT = Path(__file__).resolve().parents[1]
CONFIG = PROJECT / "mdpc" / "grading" / "jupyterhub_config.py"
PG_PORT = 54331


_T0 = [time.monotonic()]


def _lap(what: str) -> None:
    now = time.monotonic()
    print(f"[hub] {what}: {now - _T0[0]:.1f} s", file=sys.stderr, flush=True)
    _T0[0] = now


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _system_python() -> str | None:
    """An interpreter of this Python's version that every user can run (pyenv's lives under /root, 0700)."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    for candidate in (sys.executable, f"/usr/bin/{version}", f"/usr/local/bin/{version}"):
        real = os.path.realpath(candidate)
        if os.path.exists(real) and all(os.stat(p).st_mode & stat.S_IXOTH for p in Path(real).parents):
            return candidate
    return None


def _light_venv(where: Path, python: str, lines: list[str], etc: bool) -> Path:
    """A venv without pip whose site-packages holds one .pth file: `lines` (paths, or an import line), with
    the project's Jupyter data (nbconvert's templates, JupyterLab's settings and extensions) and, if `etc`,
    its Jupyter settings (the server extensions enabled: nbgrader's, formgrader's journal)."""
    subprocess.run([python, "-m", "venv", "--without-pip", str(where)], check=True)
    for part in ("share", "etc") if etc else ("share",):
        (where / part).mkdir(exist_ok=True)
        (where / part / "jupyter").symlink_to(Path(sys.prefix) / part / "jupyter")
    site = next(where.glob("lib/python*/site-packages"))
    (site / "mdpc-hub.pth").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return where / "bin" / "python"


def _as(user: str, args: list, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", *map(str, args)], capture_output=True, text=True, **kw)


def _call(url: str, token: str, method: str = "GET", data: dict | None = None,
          json_body: dict | None = None) -> tuple[int, dict, bytes]:
    body = urllib.parse.urlencode(data).encode() if data is not None else (
        json.dumps(json_body).encode() if json_body is not None else None)
    req = urllib.request.Request(url, data=body, method=method, headers={"Authorization": f"token {token}"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


@pytest.fixture(scope="module")
def session():
    if os.geteuid() != 0:
        pytest.skip("JupyterHub et ses utilisateurs Unix demandent les droits root : make test les a en root")
    if not shutil.which("configurable-http-proxy"):
        pytest.skip("configurable-http-proxy absent (npm) : make test l'installe en root (tests/systeme.sh)")
    if not (shutil.which("useradd") and shutil.which("runuser")):
        pytest.skip("useradd ou runuser absent : le test crée de vrais utilisateurs Unix (paquets passwd, util-linux)")
    python, bindir = _system_python(), _pg_bin()
    if python is None:
        pytest.skip(f"aucun Python {sys.version_info.major}.{sys.version_info.minor} exécutable par tous")
    if bindir is None:
        pytest.skip("PostgreSQL absent (paquet Debian « postgresql ») : make test l'installe en root")
    base = Path(tempfile.mkdtemp(prefix="mdpc-hub-"))
    base.chmod(0o755)
    procs, users = [], []
    try:
        yield _start(base, python, bindir, procs, users)
    finally:
        for p in reversed(procs):
            p.terminate()
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
        if (base / "pg" / "donnees" / "postmaster.pid").exists():
            _as_postgres([bindir / "pg_ctl", "-D", base / "pg" / "donnees", "-m", "fast", "-w", "stop"])
        for user in users:
            subprocess.run(["pkill", "-u", user], capture_output=True)
            subprocess.run(["userdel", "-r", "-f", user], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


def _postgres(base: Path, bindir: Path) -> str:
    pg, sockets = base / "pg", base / "pg" / "sockets"
    sockets.mkdir(parents=True)
    for d in (pg, sockets):
        shutil.chown(d, "postgres")
        d.chmod(0o755)  # the trainer's processes reach the socket
    _as_postgres([bindir / "initdb", "-D", pg / "donnees", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-instructions"])
    _as_postgres([bindir / "pg_ctl", "-D", pg / "donnees", "-l", pg / "serveur.log", "-w", "start",
                  "-o", f"-k {sockets} -c listen_addresses='' -p {PG_PORT}"])
    _as_postgres([bindir / "createdb", "-h", sockets, "-p", PG_PORT, "-U", "postgres", "mdpc"])
    return f"postgresql+psycopg://postgres@/mdpc?host={sockets}&port={PG_PORT}"


def _start(base: Path, python: str, bindir: Path, procs: list, users: list) -> dict:
    homes = base / "home"
    homes.mkdir()
    for user in (TRAINER, GRADER, *CANDIDATES):
        subprocess.run(["userdel", "-r", "-f", user], capture_output=True)  # a run killed before its end
        subprocess.run(["useradd", "-m", "-d", str(homes / user), "-s", "/bin/sh", user], check=True)
        users.append(user)
    _lap("users")
    # the two environments: the project's packages seen through a Python every user can run
    site = sysconfig.get_paths()["purelib"]
    full = _light_venv(base / "env-formateurs", python, [f"import site; site.addsitedir({site!r})"], True)
    kit_dir = base / "kit"
    kit_dir.mkdir()
    (kit_dir / "mdpc_utils").symlink_to(PROJECT / "mdpc_utils")
    kit = _light_venv(base / "env-candidats", python, [str(kit_dir), site], False)
    kit_etc = base / "env-candidats" / "etc" / "jupyter"
    shutil.copytree(PROJECT / "mdpc_utils" / "jupyterlab" / "candidats", kit_etc, dirs_exist_ok=True)
    (kit_etc / "jupyter_server_config.d").mkdir(exist_ok=True)
    shutil.copy(Path(sys.prefix) / "etc" / "jupyter" / "jupyter_server_config.d" / "nbgrader.json",
                kit_etc / "jupyter_server_config.d")
    _lap("venvs")
    exchange = base / "echange"
    exchange.mkdir()
    exchange.chmod(0o777)  # nbgrader's documented exchange: everyone may create their course's folders
    exchange_config = (f"c.Exchange.root = {str(exchange)!r}\nc.Exchange.path_includes_course = True\n"
                       "c.Exchange.timezone = 'Europe/Paris'\n")
    (kit_etc / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n" + exchange_config
        + "from nbgrader.auth import JupyterHubAuthPlugin\nc.Authenticator.plugin_class = JupyterHubAuthPlugin\n",
        encoding="utf-8")
    # the course, in the trainer's home, its gradebook on PostgreSQL
    root = homes / TRAINER / "cours"  # not "mdpc": a folder of that name in the cwd would shadow the package
    demo.prepare_course(root)
    _lap("course")
    pg_url = _postgres(base, bindir)
    with open(root / "nbgrader_config.py", "a", encoding="utf-8") as fh:
        fh.write(f"\nc.CourseDirectory.db_url = {pg_url!r}\n" + exchange_config)
    (root / "certification.yaml").write_text(dump(certification()), encoding="utf-8")
    _lap("postgres")
    course = Course(root)
    course.nbgrader("db", "assignment", "add", A, f"--duedate={demo.DUE.isoformat(sep=' ')}")
    with course.gradebook() as gb:
        for sid in CANDIDATES:
            gb.update_or_create_student(sid, first_name=sid, last_name="Hub")
    course.run_in_process("generate_assignment", A)
    _lap("generate")
    subprocess.run(["chown", "-R", f"{TRAINER}:{TRAINER}", str(homes / TRAINER)], check=True)
    release = _as(TRAINER, [full, "-m", "nbgrader", "release_assignment", A, "--force"], cwd=root)
    assert release.returncode == 0, release.stderr
    _lap("release")
    # the hub
    state = base / "hub"
    state.mkdir(mode=0o700)
    ports = {k: _free_port() for k in ("hub", "api", "proxy", "formgrader")}
    env = {**os.environ, "MDPC_HUB_COURS": COURSE, "MDPC_HUB_DOSSIER_COURS": str(root),
           "MDPC_HUB_FORMATEURS": TRAINER, "MDPC_HUB_CORRECTEURS": GRADER, "MDPC_HUB_CANDIDATS": " ".join(CANDIDATES),
           "MDPC_HUB_PYTHON_CANDIDATS": str(kit), "MDPC_HUB_PYTHON_FORMATEURS": str(full),
           "MDPC_HUB_URL": f"http://127.0.0.1:{ports['hub']}", "MDPC_HUB_PORT_API": str(ports["api"]),
           "MDPC_HUB_PORT_PROXY": str(ports["proxy"]), "MDPC_HUB_PORT_FORMGRADER": str(ports["formgrader"]),
           "MDPC_HUB_ETAT": str(state), "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    env["MDPC_HUB_JETON_ADMIN"] = admin = secrets.token_hex(32)
    log = open(state / "hub.log", "w")
    procs.append(subprocess.Popen([Path(sys.executable).parent / "jupyterhub", "-f", CONFIG], cwd=state, env=env,
                                  stdout=log, stderr=subprocess.STDOUT))
    url = env["MDPC_HUB_URL"]
    _wait(f"{url}/hub/api/", state)
    tokens = {}
    for user in (TRAINER, GRADER, *CANDIDATES):  # each user's own API token, made by the hub's administration service
        status, _, body = _call(f"{url}/hub/api/users/{user}/tokens", admin, "POST", json_body={"note": "test"})
        assert status == 201, body
        tokens[user] = json.loads(body)["token"]
    _lap("hub")
    return {"url": url, "tokens": tokens, "root": root, "exchange": exchange, "kit": kit, "full": full,
            "homes": homes, "state": state, "course": course}


def _wait(url: str, state: Path, token: str = "", ready=lambda body: True) -> bytes:
    for _ in range(480):
        try:
            status, _, body = _call(url, token)
            if status == 200 and ready(body):
                return body
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.25)
    lines = [line for line in (state / "hub.log").read_text(encoding="utf-8").splitlines()
             if "xsrf" not in line and " 404 GET " not in line]
    shutil.copy(state / "hub.log", Path(tempfile.gettempdir()) / "mdpc-hub-dernier.log")
    pytest.fail(f"{url} ne répond pas :\n" + "\n".join(lines)[-8000:])


@pytest.fixture(scope="module")
def servers(session):
    """Every user's single-user server, started through the hub's REST API with the user's own token."""
    url, tokens = session["url"], session["tokens"]
    for user in (TRAINER, *CANDIDATES):
        status, _, body = _call(f"{url}/hub/api/users/{user}/server", tokens[user], "POST")
        assert status in (201, 202), body
    for user in (TRAINER, *CANDIDATES):
        _wait(f"{url}/hub/api/users/{user}", session["state"], tokens[user],
              lambda body: json.loads(body).get("servers", {}).get("", {}).get("ready"))
    return session


def _api(session, user: str, path: str, method: str = "GET", data: dict | None = None, **kw):
    return _call(f"{session['url']}/user/{user}/{path}", session["tokens"][user], method, data, **kw)


def test_candidates_fetch_and_submit_through_their_servers(servers):
    for user in CANDIDATES:
        status, _, body = _api(servers, user, f"assignments?course_id={COURSE}")
        assert status == 200, body
        listed = json.loads(body)
        assert listed["success"], listed
        assert [a["assignment_id"] for a in listed["value"] if a["status"] == "released"] == [A]
        status, _, body = _api(servers, user, "assignments/fetch", "POST",
                               {"course_id": COURSE, "assignment_id": A})
        assert status == 200 and json.loads(body)["success"], body
        folder = servers["homes"] / user / COURSE / A  # the multi-course exchange: <course>/<assignment>
        assert folder.is_dir() and folder.stat().st_uid == pwd.getpwnam(user).pw_uid
        make_submission(folder, servers["course"].source(A), wrong=("plan_inchange",) if user == CANDIDATES[1] else ())
        subprocess.run(["chown", "-R", f"{user}:{user}", str(folder)], check=True)
        status, _, body = _api(servers, user, "assignments/submit", "POST",
                               {"course_id": COURSE, "assignment_id": A})
        assert status == 200 and json.loads(body)["success"], body
    inbound = servers["exchange"] / COURSE / "inbound"
    assert stat.S_IMODE(inbound.stat().st_mode) == 0o2733  # everyone may write in it, nobody but its owner list it
    owners = {pwd.getpwuid(p.stat().st_uid).pw_name: p for p in inbound.iterdir()}
    assert set(owners) == set(CANDIDATES)
    for user, other in (CANDIDATES, reversed(CANDIDATES)):
        submission = owners[user]
        # nbgrader hides a submission by its name: a random part, in a folder nobody but the trainer may list
        assert submission.name.startswith(f"{user}+{A}+") and len(submission.name.rsplit("+", 1)[1]) >= 12
        denied = _as(other, ["ls", inbound])
        assert denied.returncode != 0 and "Permission denied" in denied.stderr
        for path in submission.rglob("*"):
            assert path.stat().st_uid == pwd.getpwnam(user).pw_uid, path
            if path.is_file():
                assert not stat.S_IMODE(path.stat().st_mode) & (stat.S_IWGRP | stat.S_IWOTH), path
        answers = submission / "C4_1_plan_de_charges.ipynb"
        assert _as(other, ["sh", "-c", f"echo x >> '{answers}'"]).returncode != 0
        assert _as(user, ["ls", submission]).returncode == 0


def _run_in_kernel(session, user: str, code: str) -> str:
    """What `code` prints in a kernel of the user's own server (REST API, then the kernel's websocket)."""
    from tornado.httpclient import HTTPRequest
    from tornado.ioloop import IOLoop
    from tornado.websocket import websocket_connect

    status, _, body = _api(session, user, "api/kernels", "POST", json_body={"name": "python3"})
    assert status == 201, body
    kernel = json.loads(body)["id"]

    async def run() -> str:
        ws_url = session["url"].replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"
        conn = await websocket_connect(HTTPRequest(ws_url, headers={"Authorization": f"token {session['tokens'][user]}"}))
        msg_id = secrets.token_hex(8)
        conn.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": user, "session": msg_id,
                       "version": "5.3"}, "parent_header": {}, "metadata": {}, "channel": "shell",
            "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                        "allow_stdin": False}}))
        out = []
        while True:
            msg = json.loads(await conn.read_message())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out.append(msg["content"]["text"])
            elif msg["msg_type"] == "error":
                out.append(msg["content"]["ename"])
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                conn.close()  # after every output (execute_reply, on another channel, may come before them)
                return "".join(out)

    try:
        return IOLoop.current().run_sync(run, timeout=120)
    finally:
        _api(session, user, f"api/kernels/{kernel}", "DELETE")


PROBE = """import sys, mdpc_utils
try:  # (a plain "import mdpc" finds the folder ~/mdpc/ of the course's fetched assignments, a namespace)
    import mdpc.grading.course
    print("mdpc importable", sys.executable)
except ImportError:
    print("kit seul", sys.executable)
"""


def test_candidate_servers_carry_the_kit_only(servers):
    for user in CANDIDATES:
        assert _run_in_kernel(servers, user, PROBE).split() == ["kit", "seul", str(servers["kit"])]
    said = _run_in_kernel(servers, TRAINER, PROBE).split()
    assert said[:2] == ["mdpc", "importable"], said


def test_formgrader_answers_through_the_hub(servers):
    url = f"{servers['url']}/services/{COURSE}/formgrader"
    body = _wait(url, servers["state"], servers["tokens"][TRAINER])
    status, headers, body = _call(url, servers["tokens"][TRAINER])
    assert status == 200 and b"formgrader" in body.lower()
    # JupyterHub >= 4.1 sends frame-ancestors 'none' (a blank Formgrader tab); the service's setting wins
    assert headers.get("content-security-policy") == "frame-ancestors 'self'", headers
    status, _, body = _call(f"{url}/api/assignments", servers["tokens"][TRAINER])
    assert status == 200 and A in [a["name"] for a in json.loads(body)], body
    for user in CANDIDATES:  # not in the group formgrade-<course>
        status, _, _ = _call(url, servers["tokens"][user])
        assert status == 403, status


def test_a_grader_grades_on_the_service_without_the_course_account_files_kernels_or_terminals(servers):
    """formgrader runs as the course's account: a grader of the group formgrade-<course> who is not that account
    gets formgrader (its API, the journal of ratings signs and blinds their levels), never the account's files
    (the journal, where another grader's levels are), kernels or terminals; formgrader's Autograde button, which
    would run a candidate's code outside the sandbox, is refused for everyone with a French message."""
    service = f"{servers['url']}/services/{COURSE}"
    grader, trainer = servers["tokens"][GRADER], servers["tokens"][TRAINER]
    status, _, body = _call(f"{service}/formgrader/api/assignments", grader)
    assert status == 200 and A in [a["name"] for a in json.loads(body)], body
    status, _, body = _call(f"{service}/formgrader/manage_assignments", grader)  # no configuration printed there
    assert status == 200 and b"Devoirs" in body and b"postgresql" not in body.lower() and b"db_url" not in body
    for path, method in (("api/contents", "GET"), ("api/contents/notation.db", "GET"), ("files/notation.db", "GET"),
                         ("api/kernels", "POST"), ("api/kernels", "GET"), ("api/terminals", "POST"),
                         ("api/sessions", "GET"), ("api/kernelspecs", "GET"), ("api/shutdown", "POST")):
        status, _, _ = _call(f"{service}/{path}", grader, method, json_body={} if method == "POST" else None)
        assert status == 403, (path, method, status)
    status, _, body = _call(f"{service}/api/contents", trainer)
    assert status == 200 and "nbgrader_config.py" in body.decode(), body[:300]
    for token in (grader, trainer):
        status, _, body = _call(f"{service}/formgrader/api/submission/{A}/{CANDIDATES[0]}/autograde", token, "POST",
                                data={})
        assert status == 200, body
        answer = json.loads(body)
        assert answer["success"] is False and "mdpc autograde" in answer["log"], answer
    assert not (servers["root"] / "autograded").exists()  # nothing ran


def test_trainer_collects_grades_rates_and_reports(servers):
    root, full = servers["root"], servers["full"]
    collected = _as(TRAINER, [full, "-m", "nbgrader", "collect", A], cwd=root)
    assert collected.returncode == 0, collected.stderr
    for user in CANDIDATES:
        copy = root / "submitted" / user / A
        assert (copy / "C4_1_plan_de_charges.ipynb").is_file()
        assert pwd.getpwuid(copy.stat().st_uid).pw_name == TRAINER
    mdpc = [Path(sys.executable).parent / "mdpc"]
    graded = subprocess.run([*mdpc, "autograde", "--cours", root, "--devoir", A], capture_output=True, text=True)
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert "Bac à sable complet" in graded.stdout + graded.stderr
    with servers["course"].gradebook() as gb:
        scores = {u: gb.find_submission(A, u).score for u in CANDIDATES}
    assert 0 < scores[CANDIDATES[1]] < scores[CANDIDATES[0]], scores
    for user in CANDIDATES:
        rated = subprocess.run([*mdpc, "noter", "--cours", root, "--devoir", A, "--correcteur", "Correcteur Hub",
                                "--candidat", user, "--competence", "C4.1", "--critere", "1", "--niveau", "2",
                                "--commentaire", "Plan de charges complet."], capture_output=True, text=True)
        assert rated.returncode == 0, rated.stdout + rated.stderr
    reported = subprocess.run([*mdpc, "rapports", "--cours", root, "--devoir", A, "--sans-pdf"],
                              capture_output=True, text=True)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    written = " ".join(p.name for p in (root / "rapports").rglob("*"))
    assert all(user in written for user in CANDIDATES), written


def test_a_trainer_opens_the_course_formgrader_from_the_course_list_in_chromium(servers):
    """The trainer logs in with their Unix password (PAM), finds the course in nbgrader's course list of their
    JupyterLab (no formgrader of their own: it would show their home folder as an empty course), and the link opens
    the course's service with formgrader in its Formgrader tab: an iframe that JupyterHub's own policy
    (frame-ancestors 'none') would leave blank. The assignment's row, drawn by formgrader's script from its API,
    proves the page inside the frame ran."""
    from test_navigateur import CHROMIUM, FLAGS, playwright_and_chromium

    sync_api = playwright_and_chromium()
    password = secrets.token_urlsafe(16)
    subprocess.run(["chpasswd"], input=f"{TRAINER}:{password}\n", text=True, check=True)
    url, shots = servers["url"], Path(tempfile.gettempdir()) / "mdpc-hub-chromium"
    shots.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        try:
            page.goto(f"{url}/hub/login")
            page.fill("#username_input", TRAINER)
            page.fill("#password_input", password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{TRAINER}/**", timeout=60_000)
            page.goto(f"{url}/user/{TRAINER}/lab")
            page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").click(timeout=120_000)
            items = page.locator(".lm-Menu-itemLabel")
            items.first.wait_for()
            assert not [i for i in items.all_inner_texts() if i.startswith("Formgrader")], items.all_inner_texts()
            items.filter(has_text="Liste des cours").click()  # make install translates nbgrader's extension
            course = page.locator(".list_item a", has_text=COURSE)
            course.wait_for(timeout=60_000)
            assert page.locator(".list_item .item_course").all_inner_texts() == ["jupyterhub"]
            with context.expect_page() as opened:
                course.click()
            service = opened.value
            service.wait_for_url(f"**/services/{COURSE}/lab**", timeout=60_000)
            frame = service.frame_locator(f"iframe[src*='/services/{COURSE}/formgrader']")
            frame.locator("td", has_text=A).first.wait_for(timeout=120_000)
            service.screenshot(path=str(shots / "formgrader.png"))
        finally:
            for shown in context.pages:
                shown.screenshot(path=str(shots / f"fin-{context.pages.index(shown)}.png"))
            browser.close()
