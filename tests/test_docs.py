"""The README documents every setting and every command (docs stay in sync with the code)."""

from __future__ import annotations

import re

import click

from api.cli import cli
from api.settings import Settings
from tests.conftest import REPO


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for name in Settings.model_fields:
        assert f"ARSIP_{name.upper()}" in readme, f"ARSIP_{name.upper()} is not documented in README.md"


def _commands(group: click.Group, prefix: str = "arsip") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        full = f"{prefix} {name}"
        out.append(full)
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, full))
    return out


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    for command in _commands(cli):
        assert re.search(rf"`{re.escape(command)}\b", readme), f"`{command}` is not documented in README.md"


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    command = "bash scripts/install.sh --dev && bash scripts/test.sh"
    assert command in readme and command in ci
