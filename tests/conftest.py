import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED_TOOLS = ROOT.parent / "shared" / "tools"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture_path(*parts: str) -> Path:
    """Path of a test fixture (one small file or folder per behaviour)."""
    return FIXTURES.joinpath(*parts)


@pytest.fixture(scope="session")
def seed_criteria():
    """The official criteria, parsed from the seed text by the shared checker (None when shared/ is absent)."""
    if not (SHARED_TOOLS / "seed_criteria.py").exists():
        pytest.skip("../shared/tools absent : comparaison au texte source impossible ici")
    sys.path.insert(0, str(SHARED_TOOLS))
    import seed_criteria as sc

    return sc.parse(sc.SEED.read_text(encoding="utf-8"))
