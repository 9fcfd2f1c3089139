"""Build the pilot-programme calendar of the 41 YRD cities: ``policies_yrd41.csv`` + meta.

Writes into ``src/cityres/datasets/files/``:

- ``policies_yrd41.csv``: every row of the research draft, renamed to cityres's calendar
  columns (``city``, ``name_zh``, ``programme``, ``batch``, ``year``, ``date``,
  ``document``, ``confidence``, ``note``, ``source``), confidence labels and notes kept;
- ``policies_yrd41.meta.json``: sources, what the confidence labels mean, counts, and
  the build command.

Input (run by hand, after ``tools/build_register.py``):
``/work/shared/research/yrd41_policy_reference_DRAFT.csv`` (columns policy, batch, year,
date, document, adcode, name_zh, confidence, note), compiled from State Council and
ministry lists as reproduced in news and government pages; each row says how it was
verified. Checks (the build stops if one fails): every code is one of the 41 YRD cities
of the register and its Chinese name matches the register; programmes, confidence labels
and years are valid; no city appears twice in a programme; ``date`` starts with ``year``.

Usage (from the repository root)::

    PYTHONPATH=src python tools/build_policies.py \\
        --draft /work/shared/research/yrd41_policy_reference_DRAFT.csv
"""

from __future__ import annotations

import argparse
import collections
import csv
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from _china_sources import FILES

DEFAULT_DRAFT = Path("/work/shared/research/yrd41_policy_reference_DRAFT.csv")
COLUMNS = ["city", "name_zh", "programme", "batch", "year", "date", "document",
           "confidence", "note", "source"]
RENAME = {"policy": "programme", "adcode": "city"}

#: Who issues each programme's list (the ``source`` column). Hand-written; the document
#: of each row is in ``document``.
ISSUERS = {
    "broadband_china": "MIIT and NDRC annual list of 'Broadband China' demonstration "
    "cities (city clusters)",
    "cbec_pilot_zone": "State Council reply (国函) establishing cross-border e-commerce "
    "comprehensive pilot zones",
    "ecommerce_demo_city": "NDRC and partner ministries' notice naming national e-commerce "
    "demonstration cities",
}
CONFIDENCE = ("high", "medium", "low")


def log(msg: str) -> None:
    print(msg, file=sys.stderr)


def build(args: argparse.Namespace) -> None:
    draft = Path(args.draft)
    out = Path(args.out)
    with (out / "china_cities.csv").open(encoding="utf-8") as f:
        register = {r["code"]: r for r in csv.DictReader(f) if r["in_yrd41"] == "true"}
    with draft.open(encoding="utf-8") as f:
        raw = list(csv.DictReader(f))
    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str], int] = {}
    for i, r in enumerate(raw, start=2):  # spreadsheet row numbers, header = 1
        row = {RENAME.get(k, k): (v or "").strip() for k, v in r.items()}
        code, prog = row["city"], row["programme"]
        if code not in register:
            problems.append(f"row {i}: {code} is not one of the 41 YRD cities")
        elif row["name_zh"] != register[code]["name_zh"]:
            problems.append(f"row {i}: {code} is {register[code]['name_zh']}, not {row['name_zh']}")
        if prog not in ISSUERS:
            problems.append(f"row {i}: unknown programme {prog!r}")
        if row["confidence"] not in CONFIDENCE:
            problems.append(f"row {i}: confidence {row['confidence']!r}")
        if not (row["year"].isdigit() and row["batch"].isdigit()):
            problems.append(f"row {i}: year {row['year']!r} / batch {row['batch']!r} not integers")
        elif not row["date"].startswith(row["year"]):
            problems.append(f"row {i}: date {row['date']} is not in year {row['year']}")
        if (code, prog) in seen:
            problems.append(f"row {i}: {code} {prog} already in row {seen[(code, prog)]}")
        seen[(code, prog)] = i
        row["source"] = (f"{ISSUERS.get(prog, '')}; compiled in cityres research notes "
                         f"({draft.name})")
        rows.append({c: row.get(c, "") for c in COLUMNS})
    if problems:
        raise SystemExit("the draft has problems:\n  " + "\n  ".join(problems))

    target = out / "policies_yrd41.csv"
    with target.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, dict[str, int]] = collections.defaultdict(dict)
    for (prog, conf), n in sorted(collections.Counter(
            (r["programme"], r["confidence"]) for r in rows).items()):
        counts[prog][conf] = n
    meta = make_meta(draft, rows, counts)
    (out / "policies_yrd41.meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    log(f"wrote {target}: {len(rows)} rows {json.dumps(counts)}")


def make_meta(draft: Path, rows: list[dict[str, Any]],
              counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {
        "title": "Pilot-programme calendar of the 41 YRD cities: Broadband China, "
        "cross-border e-commerce comprehensive pilot zones, national e-commerce "
        "demonstration cities",
        "file": "policies_yrd41.csv",
        "rows": len(rows),
        "rows_by_programme_and_confidence": counts,
        "sources": [
            {"name": draft.name,
             "sha256": hashlib.sha256(draft.read_bytes()).hexdigest(),
             "what": "cityres research notes: each row names its document and says how "
             "it was verified (column note)"},
            *({"programme": k, "issuer": v} for k, v in ISSUERS.items()),
        ],
        "confidence": {
            "high": "membership and year seen in the list or its full reproduction "
            "(the note may still flag a document number recalled from memory)",
            "medium": "UNVERIFIED: from memory or a partial list; check before relying on it",
            "low": "UNVERIFIED: membership from memory; check before relying on it",
            "rule": "medium and low rows are unverified; cityres.data.policies."
            "adoption_years warns (LowConfidenceDataWarning) when it uses them and can "
            "drop them (min_confidence='high'); users can supply their own calendar "
            "(cityres.data.policies.read_policies)",
        },
        "columns": {
            "city": "6-digit code of the prefecture-level city (string)",
            "name_zh": "Chinese name (checked against the register)",
            "programme": "broadband_china, cbec_pilot_zone or ecommerce_demo_city",
            "batch": "batch number (broadband_china: the list's year)",
            "year": "year the city entered the programme (int)",
            "date": "date of the list as known: YYYY-MM-DD, YYYY-MM or ranges such as "
            "2018-07/08 (free text)",
            "document": "the list or reply, with its number where known",
            "confidence": "high, medium or low (see confidence)",
            "note": "how the row was verified; county-level members (Kunshan, Yiwu) noted",
            "source": "issuing body and where the row was compiled",
        },
        "not_covered": "county-level members (昆山市 in Suzhou, 义乌市 in Jinhua) are "
        "mentioned in notes only; cities outside the 41 are not listed",
        "build_command": "PYTHONPATH=src python tools/build_policies.py --draft "
        f"{draft}",
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draft", default=str(DEFAULT_DRAFT), help="the research draft CSV")
    parser.add_argument("--out", default=str(FILES), help="output folder (default: %(default)s)")
    build(parser.parse_args(argv))


if __name__ == "__main__":
    main()
