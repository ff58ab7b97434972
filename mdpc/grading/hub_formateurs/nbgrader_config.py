"""nbgrader settings of the trainers' own servers on the hub (``JUPYTER_CONFIG_PATH``, set by the hub configuration).

nbgrader's course list reads the trainer's courses from their JupyterHub groups (``formgrade-<course>``) and
links each to its formgrader service; the course itself (its exchange, its gradebook) is configured in the
course's own ``nbgrader_config.py``, read by the service that runs in the course folder.
"""

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821 (traitlets' configuration loader provides it)
c.Authenticator.plugin_class = JupyterHubAuthPlugin
