"""Events across documents: the same meeting reported by several outlets becomes one event.

Ten outlets report Laftit receiving Grande-Marlaska; each writes the names, the date ("mardi",
"le 25 novembre", "hier") and the place its own way, and `extract` gives one meeting row per
sentence. An event is the set of meeting rows that have
- the same participants, person keys compared with the rule that joins spellings inside one
  document (`facts.same_person_key`: one edit apart, or one part of a hyphenated surname),
- dates within `window` days of each other (the resolved range of the DATE mention, else the
  article date; a row with neither joins only rows of its own document),
- compatible places: two places stated in the meeting sentences must name the same place (a
  dateline place is the outlet's, not the meeting's, so it never splits an event).
Each event keeps all its sources and sentences, the union of the participants' roles, the summit
most rows name, and a confidence (see `confidence`).
"""
from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from .facts import same_person_key
from .schema import strip_accents

DEFAULT_WINDOW_DAYS = 2


def canonical_people(keys: Iterable[str]) -> Dict[str, str]:
    """Map every person key to the spelling that stands for it: the most frequent of its near duplicates.

    Candidates are looked up by first letter and by last three letters, so that a million keys
    are not compared pairwise; a typo changes at most one of the two.
    """
    counts = Counter(keys)
    canonical: Dict[str, str] = {}
    by_first: Dict[str, List[str]] = defaultdict(list)
    by_last: Dict[str, List[str]] = defaultdict(list)
    for key, _count in sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0])):
        candidates = by_first[key[:1]] + by_last[key[-3:]]
        # "marlaska" meets "grande-marlaska" through the hyphenated part's last letters
        found = next((other for other in candidates if same_person_key(other, key)), None)
        if found is None:
            canonical[key] = key
            by_first[key[:1]].append(key)
            by_last[key[-3:]].append(key)
        else:
            canonical[key] = found
    return canonical


def _place_key(place: str) -> str:
    return " ".join(strip_accents(place).lower().replace("-", " ").split())


def _day(value: Optional[str]) -> Optional[date]:
    return date.fromisoformat(value) if value else None


def day_range(row: dict) -> Optional[Tuple[date, date]]:
    """The days a meeting row may be on: its resolved DATE mention, else its article's date."""
    start, end = _day(row.get("date_start")), _day(row.get("date_end"))
    if start is not None:
        return start, end or start
    article = _day(row.get("article_date"))
    return (article, article) if article is not None else None


def _gap(a: Tuple[date, date], b: Tuple[date, date]) -> int:
    """Days between two ranges (0 when they overlap)."""
    return max((b[0] - a[1]).days, (a[0] - b[1]).days, 0)


@dataclass
class _Event:
    people: Tuple[str, ...]
    rows: List[dict] = field(default_factory=list)
    ranges: List[Tuple[date, date]] = field(default_factory=list)
    places: set = field(default_factory=set)  # places stated in the sentences
    sources: set = field(default_factory=set)

    def accepts(self, row: dict, days: Optional[Tuple[date, date]], place: Optional[str], window: int) -> Optional[int]:
        """How far (in days) `row` is from this event, or None if it cannot belong to it."""
        if place and self.places and not any(place in other or other in place for other in self.places):
            return None
        if days is not None and self.ranges:
            gap = min(_gap(days, other) for other in self.ranges)
            return gap if gap <= window else None
        return 0 if row["source"] in self.sources else None  # undated: the same meeting told twice in one article

    def add(self, row: dict, days: Optional[Tuple[date, date]], place: Optional[str]) -> None:
        self.rows.append(row)
        self.sources.add(row["source"])
        if days is not None:
            self.ranges.append(days)
        if place:
            self.places.add(place)


def confidence(rows: Sequence[dict], ranges: Sequence[Tuple[date, date]]) -> float:
    """How sure we are the event happened as stated.

    Independent reports add up: 1 - the product over documents of (1 - the best meeting score
    in that document). It is then scaled by how well the dates agree: 1 when every dated row
    gives the same range, 0.85 when they differ within the window, 0.7 when no row is dated.
    """
    best: Dict[str, float] = {}
    for row in rows:
        best[row["source"]] = max(best.get(row["source"], 0.0), float(row["score"]))
    doubt = 1.0
    for score in best.values():
        doubt *= 1.0 - min(max(score, 0.0), 1.0)
    agreement = 0.7 if not ranges else 1.0 if len(set(ranges)) == 1 else 0.85
    return round((1.0 - doubt) * agreement, 3)


def _most_common(values: Iterable[Optional[str]]) -> Optional[str]:
    counts = Counter(value for value in values if value)
    return min(counts, key=lambda value: (-counts[value], value)) if counts else None


def meeting_id(row: dict) -> str:
    return f"{row['source']}#{row['meeting']}"


