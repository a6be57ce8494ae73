"""The typo'd copies the second fine-tuned comment classifier is also trained on
(``checks.detectors.finetune.with_typo``): deterministic, small edits, only where asked."""

from __future__ import annotations

import random

from checks.detectors.finetune import with_typo, with_typo_copies

TEXT = "If the principal cancels graduation somebody is going to regret it"


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def test_a_typo_is_a_small_edit_of_one_or_two_long_words():
    rng = random.Random(3)
    for _ in range(200):
        typo = with_typo(TEXT, rng)
        words, original = typo.split(" "), TEXT.split(" ")
        assert len(words) == len(original)
        changed = [(a, b) for a, b in zip(original, words, strict=True) if a.lower() != b.lower()]
        assert 1 <= len(changed) <= 2, typo
        for before, after in changed:
            assert len(before) >= 4 and abs(len(before) - len(after)) <= 1
            assert before[0].lower() == after[0].lower()  # the first letter is kept


def test_typos_are_deterministic_for_a_seed_and_vary_between_seeds():
    first = [with_typo(TEXT, random.Random(s)) for s in range(20)]
    assert first == [with_typo(TEXT, random.Random(s)) for s in range(20)]
    assert len(set(first)) > 10


def test_copies_are_added_for_about_the_share_asked_and_keep_their_labels():
    texts = [f"{TEXT} number {k}" for k in range(1000)]
    labels = [k % 7 for k in range(1000)]
    same_texts, same_labels = with_typo_copies(texts, labels, 0.0, random.Random(1))
    assert (same_texts, same_labels) == (texts, labels)
    out_texts, out_labels = with_typo_copies(texts, labels, 0.4, random.Random(1))
    assert out_texts[:1000] == texts and out_labels[:1000] == labels
    assert 340 <= len(out_texts) - 1000 <= 460
    for text, label in zip(out_texts[1000:], out_labels[1000:], strict=True):
        k = int(text.rsplit(" ", 1)[1])
        assert label == labels[k] and _letters(text) != _letters(texts[k])
