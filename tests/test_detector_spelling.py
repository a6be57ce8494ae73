"""The spelling-corrected reading the comment detector gives a threat only its classifier found.

Which words are corrected (three or more letters, unknown to the English list and to the
training rows; never @mentions, #tags, web addresses or e-mail addresses), that case is kept,
that the training rows' own words stay as written, and that the digest follows the files.
The detector's use of it is tested in ``test_detector_comment.py``.
"""

from __future__ import annotations

import json

import pytest

from checks.detectors import spelling


@pytest.fixture(scope="module")
def speller():
    return spelling.Speller()


@pytest.mark.parametrize("text, corrected", [
    ("these kiids are going places", "these kids are going places"),
    ("see you at the board meetlng", "see you at the board meeting"),
    ("SEE YOU AT THE MEETLNG", "SEE YOU AT THE MEETING"),
    ("Schoon board vote", "School board vote"),
    ("the cuts neevr touch central office", "the cuts never touch central office"),
])
def test_misspelled_words_are_corrected_and_keep_their_case(speller, text, corrected):
    assert speller.correct(text) == corrected


@pytest.mark.parametrize("text", [
    "@kiids great job",            # a mention
    "#kiids rock",                 # a hashtag
    "see https://kiids.example/meetlng",  # a web address
    "write to kiids@district.example",   # an e-mail address
    "buy at kiids.com today",      # a domain
    "u r gr8 k1ll",                # short words, digits
    "Thank you to the teachers",   # nothing misspelled
])
def test_mentions_addresses_short_words_and_correct_text_stay(speller, text):
    assert speller.correct(text) == text
    assert speller.corrections(text) == []


def test_corrections_list_each_changed_word(speller):
    assert speller.corrections("clal the borad members") == [("clal", "call"), ("borad", "board")]


def test_equally_frequent_corrections_are_chosen_the_same_way_in_every_process():
    # "deka" has several corrections of the same frequency; pyspellchecker's own choice among
    # them follows the string-hash seed, so it differed from one process to the next
    import subprocess
    import sys

    code = ("from checks.detectors.spelling import Speller; "
            "print(Speller().correct('deka gijos widis gevis'))")
    seen = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)},
                           check=True, timeout=60).stdout.strip() for seed in range(6)}
    assert seen == {"dena gijon midis levis"}


def test_the_training_rows_own_words_are_known(tmp_path):
    rows = tmp_path / "rows.jsonl"
    rows.write_text(json.dumps({"id": "a", "text": "hmu for tix, Kiids"}) + "\n\n"
                    + json.dumps({"id": "b", "text": "gr8 day"}) + "\n")
    words = spelling.training_words([rows])
    assert words == ["day", "for", "hmu", "kiids", "tix"]  # "gr8" is no word
    plain, trained = spelling.Speller(), spelling.Speller(words)
    assert plain.correct("hmu kiids") != "hmu kiids"
    assert trained.correct("hmu kiids") == "hmu kiids"


def test_the_digest_follows_the_training_files(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text('{"text": "one"}\n')
    b.write_text('{"text": "two"}\n')
    assert spelling.digest([a]) == spelling.digest([a])
    assert len({spelling.digest([a]), spelling.digest([b]), spelling.digest([a, b])}) == 3
