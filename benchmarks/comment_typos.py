"""Robustness check: does a typo turn a harmless public comment into a removal ground, or hide one?

    python benchmarks/comment_typos.py [--seeds 3,7,12] [--variants 2] [--limit N] [--draw D]

Takes the distinct harmless comments of the simulated district (every public comment that is not
a planted removable one, protected criticism included) with the post each was left on, and scores
them with the committed comment detector as written and then ``--variants`` times with typos
added the way the second fine-tuned classifier's training copies get them
(``checks.detectors.finetune.with_typo``, seeded). Prints one JSON object: per variant, the
comments given a ground, by ground, and the texts given ``threat_violence`` (a critical alert);
and under ``planted``, the same for the district's distinct planted removable comments: how many
are still given a ground, how many of its threats are still threats, and the threats missed.
``--draw`` seeds the typos (the harmless comments' with D, the planted ones' with D + 1; 0, the
default, is the draw every round up to 30 was judged on), so a round can be judged on typos
nobody has read.

The simulator's comments are not training rows and its harmless ones are not what any threshold
was chosen on, so a typo that flips one of them is the model reading spelling, not meaning.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and an editable install may map the
# packages to another checkout: measure the checkout this file is in.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import random
from collections import Counter
from typing import Any


def simulated_comments(seeds: list[int]) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """The simulated district's distinct public comment texts, in one walk over its worlds: the
    harmless ones with their post, and the planted removable ones with (ground, post)."""
    from connectors.simulated import generate_world

    harmless: dict[str, str] = {}
    planted: dict[str, tuple[str, str]] = {}
    for seed in seeds:
        world = generate_world(seed, 1.0)
        by_id = {item.id: item for item in world.items}
        removable = {row["item_native_id"] for row in world.ground_truth
                     if row["rule"] == "removable_comment"}
        for item in world.items:
            if item.author_role == "public" and "comment_ground" in item.labels:
                root = by_id.get(item.root_id) if item.root_id else None
                post = root.text if root else ""
                if item.id in removable:
                    planted.setdefault(item.text, (str(item.labels["comment_ground"]), post))
                else:
                    harmless.setdefault(item.text, post)
    return harmless, planted


def typo_draws(texts: list[str], variants: int, draw: int) -> list[list[str]]:
    """``texts`` as written, then ``variants`` typo'd copies of them, drawn with seed ``draw``."""
    from checks.detectors.finetune import with_typo

    rng = random.Random(draw)
    return [texts, *([with_typo(t, rng) for t in texts] for _ in range(variants))]


def run(seeds: list[int], variants: int, limit: int | None = None,
        draw: int = 0) -> dict[str, Any]:
    from checks.detectors import comment

    det = comment.detector()
    posts, bad = simulated_comments(seeds)
    texts = sorted(posts)[:limit]
    bad_texts = sorted(bad)[:limit]
    planted_rng = random.Random(draw + 1)
    result: dict[str, Any] = {"detector_version": det.version, "seeds": seeds, "draw": draw,
                              "comments": len(texts), "planted_comments": len(bad_texts),
                              "variants": []}
    for k, written in enumerate(typo_draws(texts, variants, draw)):
        verdicts = det.classify([{"id": str(i), "text": w, "post": posts[t]}
                                 for i, (w, t) in enumerate(zip(written, texts, strict=True))])
        grounds = Counter(v.label for v in verdicts if v.flagged)
        result["variants"].append({
            "typos": k > 0, "changed": sum(w != t for w, t in zip(written, texts, strict=True)),
            "flagged": sum(grounds.values()), "by_ground": dict(sorted(grounds.items())),
            "threats": [w for w, v in zip(written, verdicts, strict=True)
                        if v.label == "threat_violence"],
            "planted": _planted(det, bad, bad_texts, k > 0, planted_rng)})
    return result


def _planted(det: Any, bad: dict[str, tuple[str, str]], texts: list[str], typos: bool,
             rng: random.Random) -> dict[str, Any]:
    from checks.detectors.finetune import with_typo

    written = [with_typo(t, rng) for t in texts] if typos else texts
    verdicts = det.classify([{"id": str(i), "text": w, "post": bad[t][1]}
                             for i, (w, t) in enumerate(zip(written, texts, strict=True))])
    threats = [(w, v) for w, v, t in zip(written, verdicts, texts, strict=True)
               if bad[t][0] == "threat_violence"]
    return {"given_a_ground": sum(v.flagged for v in verdicts),
            "threats": len(threats),
            "threats_found": sum(v.label == "threat_violence" for _, v in threats),
            "threats_missed": [w for w, v in threats if v.label != "threat_violence"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="3,7,12", help="simulated district seeds")
    parser.add_argument("--variants", type=int, default=2, help="typo'd copies of each comment")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N comments")
    parser.add_argument("--draw", type=int, default=0, help="seed of the typos drawn (default 0)")
    args = parser.parse_args(argv)
    try:
        seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--seeds must be whole numbers separated by commas, got {args.seeds!r}")
    if not seeds or args.variants < 0 or (args.limit is not None and args.limit < 1):
        parser.error("give at least one seed, --variants 0 or more and --limit 1 or more")
    print(json.dumps(run(seeds, args.variants, args.limit, args.draw), indent=1,
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
