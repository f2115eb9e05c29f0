"""Merging the mentions of one event in one article, so each real event is reported once.

Each candidate (one trigger, read by ``parley.extract.events``) joins the best-fitting
event mentioned before it, or starts a new one: same kind, compatible place (one inside
the other, or a city and its country), date, status and place in a series ("the second
round" is not "the third", nor "the previous meeting" the one reported), and overlapping
participants (or none named, close by). Mentions linked in one phrase ("a round *of
talks*", "gather *for a summit*") always join. Apart stay: two line-ups of two or more
parties with at most one in common ("X phoned Y", "X met Z"), two
decision verbs (each its own act), and an event with the one it happened after. Then
events that fit each other once complete are joined, and a trip to where the article's
talks take place, or by one of their participants, is folded into those talks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from spacy.tokens import Span, Token

from parley.compare import date_range, dates_compatible, place_key, places_compatible
from parley.extract.syntax import ActorIndex
from parley.records import When


@dataclass
class Trigger:
    kind: str
    token: Token  # the head word
    text: str  # as written: "press conference"
    is_noun: bool
    segment: Span  # the sentence (or line) it is in
    quoted: bool = False  # inside quotation marks: a speaker's words


@dataclass
class Candidate:
    """One mention of an event; merged candidates keep their mentions."""

    kind: str
    trigger: Trigger
    segment_number: int
    participants: list[str]
    place: str | None
    when: When | None
    status: str | None
    format: str | None = None
    place_actor: str | None = None  # the actor a place name stands for (Brussels -> EU)
    own: frozenset[int] = frozenset()  # token indices where its participants are named
    anaphoric: bool = False  # "these talks", "the talks": refers back, cannot start an event
    sequence: str | None = None  # which of a series: "1", "2", "next", "previous"
    act: bool = False  # a verb of a kind whose verbs each report their own act ("agreed", "imposed")
    time_of: frozenset[int] = frozenset()  # what it is "after"/"before": "met X *after* the talks"
    mentions: list["Candidate"] = field(default_factory=list)

    @property
    def order(self) -> int:
        return self.trigger.token.i

    @property
    def info(self) -> int:
        return len(self.participants) + (2 if self.place else 0) + (1 if self.when else 0)

# Two reports may describe one event only if their statuses can be true of it together.
COMPATIBLE_STATUSES = {frozenset({"held", "ongoing"}), frozenset({"planned", "ongoing"}),
                       frozenset({"planned", "cancelled"})}
NEARBY_SEGMENTS = 3  # a report naming nobody joins an event mentioned this close before
ARRIVAL_DAYS = 3  # an arrival this many days before talks in the same place is part of them


def statuses_compatible(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a == b or frozenset({a, b}) in COMPATIBLE_STATUSES


def sequences_compatible(a: str | None, b: str | None) -> bool:
    """"the second round" is not "the third round", nor "the next round"; "the previous
    meeting" is not the one the article is about (which names no place in a series)."""
    if a == b:
        return True
    if a is None or b is None:
        return (a or b) != "previous"
    return "previous" in {a, b} and not {a, b} & {"next"}  # "the previous meeting", "the first round"


def _connected(a: Candidate, b: Candidate) -> bool:
    """One trigger lies in the other's phrase: "a round *of talks* with a delegation"."""
    return a.trigger.token.i in b.own or b.trigger.token.i in a.own


def _sides(participants: set[str], index: ActorIndex) -> set[str]:
    """The parties the participants stand for: a person's country, else the actor itself."""
    sides = set()
    for p in participants:
        actor = index.actors.get(p)
        sides.add(actor.affiliation if actor is not None and actor.kind == "person" and actor.affiliation else p)
    return sides


def _lineups_clash(a: Candidate, b: Candidate, index: ActorIndex) -> bool:
    """Two mentions that each name two or more parties, with at most one in common."""
    sides_a, sides_b = _sides(set(a.participants), index), _sides(set(b.participants), index)
    return len(sides_a) >= 2 and len(sides_b) >= 2 and len(sides_a & sides_b) <= 1


def _participant_score(event: Candidate, candidate: Candidate, index: ActorIndex) -> int:
    """3: a participant in common; 2: the same parties (a person and their country, or a
    place standing for one); 1: one side names nobody; 0: different participants, or a
    mention of each whose line-ups clash."""
    if not candidate.anaphoric and any(_lineups_clash(m, c, index) for m in event.mentions
                                       for c in candidate.mentions or [candidate]):
        return 0  # "X phoned Y", "X met Z"; a Chile-Peru-Norway meeting and Peru-Bolivia talks
    pa, pb = set(event.participants), set(candidate.participants)
    if pa and pb:
        if pa & pb:
            return 3
        if pa <= index.parties_of(pb) or pb <= index.parties_of(pa):
            return 2
        return 0
    named, bare = (event, candidate) if pa else (candidate, event)
    if bare.place_actor and bare.place_actor in index.parties_of(named.participants):
        return 2  # "the summit in Brussels" and the European Council's session
    return 1


def _places_fit(a: Candidate, b: Candidate) -> bool:
    """One place inside the other, or both standing for one country ("in Lima", "in Peru")."""
    return places_compatible(a.place, b.place) or (a.place_actor is not None and a.place_actor == b.place_actor)


