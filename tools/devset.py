"""The real-news development set: seal its gold for the repository, and check a copy of
its texts against the list of sources.

The article texts are third-party wording and are never committed. What the repository
keeps (``devset/``) is the list of sources (outlet, address, date, the search that found
each page, and the SHA-256 of the text as annotated) and the gold, sealed as
``../shared/spec/gold-format.md`` describes: quotation texts as token seals, no evidence,
speaker wording, roles or notes.

    python tools/devset.py seal OPEN_DIR      # OPEN_DIR/texts, OPEN_DIR/gold, OPEN_DIR/sources
    python tools/devset.py verify TEXTS_DIR   # which texts match the list, which are missing

``seal`` reads the open gold (``gold/<source>.json`` and ``gold/corpus-*.json``) and the
per-cluster source lists (``sources/*.tsv``: slug, outlet, url, published, query), and
writes ``devset/gold/*.json`` (one per document, plus one merged ``corpus.json``) and
``devset/sources.tsv``. Then ``parley analyze TEXTS_DIR --db dev.db`` and
``parley eval devset/gold --db dev.db`` measure parley on it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from parley.evaluate import load_gold, seal_gold  # noqa: E402

DEVSET = ROOT / "devset"
COLUMNS = ["document", "outlet", "url", "published", "sha256", "query"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_sources(folder: Path) -> list[dict[str, str]]:
    rows = []
    for tsv in sorted(folder.glob("*.tsv")):
        for line in tsv.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            slug, outlet, url, published, query = (line.split("\t") + [""] * 5)[:5]
            rows.append({"document": f"{slug}.md", "outlet": outlet, "url": url,
                         "published": published, "query": query})
    return rows


def seal(open_dir: Path) -> None:
    texts, gold_dir = open_dir / "texts", open_dir / "gold"
    rows = read_sources(open_dir / "sources")
    out = DEVSET / "gold"
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.json"):
        old.unlink()
    corpus: dict[str, list] = {"same_actor": [], "claims": [], "conflicts": []}
    for path in sorted(gold_dir.glob("corpus-*.json")):
        part = seal_gold(json.loads(path.read_text(encoding="utf-8")))
        for key in corpus:
            corpus[key] += part.get(key, [])
    for row in rows:
        text = texts / row["document"]
        row["sha256"] = sha256(text)
        gold = json.loads((gold_dir / f"{row['document']}.json").read_text(encoding="utf-8"))
        sealed = seal_gold(gold)
        (out / f"{row['document']}.json").write_text(json.dumps(sealed, indent=1, ensure_ascii=False) + "\n",
                                                     encoding="utf-8")
    (out / "corpus.json").write_text(json.dumps(corpus, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    with (DEVSET / "sources.tsv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, COLUMNS, delimiter="\t", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: r["document"]))
    load_gold([out])  # the sealed gold must load as parley eval reads it
    print(f"sealed {len(rows)} documents and the corpus gold into {out}")


def verify(texts: Path) -> int:
    with (DEVSET / "sources.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    missing = changed = 0
    for row in rows:
        path = texts / row["document"]
        if not path.is_file():
            missing += 1
            print(f"missing  {row['document']}  ({row['url']})")
        elif sha256(path) != row["sha256"]:
            changed += 1
            print(f"changed  {row['document']}: not the text the gold was made on")
    print(f"{len(rows) - missing - changed} of {len(rows)} texts match the list")
    return 1 if missing or changed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("seal", help="seal open gold into devset/").add_argument("open_dir", type=Path)
    commands.add_parser("verify", help="check texts against devset/sources.tsv").add_argument("texts", type=Path)
    args = parser.parse_args()
    if args.command == "seal":
        seal(args.open_dir)
        return 0
    return verify(args.texts)


if __name__ == "__main__":
    sys.exit(main())
