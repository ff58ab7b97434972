"""One error base class for the grading system: every refusal a user can act on carries a French message.

Library code raises a subclass of :class:`MdpcError` (never ``SystemExit``); the ``mdpc`` command prints
``Erreur : <message>`` and exits with code 2; anything else is a bug and keeps its traceback.
"""


class MdpcError(Exception):
    """A problem the user can act on; ``str(error)`` is a complete French sentence."""
