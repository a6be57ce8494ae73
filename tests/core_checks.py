"""Assertions that pages already stored in raw land in core.items with the right shape."""

from __future__ import annotations

import json
from typing import Any

import duckdb

from warehouse.normalize import normalize


def normalized(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    result = normalize(con)
    assert result.quarantined == 0, con.execute("SELECT reason FROM raw.quarantine").fetchall()
    return con


def assert_x_page_in_core(con: duckdb.DuckDBPyConnection, body: dict[str, Any]) -> None:
    """Every tweet of an X v2 page: one item per original (edits link to it as versions), its
    author, and one media row per attached media key the page's includes describe."""
    data = body.get("data") or []
    data = [data] if isinstance(data, dict) else data
    described = {m["media_key"] for m in (body.get("includes") or {}).get("media", [])}
    for tweet in data:
        root = (tweet.get("edit_history_tweet_ids") or [tweet["id"]])[0]
        row = con.execute("SELECT author_id, platform FROM core.items WHERE item_id = ?",
                          [f"x:{root}"]).fetchone()
        assert row is not None, f"tweet {tweet['id']} missing from core.items"
        if tweet.get("author_id"):
            assert row[0] == f"x:{tweet['author_id']}"
        linked = con.execute("SELECT count(*) FROM core.item_versions "
                             "WHERE item_id = ? AND version_id = ?",
                             [f"x:{root}", tweet["id"]]).fetchone()[0]
        assert linked == 1, f"version {tweet['id']} not linked to x:{root}"
        keys = [k for k in (tweet.get("attachments") or {}).get("media_keys", [])
                if k in described]
        if keys:
            got = {r[0] for r in con.execute("SELECT media_id FROM core.media WHERE item_id = ?",
                                             [f"x:{root}"]).fetchall()}
            assert {f"x:{k}" for k in keys} <= got


def graph_item_count(con: duckdb.DuckDBPyConnection, platform: str) -> dict[str, int]:
    return dict(con.execute("SELECT kind, count(*) FROM core.items WHERE platform = ? "
                            "GROUP BY kind", [platform]).fetchall())


def stored_bodies(con: duckdb.DuckDBPyConnection, endpoint: str) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in con.execute(
        "SELECT body::VARCHAR FROM raw.api_pages WHERE endpoint = ?", [endpoint]).fetchall()]
