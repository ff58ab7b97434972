"""The ``mdpc`` commands that read what the jury produced without a course's grading: exports of the referential
and badges (``mdpc exporter``) and the verification of an issued document (``mdpc verifier``).

:mod:`mdpc.cli` imports them so that its parser finds every ``cmd_<name>``."""

from __future__ import annotations

from pathlib import Path


def cmd_exporter_referentiel(args) -> int:
    from mdpc.core import certification
    from mdpc.exports import referential_text

    text = referential_text(args.format, certification.load(args.cours))
    out = Path(args.sortie)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"écrit : {out}")
    return 0


def cmd_exporter_badges(args) -> int:
    import datetime as dt

    from mdpc.core import certification
    from mdpc.exports import ExportError, read_records, write_badges

    try:
        issued = dt.date.fromisoformat(args.date) if args.date else dt.date.today()
    except ValueError:
        raise ExportError(f"Date « {args.date} » illisible : écrivez-la AAAA-MM-JJ (par exemple 2027-01-20).") from None
    cert = certification.load(args.cours)
    paths = write_badges(read_records(args.resultats), args.sortie, cert, issued)
    print(f"{len(paths)} badge(s) écrit(s) dans {args.sortie}" + (" (identité SPÉCIMEN)" if cert.specimen else ""))
    return 0


def cmd_verifier(args) -> int:
    from mdpc.core.certification import french_date
    from mdpc.core.register import REGISTER_FILE, RegisterError, verify

    folder = Path(args.cours).resolve()  # a course folder, or the archive a certifier keeps after deleting it
    if not (folder / REGISTER_FILE).is_file():
        raise RegisterError(f"Aucun registre des documents délivrés dans {folder} ({REGISTER_FILE} absent) : indiquez "
                            "avec --cours le dossier du cours, ou celui où le registre et sa clé sont archivés.")
    result = verify(folder, args.numero, args.code, args.titulaire or "", args.naissance or "")
    print(("✔ " if result.ok else "✘ ") + result.message)
    e = result.entry
    if result.ok and e is not None:
        import datetime as dt

        birth = dt.date.fromisoformat(e.date_naissance)
        print(f"  titulaire : {e.titulaire}, né(e) le {french_date(birth)}"
              + (f" à {e.lieu_naissance}" if e.lieu_naissance else ""))
        print(f"  document : {e.kind_label} — certification {e.rncp}")
        print(f"  délivré le {french_date(dt.date.fromisoformat(e.date_delivrance))} à {e.lieu}"
              + (f" ; réédité le {', '.join(french_date(dt.date.fromisoformat(d)) for d in e.reeditions)}"
                 if e.reeditions else ""))
    return 0 if result.ok else 1
