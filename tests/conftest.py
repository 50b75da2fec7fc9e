from __future__ import annotations

from pathlib import Path

import pytest

from agent.config import load_registry
from agent.planner import Planner

ROOT = Path(__file__).resolve().parent.parent
HOME_YAML = ROOT / "config" / "home.yaml"


@pytest.fixture(scope="session")
def home():
    """The example home of config/home.yaml."""
    return load_registry(HOME_YAML)


@pytest.fixture(scope="session")
def planner(home):
    return Planner(home)
