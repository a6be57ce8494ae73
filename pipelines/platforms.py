"""How the pipeline reaches the platforms: live, or the simulated district of a demo workspace.

Either way the same connectors and the same clients run: a simulated workspace only mounts the
simulator's transport adapters on the clients' sessions, supplies its world's tokens when the
environment has none, and runs the connectors on the world's clock (so reply windows, rate-limit
resets and waits are measured in simulated time and a long wait never sleeps for real).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import requests
from requests.adapters import BaseAdapter

from connectors.base import utcnow
from pipelines.config import Config

PLATFORMS = ("x", "facebook", "instagram")


@dataclass
class PlatformAccess:
    """Factories for the platform clients, plus the clock the connectors use."""

    x_adapter: BaseAdapter | None = None
    graph_adapter: BaseAdapter | None = None
    media_mount: Callable[[requests.Session], requests.Session] | None = None
    sleep: Callable[[float], None] = time.sleep
    now: Callable[[], datetime] = utcnow
    token_fallback: dict[str, str] = field(default_factory=dict)
    simulation: Any = None  # the SimulatedPlatforms behind a demo workspace, for tests
    #: called with the warehouse's last capture time before a capture: a simulated clock must
    #: never run behind what was already captured (each process starts the world at its "now")
    catch_up: Callable[[datetime], None] = lambda last: None

    def x_client(self, token: str) -> Any:
        from connectors.x import make_x_client

        return make_x_client(token, self.x_adapter)

    def graph_client(self, token: str, version: str) -> tuple[Any, Any]:
        from connectors.graph import make_graph_client

        return make_graph_client(token, version=version, adapter=self.graph_adapter)

    def media_sessions(self) -> dict[str, requests.Session]:
        session = requests.Session()
        session.headers["User-Agent"] = "socialaudit media fetcher"
        if self.media_mount is not None:
            session = self.media_mount(session)
        return dict.fromkeys(PLATFORMS, session)


_simulations: dict[tuple[Any, ...], Any] = {}
_lock = threading.Lock()


def _simulation_for(config: Config) -> Any:
    """The simulated platforms of a demo workspace, built once per process (worlds are big)."""
    from connectors.simulated import platforms_for

    sim = config.simulated
    # faults are dicts (from [[simulated.faults]]): keyed by their repr
    key = (str(config.path), sim.seed, sim.scale, sim.end, sim.now, repr(sim.faults))
    with _lock:
        if key not in _simulations:
            _simulations[key] = platforms_for(config.path)
        return _simulations[key]


def simulated_access(simulation: Any) -> PlatformAccess:
    """Access through a ``SimulatedPlatforms``: its adapters, its world's clock and tokens."""
    world = simulation.world
    # rate-limit windows and resets in the simulated answers run on the world's clock too
    simulation.clock = simulation.x.clock = simulation.graph.clock = (
        lambda: world.now.timestamp())
    for name in list(world.tokens):
        # a token set in the environment is the one the run sends: the simulation accepts it
        if os.environ.get(name):
            world.tokens[name] = os.environ[name]

    def sleep(seconds: float) -> None:
        world.advance(timedelta(seconds=max(0.0, seconds)))

    def catch_up(last: datetime) -> None:
        if last >= world.now:
            world.advance(last - world.now + timedelta(seconds=1))

    return PlatformAccess(
        x_adapter=simulation.x_adapter(),
        graph_adapter=simulation.graph_adapter(),
        media_mount=lambda session: simulation.mount(session, ("media",)),
        sleep=sleep,
        now=lambda: world.now,
        token_fallback=dict(world.environment()),
        simulation=simulation,
        catch_up=catch_up,
    )


def platform_access(config: Config) -> PlatformAccess:
    """Live access, or the simulated district when the workspace has a ``[simulated]`` section."""
    if config.simulated is None:
        return PlatformAccess()
    return simulated_access(_simulation_for(config))
