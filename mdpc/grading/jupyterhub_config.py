"""JupyterHub configuration of an MDPC session: ``jupyterhub -f mdpc/grading/jupyterhub_config.py`` (as root).

The one hub configuration of the project: ``tests/test_jupyterhub.py`` starts its hub with this file, and the
README's guide (« Déploiement sur JupyterHub ») shows it. It follows nbgrader's documented multi-course
setup, with one course:

- local Unix users, started by JupyterHub's local process spawner (``LocalProcessSpawner``); the hub runs
  as root. A school replaces the authenticator (PAM by default here) with its own;
- candidates' servers run the Python of the candidates' image (the kit ``mdpc_utils`` only, never the
  grading system ``mdpc``: README, « Environnement des candidats »); trainers' servers run the project's;
- formgrader as a hub service of the course, run as the course's trainer account in the course folder;
  the group ``formgrade-<course>`` may open it, the group ``nbgrader-<course>`` lists the course; the
  graders (``MDPC_HUB_CORRECTEURS``, not hub administrators) are in that group too and, on the service, may
  grade but not reach the course's files, kernels or terminals (:mod:`mdpc.grading.formgrader_guard`); the
  trainers' own servers have no formgrader (it would show their home folder as an empty course) but nbgrader's
  course list, which links each of their courses to its service (``hub_formateurs/``, ``JUPYTER_CONFIG_PATH``);
- JupyterHub ≥ 4.1 forbids embedding a server's pages (``Content-Security-Policy: frame-ancestors
  'none'``): the formgrader service sets ``frame-ancestors 'self'`` so that nbgrader's Formgrader tab, an
  iframe of the hub's own origin, shows it (nbgrader issues #1870, #1910, #1919).

Settings come from environment variables (defaults for a machine laid out as the README's guide says).
"""

import os

c = get_config()  # noqa: F821 (JupyterHub's configuration loader provides it)


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default).strip() or default


def _names(name: str, default: str) -> list[str]:
    return [n for n in _env(name, default).replace(",", " ").split() if n]


COURSE = _env("MDPC_HUB_COURS", "mdpc")
COURSE_ROOT = _env("MDPC_HUB_DOSSIER_COURS", "/home/formateur/cours")  # the course's nbgrader_config.py
TRAINERS = _names("MDPC_HUB_FORMATEURS", "formateur")  # first one: the account formgrader runs as
GRADERS = [n for n in _names("MDPC_HUB_CORRECTEURS", "") if n not in TRAINERS]  # formgrader only, not hub admins
CANDIDATES = _names("MDPC_HUB_CANDIDATS", "")
CANDIDATE_PYTHON = _env("MDPC_HUB_PYTHON_CANDIDATS", "/opt/candidats/bin/python")  # kit only
TRAINER_PYTHON = _env("MDPC_HUB_PYTHON_FORMATEURS", "/opt/mdpc/.venv/bin/python")  # a clone, `make install`
HUB_URL = _env("MDPC_HUB_URL", "http://127.0.0.1:8000")
HUB_API_PORT = int(_env("MDPC_HUB_PORT_API", "8081"))
PROXY_API_PORT = int(_env("MDPC_HUB_PORT_PROXY", "8001"))
FORMGRADER_PORT = int(_env("MDPC_HUB_PORT_FORMGRADER", "9999"))
STATE = _env("MDPC_HUB_ETAT", "/srv/jupyterhub")  # the hub's database, cookie secret, proxy token
# the trainers' own servers: nbgrader's course list (courses from their hub groups) without a formgrader of their
# own, which would show their home folder's empty course: the course's formgrader is the hub service below
TRAINER_CONFIG = _env("MDPC_HUB_CONFIG_FORMATEURS",
                      os.path.join(os.path.dirname(os.path.abspath(__file__)), "hub_formateurs"))

c.JupyterHub.bind_url = HUB_URL
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{PROXY_API_PORT}"
c.JupyterHub.db_url = f"sqlite:///{os.path.join(STATE, 'jupyterhub.sqlite')}"
c.JupyterHub.cookie_secret_file = os.path.join(STATE, "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = os.path.join(STATE, "jupyterhub-proxy.pid")

c.Authenticator.allowed_users = set(TRAINERS + GRADERS + CANDIDATES)
c.Authenticator.admin_users = set(TRAINERS)
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def _choose_environment(spawner) -> None:
    """Candidates get the kit's environment (and its Jupyter settings), trainers the project's and their settings."""
    trainer = spawner.user.name in TRAINERS or spawner.user.name in GRADERS
    spawner.cmd = [TRAINER_PYTHON if trainer else CANDIDATE_PYTHON, "-m", "jupyterhub.singleuser"]
    if trainer:
        spawner.environment = {**spawner.environment, "JUPYTER_CONFIG_PATH": TRAINER_CONFIG}


c.Spawner.pre_spawn_hook = _choose_environment

# nbgrader: the course's groups, its formgrader service, and the rights each needs
c.JupyterHub.load_groups = {
    f"formgrade-{COURSE}": {"users": TRAINERS + GRADERS},
    f"nbgrader-{COURSE}": {"users": TRAINERS + CANDIDATES},
}
c.JupyterHub.load_roles = [
    {"name": f"formgrade-{COURSE}", "groups": [f"formgrade-{COURSE}"],
     "scopes": [f"access:services!service={COURSE}"]},
    # nbgrader's JupyterHub plugin reads the user's groups (their courses) with the server's token
    {"name": "server", "scopes": ["inherit"]},
    {"name": f"service-{COURSE}", "services": [COURSE],
     "scopes": ["read:users:groups", "list:users", "list:groups", "read:groups"]},
]
FRAME_POLICY = "frame-ancestors 'self'"
c.JupyterHub.services = [{
    "name": COURSE,
    "url": f"http://127.0.0.1:{FORMGRADER_PORT}",
    "command": [TRAINER_PYTHON, "-m", "jupyterhub.singleuser", "--ServerApp.default_url=/formgrader",
                "--ServerApp.tornado_settings=" + repr({"headers": {"Content-Security-Policy": FRAME_POLICY}}),
                # graders grade in formgrader; the course's files, kernels and terminals stay its account's
                "--ServerApp.authorizer_class=mdpc.grading.formgrader_guard.CourseServiceAuthorizer"],
    "environment": {"MDPC_PROPRIETAIRE_COURS": TRAINERS[0]},
    "user": TRAINERS[0],
    "cwd": COURSE_ROOT,
    "oauth_no_confirm": True,
}]

# An administration token (scripts creating accounts and tokens, the test): a service of its own, only if given
ADMIN_TOKEN = os.environ.get("MDPC_HUB_JETON_ADMIN", "").strip()
if ADMIN_TOKEN:
    c.JupyterHub.services.append({"name": "mdpc-admin", "api_token": ADMIN_TOKEN})
    c.JupyterHub.load_roles.append({"name": "mdpc-admin", "services": ["mdpc-admin"],
                                    "scopes": ["admin:users", "admin:servers", "tokens", "admin:groups"]})
