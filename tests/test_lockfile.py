"""The hashed lock files agree with pyproject.toml: a dependency added without `make lock`
(or a merge that left a lock behind) fails here rather than on the next fresh install."""

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def locked(name: str) -> dict[str, Version]:
    """Package -> pinned version; fails on a pin without a hash or conflict markers."""
    text = (ROOT / name).read_text()
    assert "<<<<<<<" not in text and ">>>>>>>" not in text, f"{name}: run `make lock`"
    pins = {}
    for block in re.split(r"\n(?=\S)", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{name}: {match.group(1)} has no hash"
            pins[canonicalize_name(match.group(1))] = Version(match.group(2))
    return pins


def requirements(*groups: list[str]) -> list[Requirement]:
    return [Requirement(line) for group in groups for line in group]


def assert_locked(requirements_: list[Requirement], pins: dict[str, Version], name: str):
    for requirement in requirements_:
        key = canonicalize_name(requirement.name)
        assert key in pins, f"{requirement.name} is not in {name}: run `make lock`"
        assert requirement.specifier.contains(pins[key], prereleases=True), (
            f"{name} pins {requirement.name} {pins[key]}, outside {requirement.specifier}: "
            "run `make lock`"
        )


def test_test_lock_pins_every_dependency_within_its_bounds():
    test_extra = PYPROJECT["optional-dependencies"]["test"]
    pins = locked("requirements-test.lock")
    assert_locked(requirements(PYPROJECT["dependencies"], test_extra), pins, "the test lock")


def test_production_lock_holds_the_runtime_dependencies_at_the_test_locks_versions():
    runtime = locked("requirements.lock")
    s3_extra = PYPROJECT["optional-dependencies"]["s3"]  # attachments in an object store
    assert_locked(requirements(PYPROJECT["dependencies"], s3_extra), runtime, "requirements.lock")
    test_pins = locked("requirements-test.lock")
    assert {name: test_pins.get(name) for name in runtime} == runtime
    for requirement in requirements(PYPROJECT["optional-dependencies"]["test"]):
        assert canonicalize_name(requirement.name) not in runtime, requirement.name
