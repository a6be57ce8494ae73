"""A spelling-corrected reading of a text, for the detectors a typo can mislead.

- ``comment``: the classifiers learned from short threats that are misspelled on purpose ("i kno
  where u live"), so an ordinary typo can read as menace: ``benchmarks/comment_typos.py`` measured
  harmless comments turned into threats by one typo. The comment detector therefore reads a
  threat that only its classifier found (no threat pattern) a second time with the misspelled
  words corrected, and keeps the threat only if that reading is still one.
- ``teacher-content``: a typo hides a cue word ("VBS registration at our chhurch"), so its cue
  groups are matched on the text as written and on its corrected reading.

A word is corrected when it has three or more letters, is not an @mention, #tag, e-mail or part of
a web address, and is known neither to pyspellchecker's English frequency list nor to the
detector's training rows (so the slang and the deliberate misspellings the detector learned from
stay as written, and no training text is changed). The correction is pyspellchecker's most
frequent word at edit distance 1 (of equally frequent ones the first in alphabetical order, so a
text is corrected the same way in every process); a word with none stays. Case is kept
(``MEETLNG`` -> ``MEETING``, ``Schoon`` -> ``School``).
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

#: a word of letters (with one inner apostrophe), not after @, #, / or a letter, digit or dot,
#: and not followed by @, a letter or digit, a dot and a letter (a domain, an e-mail) or :/ (a
#: web address's scheme)
WORD = re.compile(r"(?<![@#/\w.'])[A-Za-z]+(?:'[A-Za-z]+)?(?![\w@'])(?!\.\w)(?!:/)")
MIN_LETTERS = 3
DISTANCE = 1


class Speller:
    """Corrects misspelled words against an English list and the training rows' own words."""

    def __init__(self, known: Sequence[str] = ()) -> None:
        from spellchecker import SpellChecker

        self._checker = SpellChecker(distance=DISTANCE)
        self._checker.word_frequency.load_words([w.lower() for w in known])
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def _word(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < MIN_LETTERS:
            return word
        with self._lock:
            if lower not in self._memo:
                self._memo[lower] = None if lower in self._checker else self._best(lower)
            fixed = self._memo[lower]
        if fixed is None:
            return word
        if word.isupper():
            return fixed.upper()
        if word[0].isupper():
            return fixed[0].upper() + fixed[1:]
        return fixed

    def _best(self, lower: str) -> str | None:
        # pyspellchecker's own correction() breaks ties in set order, which follows the
        # process's string-hash seed: the same comment could be corrected differently per run
        found = self._checker.candidates(lower) or set()
        freq = self._checker.word_usage_frequency
        best = max(sorted(found), key=freq, default=None)  # the first of equals in sorted order
        return best if best and best != lower else None

    def corrections(self, text: str) -> list[tuple[str, str]]:
        """(as written, corrected) for each word of ``text`` that would be corrected."""
        found = []
        for m in WORD.finditer(text):
            fixed = self._word(m.group(0))
            if fixed != m.group(0):
                found.append((m.group(0), fixed))
        return found

    def correct(self, text: str) -> str:
        """``text`` with its misspelled words corrected (unchanged when there are none)."""
        return WORD.sub(lambda m: self._word(m.group(0)), text)


def training_words(paths: Sequence[Path]) -> list[str]:
    """Every word of the ``text`` of the JSON lines in ``paths``."""
    import json

    words: set[str] = set()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    row: dict[str, Any] = json.loads(line)
                    words.update(w.lower() for w in WORD.findall(str(row.get("text", ""))))
    return sorted(words)


def digest(paths: Sequence[Path]) -> str:
    """What decides the corrections: pyspellchecker's version, the distance, the training files."""
    from importlib.metadata import version

    from checks.datasets import joined_sha256

    key = f"pyspellchecker {version('pyspellchecker')} d{DISTANCE} {joined_sha256(paths)}"
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@cache
def for_detector(name: str) -> Speller:
    """The speller of detector ``name``: English and the words of its training files."""
    from checks import datasets

    return Speller(training_words(datasets.training_paths(name)))


def version_tag(name: str) -> str:
    """``.s`` and 6 hex of the digest of ``name``'s speller, for the detector's version."""
    from checks import datasets

    return f".s{digest(datasets.training_paths(name))[:6]}"
