import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_TOOLS = ROOT.parent / "shared" / "tools"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    """Path of a test fixture (one small file or folder per behaviour)."""
    return FIXTURES.joinpath(*parts)


REFERENCE_MARK = "# Corrigé de référence"


def read_case_reference(notebook: str) -> dict:
    """The answer key of a case, read from the hidden tests of its source notebook (never from mdpc_utils,
    which candidates can import): every ``_ref_*`` function of its « Corrigé de référence » blocks."""
    import math

    import nbformat
    import numpy as np
    import pandas as pd

    from mdpc import CAS_DIR
    from mdpc_utils import bloc2, bloc3, bloc4

    path = next(CAS_DIR.glob(f"*/{notebook}.ipynb"))
    namespace = {"math": math, "np": np, "pd": pd, "bloc2": bloc2, "bloc3": bloc3, "bloc4": bloc4}
    for cell in nbformat.read(path, as_version=4).cells:
        for block in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, flags=re.S):
            if block.startswith(REFERENCE_MARK):
                exec(compile(block, f"{path.name}:{cell.get('id')}", "exec"), namespace)
    refs = {k: v for k, v in namespace.items() if k.startswith("_ref_")}
    assert refs, f"{path.name} : aucun corrigé de référence dans les tests cachés"
    return refs


@pytest.fixture(scope="session")
def case_reference():
    """``case_reference("C3_1_cahier_des_charges")["_ref_ordonnancer"]``: a case's answer key (hidden tests)."""
    return read_case_reference


@pytest.fixture(scope="session")
def seed_criteria():
    """The official criteria, parsed from the seed text by the shared checker (None when shared/ is absent)."""
    if not (SHARED_TOOLS / "seed_criteria.py").exists():
        pytest.skip("../shared/tools absent : comparaison au texte source impossible ici")
    sys.path.insert(0, str(SHARED_TOOLS))
    import seed_criteria as sc

    return sc.parse(sc.SEED.read_text(encoding="utf-8"))


# The files whose module fixtures take longest (clean-clone CI, 7 December 2026: the demo 825 s, the hostile
# copies 717 s, the three sessions 330 s, the variants 153 s…), started first by `make test` (pytest-xdist,
# --dist loadfile --no-loadscope-reorder): the two longest on their own worker from the start, the short files
# then keep both workers busy to the end, instead of one worker finishing a long file alone.
LONGEST_FIRST = ("test_pipeline.py", "test_hostile.py", "test_sessions_e2e.py", "test_variantes.py",
                 "test_sessions_b4.py", "test_processus.py", "test_postgres.py", "test_jupyterhub.py",
                 "test_notebooks.py",
                 "test_parcours.py", "test_validate.py", "test_fourche.py", "test_lecons.py", "test_kit.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the other files keep their order
