"""Benchmark: capture and normalize a simulated district, against DuckDB's own read_json floor.

    python benchmarks/ingest_normalize.py --scale 100 [--seed 7] [--keep DIR]

Runs the real connectors (tweepy, facebook-sdk) against the simulated platforms, then the SQL
normalizer, and reports items per second, peak memory, and the time DuckDB's ``read_json`` takes
to load the same pages from NDJSON and unnest their ``data`` (the floor normalization is compared
with). Prints one JSON object at the end.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as a script, this file's folder comes first on sys.path and an editable install may map the
# packages to another checkout: measure the checkout this file is in.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import argparse
import json
import resource
import shutil
import tempfile
import time

import duckdb

from connectors.simulated import SimulatedPlatforms, generate_world, write_workspace
from pipelines import stages
from pipelines.config import load_config
from pipelines.platforms import simulated_access
from warehouse import db


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def read_json_floor(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, float]:
    """Export the item pages' bodies as NDJSON, then time read_json loading them and unnesting
    ``data`` (account profile pages, whose ``data`` is an object or absent, are left out)."""
    ndjson = folder / "pages.ndjson"
    item_pages = "SELECT body FROM raw.api_pages WHERE json_type(body, '$.data') = 'ARRAY'"
    con.execute(f"COPY ({item_pages}) TO '{ndjson}' "  # noqa: S608
                "(FORMAT csv, HEADER false, QUOTE '', ESCAPE '', DELIMITER '\x01')")
    floor = duckdb.connect()
    started = time.perf_counter()
    floor.execute(f"""CREATE TABLE pages AS SELECT * FROM read_json('{ndjson}',
                      format='newline_delimited', union_by_name=true,
                      maximum_object_size=67108864)""")  # noqa: S608
    loaded = time.perf_counter() - started
    rows = floor.execute("CREATE TABLE items AS SELECT unnest(data) AS item FROM pages "
                         "WHERE data IS NOT NULL").fetchone()
    total = time.perf_counter() - started
    count = floor.execute("SELECT count(*) FROM items").fetchone()[0]
    del rows
    return {"read_json_load_s": round(loaded, 3), "read_json_load_unnest_s": round(total, 3),
            "read_json_rows": count, "ndjson_mib": round(ndjson.stat().st_size / 2**20, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="leave the workspace here")
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="sa-bench-"))
    out: dict[str, object] = {"scale": args.scale, "seed": args.seed}

    t0 = time.perf_counter()
    world = generate_world(seed=args.seed, scale=args.scale)
    out["generate_s"] = round(time.perf_counter() - t0, 2)
    config = load_config(write_workspace(world, folder / "ws"))
    sim = SimulatedPlatforms(world, photo_dir=folder / "photos")
    access = simulated_access(sim)
    con = db.connect(config.warehouse_path)
    stages.stage_registry(config, con)

    t0 = time.perf_counter()
    report = stages.stage_ingest(config, con, access, "bench")
    ingest = time.perf_counter() - t0
    out["ingest_s"] = round(ingest, 2)
    out["requests"] = len(sim.requests)
    out["pages"] = con.execute("SELECT count(*) FROM raw.api_pages").fetchone()[0]
    out["raw_mib"] = round(con.execute(
        "SELECT sum(strlen(body::VARCHAR)) FROM raw.api_pages").fetchone()[0] / 2**20, 1)
    out["failed_accounts"] = len(report.failed)

    t0 = time.perf_counter()
    result = stages.stage_normalize(con)
    normalize = time.perf_counter() - t0
    items = con.execute("SELECT count(*) FROM core.items").fetchone()[0]
    out.update({
        "normalize_s": round(normalize, 2),
        "items": items,
        "item_rows_staged": result.items_staged,
        "media": con.execute("SELECT count(*) FROM core.media").fetchone()[0],
        "ingest_items_per_s": round(items / ingest),
        "normalize_items_per_s": round(items / normalize),
        "ingest_plus_normalize_items_per_s": round(items / (ingest + normalize)),
    })
    t0 = time.perf_counter()
    media = stages.stage_media(config, con, access)
    out["media_fetch_s"] = round(time.perf_counter() - t0, 2)
    out["media_fetched"] = media.fetched
    out["peak_rss_mib"] = round(peak_rss_mib())
    out.update(read_json_floor(con, folder))
    out["normalize_vs_read_json"] = round(normalize / out["read_json_load_unnest_s"], 2)
    con.close()
    print(json.dumps(out, indent=2))
    if args.keep is None:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
