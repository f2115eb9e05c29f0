"""What changed since a moment: ``parley brief --since``, the web app's What's new and its feed.

Worked out from the store as it is now and the time each document was first stored
(``documents.added_at``). The documents stored after the moment are the *new* ones; every
corpus view of the last reconcile is split into what the earlier documents said and what
the new ones add:

- **events** (timeline entries): an entry only new documents report is a new event; an
  entry earlier documents reported whose latest status now comes from a new document
  and differs is a change of status (planned -> held); a new entry of the kind and place
  (or with a participant) of an earlier planned one, at another date, whose new report
  says it was moved (the ``[moved]`` words of ``data/events.toml``), is that event's date
  moving;
- **positions** (position matrix cells): a party's stance on an issue stated first by a
  new document is a new position; a stance from a new document that differs from the
  last one the earlier documents gave is a change, shown with both sentences;
- **conflicts**: a conflict with a side from a new document (``grew`` when the earlier
  documents already disagreed among themselves); a near-copy's side is its original's;
- **corroborations**: a claim that new documents bring more independent sources than the
  earlier ones gave it (outlets count once, near-copies with their original);
- **quotations by principals**: quotations in new documents whose speaker is a named
  person who speaks for a party (a person whose affiliation is a country, bloc or
  organization: the party the position matrix credits them to); others are counted;
- **figures**: the figures of new documents.

Words quoted, and figures given (the same value, unit and subject), by an earlier document
are not new when a new one repeats them (a figure repeated by another outlet shows as a
corroboration), and a new document that is a near-copy of another one (a reprint) adds no
quotation or figure of its own.

Every item cites its sources: outlet, document, published date and the sentence, with a
``ref`` (document id and sentence start) that presenters turn into a link.

Comparing within one reconcile, rather than with a digest kept from an earlier one, means
ids that a later reconcile assigns differently (an actor whose full name a later article
gives, an event another report joins) never show as changes, the store keeps no history
that grows with every run, and a reconcile of unchanged documents changes nothing here.
A document stored before parley kept ``added_at`` counts as older than any moment.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from parley.compare import place_key, places_compatible
from parley.lexicon import Lexicon, load_lexicon
from parley.records import Actor, Document, from_dict
from parley.reconcile.claims import source_keys
from parley.reconcile.positions import party_of
from parley.present.views import Source, name_forms, speaker_label

DURATION = re.compile(r"(\d{1,7})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)", re.I)
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
KINDS = ("events", "positions", "conflicts", "corroborations", "quotes", "figures")


class SinceError(ValueError):
    """A ``--since`` value that is neither a duration, a date nor a date and time."""


def parse_since(text: str, now: datetime) -> datetime:
    """The moment ``text`` names, in UTC: a duration back from ``now`` ("90m", "24h", "7d",
    "2w"), a date ("2026-01-20": its midnight, UTC) or an ISO date and time (UTC unless it
    gives its offset)."""
    value = (text or "").strip()
    duration = DURATION.fullmatch(value)
    try:
        if duration:
            amount, unit = int(duration.group(1)), duration.group(2).lower()[0]
            return now - timedelta(**{UNITS[unit]: amount})
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(value)
    except (ValueError, OverflowError):
        moment = None
    if moment is None:
        raise SinceError(f"--since {value!r}: not a duration (90m, 24h, 7d, 2w), a date (2026-01-20) "
                         "or a date and time (2026-01-20T08:00, UTC unless an offset is given)")
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def _moment(stamp: str | None) -> datetime | None:
    if not stamp:
        return None
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment


@dataclass
class Changes:
    """What the documents stored after ``since`` added and changed, every item cited."""

    since: str  # UTC, ISO 8601
    now: str
    documents: list[dict[str, Any]] = field(default_factory=list)  # the new documents
    events: list[dict[str, Any]] = field(default_factory=list)
    positions: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    corroborations: list[dict[str, Any]] = field(default_factory=list)
    quotes: list[dict[str, Any]] = field(default_factory=list)  # by the parties' principals
    other_quotes: int = 0  # quotations in new documents by anyone else

    figures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.documents

    def items(self) -> list[dict[str, Any]]:
        """Every item, section by section (what the feed lists)."""
        return [item for kind in KINDS for item in getattr(self, kind)]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=8)
def _moved_pattern(lexicon: Lexicon) -> re.Pattern | None:
    words = [str(w).lower() for w in lexicon["events"].get("moved", {}).get("words", [])]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(r"\s+".join(map(re.escape, w.split())) for w in words) + r")\b", re.I)


class _Context:
    """What every section needs: the new documents, citations, names."""

    def __init__(self, source: Source, new: set[str]):
        self.export = source.export
        self.new = new  # sources of the new documents
        self.locate = source.locator
        self.meta = {d["source"]: d for d in self.export["documents"]}
        self.added_at = {d["source"]: source.added_at.get(d["id"]) for d in self.export["documents"]}
        self.copies = {d["source"] for d in self.export["documents"] if d.get("duplicate_of")}
        self.names = {a["id"]: a["name"] for a in self.export["actors"]}
        self.actors = {a["id"]: from_dict(Actor, a) for a in self.export["actors"]}

    def adds(self, document: str) -> bool:
        """A new document that is not a near-copy of another (a reprint adds nothing)."""
        return document in self.new and document not in self.copies

    def cite(self, document: str, evidence: str | None, start: int | None = None) -> dict[str, Any]:
        meta = self.meta.get(document) or {}
        return {"document": document, "doc": meta.get("id"), "outlet": meta.get("outlet"),
                "title": meta.get("title"), "published": meta.get("published"),
                "added_at": self.added_at.get(document),
                "evidence": " ".join((evidence or "").split()),
                "ref": self.locate.ref(document, start, evidence)}

    def name(self, actor_id: str | None) -> str:
        return self.names.get(actor_id or "", actor_id or "")

    def who(self, ids: list[str]) -> str:
        names = [self.name(i) for i in ids]
        return ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")


def _key(*parts: Any) -> str:
    """A stable name for an item (the feed's entry id): the same change gets the same key."""
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:16]