def _merge_score(event: Candidate, candidate: Candidate, index: ActorIndex) -> int:
    """How well a candidate fits an event found before it (0: not the same event)."""
    if event.kind != candidate.kind or not _places_fit(event, candidate):
        return 0
    connected = any(_connected(m, candidate) for m in event.mentions)
    if not connected and not dates_compatible(event.when, candidate.when):
        return 0  # (connected: "gather on Thursday and Friday for a summit" split into two dates)
    if not connected and not statuses_compatible(event.status, candidate.status):
        return 0
    if candidate.act and any(m.act for m in event.mentions):
        return 0  # "the EU agreed a loan" and "the EU imposed sanctions": two decisions
    if any(m.trigger.token.i in candidate.time_of or candidate.trigger.token.i in m.time_of for m in event.mentions):
        return 0  # "will meet Y after the talks": one event before the other
    if not connected and not all(sequences_compatible(m.sequence, candidate.sequence) for m in event.mentions):
        return 0
    participants = _participant_score(event, candidate, index)
    if participants == 0 and not connected:
        return 0
    same_place = bool(event.place and candidate.place)
    if participants == 1 and not connected and not same_place and not candidate.anaphoric:
        distance = min(candidate.segment_number - m.segment_number for m in event.mentions)
        if distance > NEARBY_SEGMENTS:
            return 0
    return participants + (2 if same_place else 0) + (3 if connected else 0)


def _absorb(event: Candidate, candidate: Candidate) -> None:
    event.mentions.append(candidate)
    event.participants += [p for p in candidate.participants if p not in event.participants]
    if event.place is None or _more_precise(candidate.place, event.place):
        event.place, event.place_actor = candidate.place, candidate.place_actor
    if candidate.when and (event.when is None or (candidate.when.date and not event.when.date)):
        event.when = candidate.when
    if candidate.status == "cancelled":
        event.status = "cancelled"
    elif event.status is None:
        event.status = candidate.status
    event.format = event.format or candidate.format


def _more_precise(place: str | None, than: str) -> bool:
    """"Lima's Torre Palace" says more than "Lima"."""
    key, other = place_key(place), place_key(than)
    return bool(key and other and key != other and f" {other} " in f" {key} ")


def _best_match(events: list[Candidate], candidate: Candidate, index: ActorIndex) -> Candidate | None:
    """The event before the candidate it fits best (ties go to the most recent one)."""
    best, best_score = None, 0
    for event in reversed(events):
        score = _merge_score(event, candidate, index)
        if score > best_score:
            best, best_score = event, score
    return best


def merge_candidates(candidates: list[Candidate], index: ActorIndex) -> list[Candidate]:
    """One event per real event. Each candidate joins the best-fitting event before it or
    starts a new one ("these talks" only joins); then events that fit each other once
    complete are joined ("talks with Putin" and, later, "US-Russia talks")."""
    events: list[Candidate] = []
    for candidate in sorted(candidates, key=lambda c: c.order):
        best = _best_match(events, candidate, index)
        if best is not None:
            _absorb(best, candidate)
        elif not candidate.anaphoric:
            candidate.mentions = [candidate]
            candidate.participants = list(candidate.participants)
            events.append(candidate)
    joined: list[Candidate] = []
    for event in events:
        best = _best_match(joined, event, index)
        if best is None:
            joined.append(event)
            continue
        mentions = event.mentions
        _absorb(best, event)
        best.mentions[-1:] = mentions
    return _fold_visits_into_meetings(joined)


def _arrives_for(visit: Candidate, meeting: Candidate) -> bool:
    """The visit's dates fit the meeting's, or it ends at most a few days before it."""
    if dates_compatible(meeting.when, visit.when):
        return True
    visit_last, meeting_first = date_range(visit.when)[1], date_range(meeting.when)[0]
    gap = date.fromisoformat(meeting_first) - date.fromisoformat(visit_last[:10])
    return timedelta(0) <= gap <= timedelta(days=ARRIVAL_DAYS)


def _fold_visits_into_meetings(events: list[Candidate]) -> list[Candidate]:
    """A trip to where the document's talks take place is part of those talks; so is a trip
    by one of the participants of talks placed nowhere else ("X will fly to Lima on
    Friday", "X will meet Y"), which then gives the talks their place."""
    meetings = [e for e in events if e.kind == "meeting"]
    placed = [m for m in meetings if m.place]
    kept = []
    for e in events:
        host = None
        if e.kind == "visit" and e.place:  # "a visit to Peru" for talks in Lima
            host = next((m for m in placed if _places_fit(e, m) and _arrives_for(e, m)), None) or next(
                (m for m in meetings if not m.place and _shares_participant(e, m) and _arrives_for(e, m)
                 and statuses_compatible(e.status, m.status)), None)
        elif e.kind == "visit" and e.participants:  # "confirmed his arrival": for the talks he is at
            host = next((m for m in placed if _shares_participant(e, m) and _arrives_for(e, m)), None)
        if host is None:
            kept.append(e)
            continue
        host.participants += [p for p in e.participants if p not in host.participants]
        if host.place is None:
            host.place, host.place_actor = e.place, e.place_actor
    return kept


def _shares_participant(a: Candidate, b: Candidate) -> bool:
    return bool(set(a.participants) & set(b.participants))
