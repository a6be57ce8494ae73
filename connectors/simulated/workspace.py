"""Write a simulated district's workspace, and rebuild its world from the workspace later.

``write_workspace(world, out_dir)`` writes::

    socialaudit.toml                 district, warehouse, registry paths, checks (the district's
                                     contacts and Rules of Engagement address), sources,
                                     [simulated]
    registry/accounts.csv            platform,platform_id,handle,kind,school,owner,
                                     designee_admins,display_name,token_env
    registry/designees.csv           designee_id,name,email,role
    registry/consents.csv            consent_id,student_id_sha256,scope,granted_on,
                                     expires_on,revoked_on
    registry/media_consents.csv      platform,post_id,consent_id
    registry/approvals.csv           approval_id,platform,target_id,approver,approved_at,note
    registry/roster.csv              platform,student_handle_sha256,school
    simulated/ground_truth.jsonl     {rule, platform, item_native_id, account_id, detail}
    simulated/labels.jsonl           one row per post/comment/reply, media item and account

CSV files are UTF-8 with a header row; list values are separated by ``;``. Credentials are never
written: the toml names the environment variables, ``world.environment()`` has their values.

``load_world_for(config)`` regenerates the same world from ``[simulated]`` (seed, scale, end,
weeks) and sets its clock to ``now``; ``platforms_for(config)`` also builds the
``SimulatedPlatforms`` with the faults listed under ``[[simulated.faults]]``.
"""

from __future__ import annotations

import csv
import json
import os
import tomllib
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from connectors.simulated.faults import Fault
from connectors.simulated.platforms import SimulatedPlatforms
from connectors.simulated.world import (
    META_TOKEN_ENV,
    ROE_PATH,
    TIMEZONE,
    X_BEARER_ENV,
    World,
    generate_world,
)

CONFIG_NAME = "socialaudit.toml"
# Metro's BP-8007 enables every content rule the simulator plants (controversial replies too)
POLICY_PACK = "metro-technology-centers-bp-8007"
HEADERS = {
    "accounts": ("platform", "platform_id", "handle", "kind", "school", "owner",
                 "designee_admins", "display_name", "token_env"),
    "designees": ("designee_id", "name", "email", "role"),
    "consents": ("consent_id", "student_id_sha256", "scope", "granted_on", "expires_on",
                 "revoked_on"),
    "media_consents": ("platform", "post_id", "consent_id"),
    "approvals": ("approval_id", "platform", "target_id", "approver", "approved_at", "note"),
    "roster": ("platform", "student_handle_sha256", "school"),
}


