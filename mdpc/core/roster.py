"""Who may sign the journal of ratings: the session's graders and jury, declared in ``jury.yaml``.

The file lives in the course folder, beside the gradebook (it names real people: never in the repository,
``.gitignore`` excludes ``jury*.yaml``). French keys; every member is a mapping::

    correcteurs:
      - nom: Mme Aubert            # the name that signs the journal (required)
        utilisateur: aubert        # optional: their JupyterHub user name (formgrader signs with it)
    jury:
      - nom: Mme Bernard
        qualite: présidente du jury
        president: true            # exactly one member of the jury
        interne: false             # external to the certifier and the training body (jury's composition)
      - nom: M. Keller
        qualite: professionnel du secteur
        interne: false

A name given by a grader (``mdpc noter --correcteur``, the grading notebook, formgrader's hub user) is
matched against ``nom`` (case and spacing aside) or ``utilisateur`` and signs the journal with the
declared ``nom``. A grader's rating needs a name of ``correcteurs``, a jury's level a name of ``jury``; one
person may be in both lists. Without the file, any signed name may grade, and no jury level is accepted
(:meth:`Roster.signer` with no roster).

``interne`` (true or false) says whether a jury member belongs to the certifier or the training body: the
minutes check the composition the certification declares (:class:`mdpc.core.certification.JuryRule`).
The schema is open: other keys of a member (``role``…) and of the file are kept in
:attr:`Member.extra` / :attr:`Roster.extra` for later uses (the jury's composition in the minutes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from mdpc.errors import MdpcError

ROSTER_FILE = "jury.yaml"
FILE_HEADER = (
    "# Correcteurs et jury de la session (données personnelles) : ce fichier reste avec le cours, à côté du\n"
    "# gradebook ; ne jamais le versionner ni le diffuser.\n"
    "#\n"
    "#   correcteurs : qui peut noter (grille de saisie, formgrader, mdpc noter)\n"
    "#     nom          : le nom qui signe chaque note du journal (obligatoire)\n"
    "#     utilisateur  : son nom d'utilisateur JupyterHub, si formgrader est servi par un hub (facultatif)\n"
    "#   jury        : qui peut arrêter un niveau final (case « Niveau final du jury », mdpc noter --jury)\n"
    "#     nom, utilisateur : comme ci-dessus ; une même personne peut être correcteur et membre du jury\n"
    "#     qualite      : sa qualité (facultatif, ex. « professionnel du secteur »)\n"
    "#     president    : true pour le président ou la présidente du jury (un seul membre)\n"
    "#     interne      : true si le membre appartient au certificateur ou à l'organisme de formation, false s'il\n"
    "#                    leur est extérieur (composition du jury vérifiée au procès-verbal)\n"
    "#   anonymat    : true pour une correction anonyme (les correcteurs voient des numéros de copie, jamais des\n"
    "#                  noms, dans la grille de saisie, formgrader et les livrables ; README, « Correction anonyme »)\n"
    "#   Toute autre clé est gardée telle quelle pour d'autres usages.\n"
)
_GRADERS, _JURY = "correcteurs", "jury"


class RosterError(MdpcError):
    """The roster cannot be read, or refuses a signature (message in French)."""


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


@dataclass(frozen=True)
class Member:
    name: str
    user: str = ""
    quality: str = ""
    president: bool = False
    extra: Mapping = field(default_factory=lambda: MappingProxyType({}))
    internal: bool | None = None  # None: not declared

    def title(self) -> str:
        """« Mme Bernard, présidente du jury »: the name and, when given, the quality (minutes, signatures)."""
        return f"{self.name}, {self.quality}" if self.quality else self.name

    def answers_to(self, who: str) -> bool:
        return _key(who) in {_key(self.name), _key(self.user)} - {""}


@dataclass(frozen=True)
class Roster:
    graders: tuple[Member, ...] = ()
    jury: tuple[Member, ...] = ()
    source: str = ROSTER_FILE
    extra: Mapping = field(default_factory=lambda: MappingProxyType({}))

    @property
    def president(self) -> Member | None:
        return next((m for m in self.jury if m.president), None)

    def grader(self, who: str) -> Member | None:
        return next((m for m in self.graders if m.answers_to(who)), None)

    def juror(self, who: str) -> Member | None:
        return next((m for m in self.jury if m.answers_to(who)), None)

    def name_of(self, who: str) -> str:
        """The declared name of whoever `who` is (a grader or a juror), else `who` itself."""
        member = self.grader(who) or self.juror(who)
        return member.name if member else " ".join(str(who or "").split())


def signer(roster: Roster | None, who: str, jury: bool = False) -> str:
    """The name that signs a rating by `who` (a jury's level when `jury`), or a French RosterError."""
    who = " ".join(str(who or "").split())
    if not who:
        raise RosterError("Indiquez le nom du correcteur : chaque note est signée dans le journal.")
    if roster is None:
        if jury:
            raise RosterError(f"Niveau du jury refusé : aucun jury déclaré : {ROSTER_FILE} est absent du dossier du cours. "
                              f"Déclarez les membres du jury et sa présidence dans {ROSTER_FILE} (modèle : "
                              f"demo_mdpc/{ROSTER_FILE} après make demo).")
        return who
    if jury:
        if not roster.jury:
            raise RosterError(f"Niveau du jury refusé : aucun jury déclaré dans {roster.source}.")
        member = roster.juror(who)
        if member is None:
            raise RosterError(f"Niveau du jury refusé : « {roster.name_of(who)} » n'est pas membre du jury déclaré dans "
                              f"{roster.source} "
                              f"(membres : {', '.join(m.name for m in roster.jury)}).")
        return member.name
    member = roster.grader(who)
    if member is None:
        declared = ", ".join(m.name for m in roster.graders) or "aucun"
        raise RosterError(f"Note refusée : « {who} » n'est pas correcteur de cette session (correcteurs déclarés dans "
                          f"{roster.source} : {declared}). Signez du nom déclaré, ou faites-vous ajouter au fichier.")
    return member.name


def _members(value, where: str, jury: bool) -> tuple[Member, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RosterError(f"{where} : une liste de membres est attendue (chacun avec « nom: … »).")
    out, names = [], set()
    for k, entry in enumerate(value, 1):
        here = f"{where}, membre {k}"
        if not isinstance(entry, Mapping):
            raise RosterError(f"{here} : chaque membre s'écrit « - nom: … » (reçu : {entry!r}).")
        name = " ".join(str(entry.get("nom") or "").split())
        if not name:
            raise RosterError(f"{here} : « nom » manque.")
        if _key(name) in names:
            raise RosterError(f"{where} : « {name} » figure deux fois.")
        names.add(_key(name))
        president = entry.get("president", False)
        if not isinstance(president, bool) or (president and not jury):
            raise RosterError(f"{here} (« {name} ») : « president » vaut true ou false, et seulement dans « jury ».")
        internal = entry.get("interne")
        if internal is not None and (not isinstance(internal, bool) or not jury):
            raise RosterError(f"{here} (« {name} ») : « interne » vaut true ou false, et seulement dans « jury ».")
        extra = {k: v for k, v in entry.items() if k not in ("nom", "utilisateur", "qualite", "president", "interne")}
        out.append(Member(name, str(entry.get("utilisateur") or "").strip(), str(entry.get("qualite") or "").strip(),
                          president, MappingProxyType(extra), internal))
    return tuple(out)


def parse(data, source: str = ROSTER_FILE) -> Roster:
    """Check a roster's data (as YAML reads it); every problem is a French RosterError naming the file."""
    where = f"Fichier {source}"
    if not isinstance(data, Mapping):
        raise RosterError(f"{where} : les listes « {_GRADERS} » et « {_JURY} » sont attendues.")
    graders = _members(data.get(_GRADERS), f"{where}, {_GRADERS}", jury=False)
    jury = _members(data.get(_JURY), f"{where}, {_JURY}", jury=True)
    if jury and sum(m.president for m in jury) != 1:
        raise RosterError(f"{where}, {_JURY} : un membre et un seul porte « president: true » "
                          f"({sum(m.president for m in jury)} trouvé(s)).")
    names: dict[str, str] = {}
    for m in graders + jury:  # a login names one person, and nobody is called by someone else's login
        for key in {_key(m.user)} - {""}:
            if names.setdefault(key, m.name) != m.name:
                raise RosterError(f"{where} : l'utilisateur « {m.user} » est donné à « {names[key]} » et à « {m.name} ».")
    for m in graders + jury:
        owner = names.get(_key(m.name))
        if owner is not None and owner != m.name:
            raise RosterError(f"{where} : « {m.name} » est aussi l'utilisateur de « {owner} ».")
    extra = {k: v for k, v in data.items() if k not in (_GRADERS, _JURY)}
    return Roster(graders, jury, source, MappingProxyType(extra))


def load(path: str | Path) -> Roster | None:
    """The roster in `path`; None when the file does not exist (no roster declared)."""
    path = Path(path)
    if not path.exists():
        return None
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RosterError(f"Fichier {path.name} illisible (YAML invalide) : {exc}") from exc
    return parse(data, path.name)


def dump(data: Mapping) -> str:
    """A roster file's text: the documented header, then the data (checked first)."""
    parse(data)
    return FILE_HEADER + yaml.safe_dump(dict(data), allow_unicode=True, sort_keys=False)
