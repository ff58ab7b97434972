"""What formgrader may not do (mdpc.grading.formgrader_guard); the HTTP side runs in tests/test_jupyterhub.py."""

from types import SimpleNamespace

import pytest

from mdpc.grading import formgrader_guard as guard


@pytest.fixture
def authorizer(monkeypatch):
    monkeypatch.setenv(guard.OWNER_VARIABLE, "formateur")
    return guard.CourseServiceAuthorizer()


def test_only_the_course_account_reaches_files_kernels_and_terminals(authorizer):
    owner, grader, nameless = (SimpleNamespace(username=n) for n in ("formateur", "aubert", ""))
    for resource in ("contents", "kernels", "kernelspecs", "sessions", "terminals", "nbconvert", "server"):
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
