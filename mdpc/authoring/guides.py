"""The trainer's guides carry the frame of possible format adaptations of their mises en situation.

The frame is written once, in ``grilles/cadre_amenagements.yaml`` (:mod:`mdpc.core.adaptations`); ``mdpc publier``
rewrites the section between the markers below in each ``corrige/guide_formateur.md`` whose assignment has a
competency assessed in a work situation, so that a guide never says something else than the frame the jury's
file is checked against (``tests/test_amenagements.py`` fails when a guide is behind).
"""

from __future__ import annotations

import re
from pathlib import Path

from mdpc import CAS_DIR
from mdpc.core.adaptations import frame_markdown, load_frame

GUIDE = "corrige/guide_formateur.md"
BEGIN, END = "<!-- cadre-amenagements:debut (écrit par mdpc publier, d'après grilles/cadre_amenagements.yaml) -->", \
    "<!-- cadre-amenagements:fin -->"
HEADING = "## Candidats en situation de handicap : cadre des aménagements possibles"
INTRO = ("Sur conseil du référent handicap, et dans le respect des spécifications du référentiel, le jury peut adapter "
         "le format d'une mise en situation ; seules les adaptations ci-dessous sont possibles (une autre demande est "
         "refusée par `mdpc rapports`, message à l'appui). Chacune s'inscrit au dossier du jury (`dispenses.yaml`, "
         "`amenagements.format_adapte`, avec l'avis motivé du référent). Le temps supplémentaire, l'assistance d'un "
         "tiers et l'adaptation des supports et du matériel valent pour toutes les modalités.")


def competencies_of(assignment_dir: Path) -> list[str]:
    """« C2.5 » for ``C2_5_entretien_vente.ipynb``: the competencies an assignment's notebooks assess."""
    return sorted({"C" + ".".join(m.groups()) for p in assignment_dir.glob("C*_*.ipynb")
                   if (m := re.match(r"C(\d)_(\d)_", p.name))})


def section(codes: list[str]) -> str:
    """The guide's section for `codes` ("" when none is assessed in a work situation)."""
    body = frame_markdown(codes)
    return f"{BEGIN}\n{HEADING}\n\n{INTRO}\n\n{body}\n{END}\n" if body else ""


def updated_guide(text: str, codes: list[str]) -> str:
    """The guide's text with its frame section written (replaced in place, or appended)."""
    new = section(codes)
    pattern = re.compile(re.escape(BEGIN) + r".*?" + re.escape(END) + r"\n?", re.S)
    if pattern.search(text):
        return pattern.sub(lambda _: new, text, count=1)
    return text if not new else text.rstrip("\n") + "\n\n" + new


def write_adaptation_frames(cas_dir: Path = CAS_DIR) -> list[str]:
    """Rewrite the section of every guide that is behind the frame; returns what was written (French)."""
    load_frame.cache_clear()
    lines = []
    for guide in sorted(Path(cas_dir).glob(f"*/{GUIDE}")):
        text = guide.read_text(encoding="utf-8")
        new = updated_guide(text, competencies_of(guide.parent.parent))
        if new != text:
            guide.write_text(new, encoding="utf-8")
            lines.append(f"guide du formateur : cadre des aménagements écrit dans {guide.relative_to(Path(cas_dir).parent)}")
    return lines
