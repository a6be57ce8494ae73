"""Where the tests find the shared recorded responses and policy seeds (``tests.fixtures``)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.fixtures import FIXTURES, SEEDS, shared_folder


def _git(*args: str) -> None:
    subprocess.run(["git", *args], check=True, capture_output=True, timeout=30)


def _checkout_with_shared(root: Path) -> Path:
    origin = root / "work" / "main"
    origin.mkdir(parents=True)
    (root / "work" / "shared").mkdir()
    _git("init", "-q", str(origin))
    return origin


def test_a_clone_elsewhere_finds_shared_beside_the_checkout_it_came_from(tmp_path):
    origin = _checkout_with_shared(tmp_path)
    clone = tmp_path / "elsewhere" / "c"
    _git("clone", "-q", str(origin), str(clone))
    assert shared_folder(clone, {}) == tmp_path / "work" / "shared"


def test_shared_beside_the_clone_and_the_variable_come_first(tmp_path):
    origin = _checkout_with_shared(tmp_path)
    clone = tmp_path / "other" / "c"
    _git("clone", "-q", str(origin), str(clone))
    (tmp_path / "other" / "shared").mkdir()
    assert shared_folder(clone, {}) == tmp_path / "other" / "shared"
    assert shared_folder(clone, {"SOCIALAUDIT_SHARED": "/x/y"}) == Path("/x/y")


def test_nothing_found_names_the_folder_beside_the_clone(tmp_path):
    repo = tmp_path / "lonely" / "c"
    _git("init", "-q", str(repo))
    assert shared_folder(repo, {}) == tmp_path / "lonely" / "shared"


def test_this_session_found_the_shared_folder():
    assert FIXTURES.is_dir() and SEEDS.is_dir()
