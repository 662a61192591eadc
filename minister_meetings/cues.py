"""Lexical cues of a meeting, shared by the relation model's pair features and the fact rules.

A word such as "reçu", "entretenu" or "audience" between two people is the strongest sign that
they met, and it does not depend on a writer's style: on real pages the words between the pair
grow long (a weekday, "au siège du ministère", a full official title), which dilutes a pooled
representation but not the presence of the cue. One definition, read by `relation_extractor`
(per token) and by `meeting_facts` (per sentence).
"""
from __future__ import annotations

import re
from functools import lru_cache

MEETING = re.compile(
    r"\b(?:re[çc]u|re[çc]ue|re[çc]us|re[çc]oit|recevra|recevant|entretenu|entretenue|entretenus|entretien|entretiens|rencontr\w*|r[ée]uni\w*|"
    r"t[êe]te-[àa]-t[êe]te|audience|audiences|[ée]chang\w*|discut\w*|pourparlers|accueilli\w*|accueill\w*|visioconf[ée]rence|"
    r"t[ée]l[ée]phon\w*|s[ée]ance de travail|consultations|concert\w*|fait le point|pass[ée] en revue|examin[ée]|"
    r"face-[àa]-face|d[ée]jeuner de travail|d[îi]ner de travail|conf[ée]r[ée]|vus?|entrevue|bilat[ée]ral\w*)\b",
    re.IGNORECASE,
)


@lru_cache(maxsize=65536)
def is_meeting_word(text: str) -> bool:
    """Whether one token is a meeting cue (the one-word forms of MEETING)."""
    return MEETING.fullmatch(text) is not None


__all__ = ["MEETING", "is_meeting_word"]
