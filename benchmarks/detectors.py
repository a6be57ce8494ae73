"""Benchmark: load time and throughput of each detector on its evaluation inputs.

    python benchmarks/detectors.py [--repeat 3] [--only comment,faces]

Text detectors read ``checks/data/<name>.eval.jsonl`` (classified ``--repeat`` times, one call
each: repeats inside one call would be encoded once, as the encoder encodes each distinct text
of a call once; and the encoder forgets the texts it encoded before each call, so every call
encodes its texts as the first detector of a run would); the
face detector reads the images listed by ``checks/data/faces`` (built if needed). Prints one JSON
object: per detector, load seconds and items (or images) per second, batched, on this machine;
and under ``machine`` what two runs need to be compared: the cores, the detectors' threads, the
load average before and after, and the seconds of a fixed single-core reference loop run first
(a slower or busier machine shows there, not only in the detectors' numbers).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and an editable install may map the
# packages to another checkout: measure the checkout this file is in.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import os
import time
from importlib import import_module

from checks.detectors.embedding import encoder
from checks.signals import DETECTOR_MODULES

DATA = Path(__file__).resolve().parents[1] / "checks" / "data"


def text_inputs(name: str) -> list[dict]:
    rows = [json.loads(line) for line in (DATA / f"{name}.eval.jsonl").read_text().splitlines()]
    if name == "controversy":
        return [{"id": r["id"], "post": r["post"], "comments": r["comments"]} for r in rows]
    return [{"id": r["id"], "text": r["text"], **({"post": r["post"]} if "post" in r else {})}
            for r in rows]


def face_inputs() -> list[dict]:
    from checks.data.faces import build_eval  # type: ignore[import-not-found]

    return [{"id": str(i), "path": str(p)} for i, p in enumerate(build_eval.eval_image_paths())]


def reference_loop_seconds() -> float:
    """Seconds of a fixed pure-Python loop: the speed one core gives right now."""
    started = time.perf_counter()
    total = 0
    for i in range(10_000_000):
        total += i % 7
    return round(time.perf_counter() - started, 3)


def machine() -> dict[str, object]:
    """The machine as the run starts: cores, the detectors' threads, load, one core's speed."""
    from checks.detectors.threads import available_cores, detector_threads

    return {"cores": available_cores(), "detector_threads": detector_threads(),
            "load_1m_before": round(os.getloadavg()[0], 2),
            "reference_loop_s": reference_loop_seconds()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default=",".join(DETECTOR_MODULES))
    args = parser.parse_args()
    state = machine()
    out: dict[str, object] = {"machine": state}
    for name in args.only.split(","):
        started = time.perf_counter()
        detector = import_module(DETECTOR_MODULES[name]).detector()
        inputs = face_inputs() if name == "faces" else text_inputs(name)
        detector.classify(inputs[:4])  # first call loads models
        load = time.perf_counter() - started
        seconds = 0.0
        for _ in range(args.repeat):
            if name != "faces":
                encoder().forget()
            started = time.perf_counter()
            detector.classify(inputs)
            seconds += time.perf_counter() - started
        items = len(inputs) * args.repeat
        out[name] = {"load_s": round(load, 2), "items": items,
                     "items_per_s": round(items / seconds, 1)}
    state["load_1m_after"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
