"""Say whether two nbgrader gradebooks hold the same autograding results (used by bench_cohorte.py)."""

import sys

from nbgrader.api import Gradebook


def dump(path: str) -> dict:
    out = {}
    with Gradebook(f"sqlite:///{path}") as gb:
        for assignment in gb.assignments:
            for sub in assignment.submissions:
                out[(sub.student.id, "remise")] = sub.timestamp
                for nb in sub.notebooks:
                    for g in nb.grades:
                        out[(sub.student.id, nb.name, g.name)] = (g.auto_score, g.manual_score, g.needs_manual_grade)
                    for c in nb.comments:
                        out[(sub.student.id, nb.name, c.name)] = (c.auto_comment, c.manual_comment)
    return out


if __name__ == "__main__":
    a, b = dump(sys.argv[1]), dump(sys.argv[2])
    diff = [k for k in set(a) | set(b) if a.get(k) != b.get(k)]
    print(f"identiques ({len(a)} valeurs)" if not diff else f"{len(diff)} différence(s), ex. {diff[:3]}")
