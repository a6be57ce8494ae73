"""A seeded simulated district served to tweepy and facebook-sdk through transport adapters.

    from connectors.simulated import generate_world, SimulatedPlatforms, Fault, write_workspace

    world = generate_world(seed=7, scale=1.0)          # deterministic; world.now == world.end
    sim = SimulatedPlatforms(world, faults=[Fault("rate_limit", "x", after_requests=3)],
                             photo_dir="cache/")
    client = sim.x_client()                             # tweepy.Client on api.twitter.com
    graph = sim.graph_client()                          # facebook.GraphAPI, version v25.0
    world.advance(timedelta(days=1))                    # reveal later items, apply deletions
    write_workspace(world, "demo/")                     # socialaudit.toml, registry/, simulated/

Modules: ``world`` (the generator and its model), ``text`` (post and comment text),
``images`` (the photo pool), ``x_api`` and ``graph_api`` (the handlers), ``faults``,
``platforms`` (adapters and clients), ``workspace`` (files and reloading).
"""

from connectors.simulated.faults import FAULT_KINDS, Fault
from connectors.simulated.images import PhotoPool, PhotoSpec, pool_specs
from connectors.simulated.platforms import SimulatedPlatforms
from connectors.simulated.workspace import (
    load_world_for,
    platforms_for,
    write_workspace,
)
from connectors.simulated.world import (
    DEFAULT_END,
    META_TOKEN_ENV,
    RULES,
    X_BEARER_ENV,
    Account,
    Item,
    Media,
    World,
    generate_world,
)

__all__ = [
    "DEFAULT_END",
    "FAULT_KINDS",
    "META_TOKEN_ENV",
    "RULES",
    "X_BEARER_ENV",
    "Account",
    "Fault",
    "Item",
    "Media",
    "PhotoPool",
    "PhotoSpec",
    "SimulatedPlatforms",
    "World",
    "generate_world",
    "load_world_for",
    "platforms_for",
    "pool_specs",
    "write_workspace",
]