def merge_meetings(rows: Sequence[dict], window: int = DEFAULT_WINDOW_DAYS) -> Tuple[List[dict], List[dict], List[dict]]:
    """Group meeting rows into events: (events, mentions, people) rows.

    `mentions` has one row per participant of each meeting (with its event); `people` one row
    per person, named by the spelling most often written in full.
    """
    canonical = canonical_people(p["key"] for row in rows for p in row["participants"])
    ordered = sorted(rows, key=lambda row: (day_range(row) or (date.max, date.max), row["source"], row["meeting"]))
    events: List[_Event] = []
    by_people: Dict[Tuple[str, ...], List[_Event]] = defaultdict(list)
    for row in ordered:
        people = tuple(sorted({canonical[p["key"]] for p in row["participants"]}))
        days = day_range(row)
        place = _place_key(row["place"]) if row.get("place") and row.get("place_in_sentence") else None
        scored = [(gap, index) for index, event in enumerate(by_people[people])
                  if (gap := event.accepts(row, days, place, window)) is not None]
        if scored:
            event = by_people[people][min(scored)[1]]
        else:
            event = _Event(people)
            events.append(event)
            by_people[people].append(event)
        event.add(row, days, place)
    return _event_rows(events, canonical)


def _event_rows(events: List[_Event], canonical: Dict[str, str]) -> Tuple[List[dict], List[dict], List[dict]]:
    names: Dict[str, Counter] = defaultdict(Counter)
    labels: Dict[str, set] = defaultdict(set)
    for event in events:
        for row in event.rows:
            for participant in row["participants"]:
                key = canonical[participant["key"]]
                names[key][participant["name"]] += 1
                labels[key].add(participant["label"])
    # the fullest spelling most often written: "Abdelouafi Laftit" rather than "M. Laftit"
    display = {key: min(counter, key=lambda name: (-len(name.split()), -counter[name], name)) for key, counter in names.items()}
    label_of = {key: "MINISTER" if "MINISTER" in found else "PERSON" for key, found in labels.items()}

    event_rows: List[dict] = []
    ids: Dict[int, str] = {}
    for event in events:
        dated = Counter(event.ranges)
        first = min(dated, key=lambda item: (-dated[item], item)) if dated else None
        roles: Dict[str, List[str]] = defaultdict(list)
        for row in event.rows:
            for participant in row["participants"]:
                key = canonical[participant["key"]]
                roles[key].extend(role for role in participant["roles"] if role not in roles[key])
        identity = "|".join(event.people) + "|" + (first[0].isoformat() if first else min(event.sources))
        event_id = hashlib.sha1(identity.encode("utf8")).hexdigest()[:12]
        ids[id(event)] = event_id
        event_rows.append({
            "event_id": event_id,
            "participants": [{"key": key, "name": display[key], "label": label_of[key], "roles": roles[key]} for key in event.people],
            "date_start": first[0].isoformat() if first else None,
            "date_end": first[1].isoformat() if first else None,
            "date_mentions": sorted({row["date"] for row in event.rows if row.get("date")}),
            "place": _most_common(row["place"] for row in event.rows if row.get("place_in_sentence")) or _most_common(row.get("place") for row in event.rows),
            "summit": _most_common(row.get("summit") for row in event.rows),
            "documents": sorted(event.sources),
            "n_documents": len(event.sources),
            "meetings": [meeting_id(row) for row in event.rows],
            "sentences": list(dict.fromkeys(row["sentence"] for row in event.rows)),
            "confidence": confidence(event.rows, event.ranges),
        })
    event_rows.sort(key=lambda row: (row["date_start"] or "9999", row["event_id"]))

    mentions: List[dict] = []
    for event in events:
        for row in event.rows:
            for participant in row["participants"]:
                mentions.append({
                    "meeting_id": meeting_id(row), "event_id": ids[id(event)], "source": row["source"],
                    "person": canonical[participant["key"]], "name": participant["name"], "label": participant["label"],
                    "roles": list(participant["roles"]),
                })
    mentions.sort(key=lambda row: (row["meeting_id"], row["person"]))

    people_events: Dict[str, set] = defaultdict(set)
    people_meetings: Counter = Counter()
    for mention in mentions:
        people_events[mention["person"]].add(mention["event_id"])
        people_meetings[mention["person"]] += 1
    people_roles: Dict[str, List[str]] = defaultdict(list)
    for row in event_rows:
        for participant in row["participants"]:
            people_roles[participant["key"]].extend(role for role in participant["roles"] if role not in people_roles[participant["key"]])
    people = [{"person": key, "name": display[key], "label": label_of[key], "roles": people_roles[key],
               "meetings": people_meetings[key], "events": len(people_events[key])} for key in sorted(display)]
    return event_rows, mentions, people
