"""Legal figures of the bloc 3 cases (project steering), checked against the Code de commerce.

Candidates import this package: the reference computations (critical path, earned value, NPS) live in
the hidden tests of the source notebooks, never here.
"""

from __future__ import annotations

PAYMENT_MAX_DAYS = 60             # code de commerce, art. L441-10 : 60 jours après l'émission de la facture
PAYMENT_MAX_DAYS_END_OF_MONTH = 45  # ou 45 jours fin de mois si les parties le conviennent
RECOVERY_FEE_EUR = 40             # indemnité forfaitaire pour frais de recouvrement (art. D441-5)
