"""The committed comment detector on the simulated district's comments, seed by seed.

    python benchmarks/simulated_comments.py [--seeds 3,7,12]

Scores every public and student comment of each seed's world (with the post it was left on, and
without the "<name> " a reply to a person starts with, as the pipeline sends it) and prints one
JSON object per seed: the planted removable comments and the ones missed, the protected comments
and the harmless ones given a ground, and the students' replies given a ground, by ground, with
their texts. Every model round's keep rule reads it (the students' replies called threats, the
planted comments missed); ``tests/test_ground_truth.py`` holds the same through the pipeline.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and an editable install may map the
# packages to another checkout: measure the checkout this file is in.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
from collections import Counter
from typing import Any


def score_seed(seed: int, detector: Any) -> dict[str, Any]:
    from connectors.simulated import generate_world

    world = generate_world(seed, 1.0)
    by_id = {item.id: item for item in world.items}
    items = [item for item in world.items
             if item.author_role in ("public", "student") and "comment_ground" in item.labels]
    planted = {row["item_native_id"] for row in world.ground_truth
               if row["rule"] == "removable_comment"}

    def as_sent(item: Any) -> str:
        parent = by_id.get(item.parent_id) if item.parent_id else None
        person = parent and world.index["person"].get((item.platform, parent.author_id))
        if person and item.text.lower().startswith(person.name.lower() + " "):
            return item.text[len(person.name) + 1:]
        return item.text

    verdicts = detector.classify([
        {"id": item.id, "text": as_sent(item),
         "post": by_id[item.root_id].text if item.root_id in by_id else ""} for item in items])
    got = {item.id: v for item, v in zip(items, verdicts, strict=True)}
    public = [item for item in items if item.author_role == "public"]
    students = [item for item in items if item.author_role == "student"]
    protected = [item for item in public if item.labels.get("protected")]
    harmless = [item for item in public
                if item.id not in planted and not item.labels.get("protected")]

    def flagged(group: list[Any]) -> list[list[str]]:
        return sorted({(item.text, got[item.id].label) for item in group
                       if got[item.id].flagged})

    student_flags = [got[item.id].label for item in students if got[item.id].flagged]
    return {
        "seed": seed,
        "planted": len(planted),
        "planted_missed": sorted(by_id[i].text for i in planted if not got[i].flagged),
        "protected": len(protected),
        "protected_given_a_ground": flagged(protected),
        "harmless": len(harmless),
        "harmless_given_a_ground": sum(got[item.id].flagged for item in harmless),
        "harmless_flagged": flagged(harmless),
        "students": len(students),
        "students_given_a_ground": dict(Counter(student_flags)),
        "students_flagged": flagged(students),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="3,7,12")
    args = parser.parse_args()
    from checks.detectors import comment

    detector = comment.detector()
    seeds = [score_seed(int(s), detector) for s in args.seeds.split(",")]
    print(json.dumps({"detector_version": detector.version, "seeds": seeds}, indent=1,
                     ensure_ascii=False))


if __name__ == "__main__":
    main()