def _latest(reports: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The report with a status published last (the later in corpus order among equals)."""
    with_status = [(r.get("published") or "", n, r) for n, r in enumerate(reports) if r.get("status")]
    return max(with_status, key=lambda x: (x[0], x[1]))[2] if with_status else None


def _event_title(entry: dict[str, Any], ctx: _Context) -> str:
    where = f" in {entry['place']}" if entry.get("place") else ""
    who = f" ({ctx.who(entry['participants'])})" if entry.get("participants") else ""
    return f"{entry['kind'].capitalize()}{where}{who}"


def _date(entry: dict[str, Any]) -> str | None:
    return (entry.get("when") or {}).get("date")


def _events(ctx: _Context, lexicon: Lexicon) -> list[dict[str, Any]]:
    fresh_entries, old_only, items = [], [], []
    for entry in ctx.export.get("timeline", []):
        reports = entry.get("reports", [])
        old = [r for r in reports if r["document"] not in ctx.new]
        fresh = [r for r in reports if r["document"] in ctx.new]
        if not fresh:
            old_only.append(entry)
        elif not old:
            fresh_entries.append((entry, fresh))
        else:
            before, after = _latest(old), _latest(reports)
            if after is not None and after["document"] in ctx.new and (before or {}).get("status") != after["status"]:
                was = (before or {}).get("status") or "reported"
                items.append({
                    "kind": "event", "change": "status", "key": _key("status", entry["id"], after["status"]),
                    "title": f"{_event_title(entry, ctx)}, {_date(entry) or 'undated'}: {was} → {after['status']}",
                    "event": entry["kind"], "date": _date(entry), "place": entry.get("place"),
                    "participants": [ctx.name(p) for p in entry.get("participants", [])],
                    "before": {"status": was, "cite": ctx.cite(before["document"], before["evidence"]) if before else None},
                    "after": {"status": after["status"], "cite": ctx.cite(after["document"], after["evidence"])},
                    "cite": ctx.cite(after["document"], after["evidence"])})
    moved = _moved_pattern(lexicon)
    taken: set[str] = set()
    for entry, fresh in fresh_entries:
        report = next((r for r in fresh if moved and moved.search(r.get("evidence") or "")), None)
        earlier = _moved_from(entry, old_only, taken) if report is not None and _date(entry) else None
        if earlier is not None:
            taken.add(earlier["id"])
            first = earlier["reports"][-1]
            items.append({
                "kind": "event", "change": "moved", "key": _key("moved", earlier["id"], _date(entry)),
                "title": f"{_event_title(earlier, ctx)} moved: {_date(earlier)} → {_date(entry)}",
                "event": entry["kind"], "date": _date(entry), "place": entry.get("place") or earlier.get("place"),
                "participants": [ctx.name(p) for p in entry.get("participants", []) or earlier.get("participants", [])],
                "before": {"date": _date(earlier), "cite": ctx.cite(first["document"], first["evidence"])},
                "after": {"date": _date(entry), "cite": ctx.cite(report["document"], report["evidence"])},
                "cite": ctx.cite(report["document"], report["evidence"])})
            continue
        first = fresh[0]
        status = entry.get("status")
        items.append({
            "kind": "event", "change": "new", "key": _key("event", entry["id"]),
            "title": f"New {entry['kind']}{' in ' + entry['place'] if entry.get('place') else ''}"
                     f"{' (' + ctx.who(entry['participants']) + ')' if entry.get('participants') else ''}, "
                     f"{_date(entry) or 'undated'}{' · ' + status if status else ''}",
            "event": entry["kind"], "date": _date(entry), "place": entry.get("place"), "status": status,
            "participants": [ctx.name(p) for p in entry.get("participants", [])],
            "cite": ctx.cite(first["document"], first["evidence"])})
    return sorted(items, key=lambda i: (i["date"] is None, i["date"] or ""))


def _moved_from(entry: dict[str, Any], earlier: list[dict[str, Any]], taken: set[str]) -> dict[str, Any] | None:
    """The earlier planned event ``entry`` is that event moved to another date: of its kind,
    in its place or with a participant in common; the nearest in date."""
    found = []
    for old in earlier:
        if old["id"] in taken or old["kind"] != entry["kind"] or not _date(old) or _date(old) == _date(entry):
            continue
        if old.get("status") not in (None, "planned", "cancelled"):
            continue
        same_place = bool(place_key(old.get("place")) and place_key(entry.get("place"))
                          and places_compatible(old.get("place"), entry.get("place")))
        if same_place or set(old.get("participants", [])) & set(entry.get("participants", [])):
            gap = abs((date.fromisoformat(_date(old)[:10]) - date.fromisoformat(_date(entry)[:10])).days)
            found.append((gap, old))
    return min(found, key=lambda x: x[0])[1] if found else None


def _positions(ctx: _Context) -> list[dict[str, Any]]:
    items = []
    for cell in ctx.export.get("matrix", []):
        history = cell.get("history", [])
        old = [h for h in history if h["document"] not in ctx.new]
        if not history or history[-1]["document"] not in ctx.new:
            continue
        latest = history[-1]
        party, issue = ctx.name(cell["party"]), cell["issue"].replace("_", " ")
        common = {"kind": "position", "party": party, "party_id": cell["party"], "issue": cell["issue"],
                  "speaker": ctx.name(latest.get("actor")),
                  "cite": ctx.cite(latest["document"], latest["evidence"])}
        if not old:
            items.append(dict(common, change="new", key=_key("position", cell["party"], cell["issue"], latest["stance"]),
                              title=f"{party} on {issue}: {latest['stance'].replace('_', ' ')} (first stated)",
                              after={"stance": latest["stance"], "cite": common["cite"]}))
        elif old[-1]["stance"] != latest["stance"]:
            before = old[-1]
            items.append(dict(common, change="changed",
                              key=_key("position", cell["party"], cell["issue"], before["stance"], latest["stance"],
                                       latest["document"]),
                              title=f"{party} on {issue}: {before['stance'].replace('_', ' ')} → "
                                    f"{latest['stance'].replace('_', ' ')}",
                              before={"stance": before["stance"], "cite": ctx.cite(before["document"], before["evidence"])},
                              after={"stance": latest["stance"], "cite": common["cite"]}))
    return items


def _conflicts(ctx: _Context) -> list[dict[str, Any]]:
    items = []
    for conflict in ctx.export.get("conflicts", []):
        values = conflict.get("values", [])
        fresh = [v for v in values if ctx.adds(v["document"])]
        if not fresh:
            continue
        old_values = {" ".join(str(v.get("value")).lower().split()) for v in values if v["document"] not in ctx.new}
        grew = len(old_values) >= 2
        sides = [{"value": v.get("value"), "new": ctx.adds(v["document"]), "stage": v.get("stage"),
                  "cite": ctx.cite(v["document"], v.get("evidence"))} for v in values]
        shown = " vs ".join(dict.fromkeys(str(v.get("value")) for v in values))
        items.append({
            "kind": "conflict", "change": "grew" if grew else "new",
            "key": _key("conflict", conflict["kind"], conflict["about"], *sorted(f"{v['document']}={v.get('value')}" for v in fresh)),
            "title": f"{'New side in a conflict' if grew else 'New conflict'}: {conflict['about']} ({shown})",
            "about": conflict["about"], "conflict": conflict["kind"], "evolution": conflict.get("evolution"),
            "note": conflict.get("note"), "sides": sides,
            "cite": next(s["cite"] for s in sides if s["new"])})
    return items


def _corroborations(ctx: _Context) -> list[dict[str, Any]]:
    documents = [Document(id=d["id"], source=d["source"], text="", outlet=d.get("outlet"),
                          duplicate_of=d.get("duplicate_of")) for d in ctx.export["documents"]]
    keys = source_keys(documents)
    items = []
    for claim in ctx.export.get("claims", []):
        fresh = [d for d in claim["documents"] if d in ctx.new]
        if not fresh or claim.get("sources", 0) < 2:
            continue
        earlier = len({keys.get(d, d) for d in claim["documents"] if d not in ctx.new})
        if claim["sources"] <= earlier:
            continue
        evidence = claim.get("evidence", [])
        new_cites = [ctx.cite(e["document"], e.get("text")) for e in evidence if ctx.adds(e["document"])]
        old_cites = [ctx.cite(e["document"], e.get("text")) for e in evidence if e["document"] not in ctx.new]
        by = ", ".join(dict.fromkeys(c["outlet"] or c["document"] for c in new_cites))
        statement = " ".join(claim["statement"].split())
        items.append({
            "kind": "corroboration", "change": "corroborated" if earlier else "new",
            "key": _key("claim", claim["id"], claim["sources"]),
            "title": (f"Corroborated by {by} ({earlier} → {claim['sources']} sources): " if earlier else
                      f"Reported by {claim['sources']} sources: ") + statement,
            "statement": statement, "sources_before": earlier, "sources": claim["sources"],
            "before": old_cites, "after": new_cites, "cite": new_cites[0] if new_cites else ctx.cite(fresh[0], statement)})
    return items


def _is_principal(actor_id: str | None, ctx: _Context) -> bool:
    """A named person who speaks for a party (their affiliation is a country, bloc or organization)."""
    actor = ctx.actors.get(actor_id or "")
    return actor is not None and actor.kind == "person" and party_of(actor.id, ctx.actors) != actor.id


def _words(text: str | None) -> str:
    return " ".join((text or "").lower().split()).strip(" ,.;:")


def _fresh(records: list[dict[str, Any]], ctx: _Context, key) -> list[dict[str, Any]]:
    """Records of new documents, but not of a new near-copy, nor repeating what an earlier
    document gave (the same ``key``)."""
    earlier = {key(r) for r in records if r["document"] not in ctx.new}
    return [r for r in records if ctx.adds(r["document"]) and key(r) not in earlier]


def _quotes(ctx: _Context) -> tuple[list[dict[str, Any]], int]:
    forms = name_forms(ctx.export)
    items, others = [], 0
    for quote in _fresh(ctx.export.get("quotes", []), ctx, lambda q: _words(q["text"])):
        if not _is_principal(quote.get("speaker"), ctx):
            others += 1
            continue
        speaker = speaker_label(quote, ctx.names, forms)
        words = " ".join(quote["text"].split()).rstrip(",")  # the comma before "he said" is not the speaker's
        party = ctx.name(party_of(quote["speaker"], ctx.actors))
        items.append({"kind": "quote", "change": "new", "key": _key("quote", quote["document"], quote["start"]),
                      "title": f"{speaker} ({party}): “{words}”", "speaker": speaker, "party": party,
                      "text": words, "care": quote.get("care"),
                      "cite": ctx.cite(quote["document"], quote.get("evidence"), quote.get("start"))})
    return items, others


def _figure_key(figure: dict[str, Any]) -> tuple:
    """One figure given twice: the same value and unit about the same thing."""
    return figure.get("unit"), round(float(figure["value"]), 6), _words(figure.get("about"))


def _figures(ctx: _Context) -> list[dict[str, Any]]:
    items = []
    for figure in _fresh(ctx.export.get("figures", []), ctx, _figure_key):
        about = f" ({figure['about']})" if figure.get("about") else ""
        text, unit = figure["text"], figure.get("unit") or ""
        if unit and unit.lower() not in text.lower() and unit != "percent" and not unit.isupper():
            text = f"{text} {unit}"  # "12,000" of tonnes: "12,000 tonnes"
        items.append({"kind": "figure", "change": "new", "key": _key("figure", figure["document"], figure["start"]),
                      "title": f"{text}{about}", "text": figure["text"], "value": figure["value"],
                      "unit": figure["unit"], "about": figure.get("about"),
                      "cite": ctx.cite(figure["document"], figure.get("evidence"), figure.get("start"))})
    return items


def compute_changes(source: Source, since: datetime, now: datetime | None = None,
                    lexicon: Lexicon | None = None) -> Changes:
    """What the documents stored after ``since`` added to and changed in the corpus."""
    now = now or datetime.now(timezone.utc)
    changes = Changes(since=since.isoformat(timespec="seconds"), now=now.isoformat(timespec="seconds"))
    new = {d["source"] for d in source.export["documents"]
           if (added := _moment(source.added_at.get(d["id"]))) is not None and added > since}
    if not new:
        return changes
    ctx = _Context(source, new)
    changes.documents = [{"id": d["id"], "source": d["source"], "title": d.get("title"), "outlet": d.get("outlet"),
                          "published": d.get("published"), "added_at": ctx.added_at.get(d["source"]),
                          "duplicate_of": d.get("duplicate_of")}
                         for d in source.export["documents"] if d["source"] in new]
    changes.events = _events(ctx, lexicon or load_lexicon())
    changes.positions = _positions(ctx)
    changes.conflicts = _conflicts(ctx)
    changes.corroborations = _corroborations(ctx)
    changes.quotes, changes.other_quotes = _quotes(ctx)
    changes.figures = _figures(ctx)
    for item in changes.items():
        item["at"] = item["cite"].get("added_at") or changes.now
    return changes