def _write_csv(path: Path, header: tuple[str, ...], rows: Iterable[Iterable[Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
    os.replace(tmp, path)


def _write_jsonl(path: Path, rows: Iterable[Mapping[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".part")
    with tmp.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    os.replace(tmp, path)


def _toml_str(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def write_workspace(world: World, out_dir: str | Path, *,
                    faults: Iterable[Fault | Mapping[str, Any]] = ()) -> Path:
    """Write the workspace of ``world`` under ``out_dir``; returns the ``socialaudit.toml`` path."""
    out = Path(out_dir)
    reg = out / "registry"
    out.mkdir(parents=True, exist_ok=True)
    _write_csv(reg / "accounts.csv", HEADERS["accounts"], (
        (a.platform, a.platform_id, a.handle, a.kind, a.school, a.owner,
         ";".join(a.designee_admins), a.display_name, a.token_env)
        for a in world.accounts if a.registered))
    _write_csv(reg / "designees.csv", HEADERS["designees"], (
        (d.designee_id, d.name, d.email, d.role) for d in world.designees))
    _write_csv(reg / "consents.csv", HEADERS["consents"], (
        (c.consent_id, c.student_id_sha256, ";".join(c.scope), c.granted_on.isoformat(),
         c.expires_on.isoformat() if c.expires_on else "",
         c.revoked_on.isoformat() if c.revoked_on else "")
        for c in sorted(world.consents, key=lambda c: c.consent_id)))
    _write_csv(reg / "media_consents.csv", HEADERS["media_consents"], (
        (m.platform, m.post_id, m.consent_id) for m in world.media_consents))
    _write_csv(reg / "approvals.csv", HEADERS["approvals"], (
        (a.approval_id, a.platform, a.target_id, a.approver, a.approved_at.isoformat(), a.note)
        for a in world.approvals))
    _write_csv(reg / "roster.csv", HEADERS["roster"], world.roster)
    _write_jsonl(out / "simulated" / "ground_truth.jsonl", world.ground_truth)
    _write_jsonl(out / "simulated" / "labels.jsonl", world.label_rows())

    lines = [
        "# Workspace of a simulated district written by connectors.simulated.write_workspace.",
        "# Credentials are read from the environment variables named here (never from this file).",
        "",
        "[district]",
        f"name = {_toml_str(world.district['name'])}",
        f"timezone = {_toml_str(TIMEZONE)}",
        f"policy_pack = {_toml_str(POLICY_PACK)}",
        "",
        "[warehouse]",
        'path = "warehouse.duckdb"',
        "",
        "[registry]",
        *(f'{key} = "registry/{key}.csv"' for key in HEADERS),
        "",
        "[checks]",
        "# the district's own published phones, e-mails and addresses: never a student's",
        "public_contacts = [",
        *(f"    {_toml_str(v)}," for school in world.schools
          for v in (school.phone, school.email, school.address)),
        "]",
        "# where the district publishes its social media Rules of Engagement",
        f"rules_of_engagement_urls = [{_toml_str(world.district['url'] + ROE_PATH)}]",
        "",
        "[sources.x]",
        "enabled = true",
        f"bearer_token_env = {_toml_str(X_BEARER_ENV)}",
        # the simulated district has full-archive search, so a first capture reaches the
        # replies of every week simulated, not only the last seven days
        'search = "all"',
        "",
        "[sources.meta]",
        "enabled = true",
        f"token_env = {_toml_str(META_TOKEN_ENV)}",
        'graph_version = "v25.0"',
        "",
        "[simulated]",
        f"seed = {world.seed}",
        f"scale = {float(world.scale)!r}",
        f"weeks = {world.weeks}",
        f"end = {_toml_str(world.end.isoformat())}",
        f"now = {_toml_str(world.now.isoformat())}",
        'ground_truth = "simulated/ground_truth.jsonl"',
        'labels = "simulated/labels.jsonl"',
        'photo_cache = "simulated"',
    ]
    for f in faults:
        fault = Fault.coerce(f)
        lines += ["", "[[simulated.faults]]", f"kind = {_toml_str(fault.kind)}",
                  f"host_or_platform = {_toml_str(fault.host_or_platform)}"]
        if fault.path_contains is not None:
            lines.append(f"path_contains = {_toml_str(fault.path_contains)}")
        lines.append(f"after_requests = {fault.after_requests}")
        if fault.times is not None:
            lines.append(f"times = {fault.times}")
        if fault.status is not None:
            lines.append(f"status = {fault.status}")
        lines.append(f"retry_after = {fault.retry_after}")
    config = out / CONFIG_NAME
    tmp = config.with_suffix(".toml.part")
    tmp.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(tmp, config)
    return config


def _read_simulated(config: str | Path) -> tuple[Path, dict[str, Any]]:
    path = Path(config)
    if path.is_dir():
        path = path / CONFIG_NAME
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    sim = data.get("simulated")
    if not isinstance(sim, dict) or "seed" not in sim:
        raise ValueError(f"{path}: no [simulated] section with a seed")
    return path, sim


def _when(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def load_world_for(config: str | Path) -> World:
    """The world a workspace was written from, rebuilt from its ``[simulated]`` section."""
    _, sim = _read_simulated(config)
    world = generate_world(int(sim["seed"]), float(sim.get("scale", 1.0)),
                           end=_when(sim.get("end")), weeks=int(sim.get("weeks", 13)))
    now = _when(sim.get("now"))
    if now is not None:
        world.set_now(now)
    return world


def platforms_for(config: str | Path, world: World | None = None, **kwargs: Any,
                  ) -> SimulatedPlatforms:
    """``SimulatedPlatforms`` for a workspace: its world (rebuilt unless given), its faults and
    the photo cache under ``[simulated] photo_cache`` (relative to the toml)."""
    path, sim = _read_simulated(config)
    world = world or load_world_for(path)
    faults = [Fault.coerce(f) for f in sim.get("faults", [])]
    kwargs.setdefault("photo_dir", path.parent / str(sim.get("photo_cache", "simulated")))
    return SimulatedPlatforms(world, faults, **kwargs)
