"""Lint is one set of checks, run the same way by `make lint`, CI (before the tests) and pre-commit."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def _lint_recipe() -> list[str]:
    """The commands of the Makefile's `lint` target, with `$(VENV)/bin/` as `.venv/bin/`."""
    text = (ROOT / "Makefile").read_text()
    recipe = re.search(r"^lint:.*\n((?:\t.*\n)+)", text, re.MULTILINE)
    assert recipe is not None, "the Makefile has a lint target"
    return [line.strip().replace("$(VENV)/", ".venv/") for line in recipe.group(1).splitlines()]


def _hooks() -> list[dict[str, Any]]:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    repos = config["repos"]
    assert [repo["repo"] for repo in repos] == ["local"], "no hook is downloaded at commit time"
    hooks: list[dict[str, Any]] = repos[0]["hooks"]
    return hooks


def test_make_lint_checks_style_format_and_strict_types_of_tests_and_bench() -> None:
    assert _lint_recipe() == [".venv/bin/ruff check .", ".venv/bin/ruff format --check .", ".venv/bin/mypy"]
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["strict"] is True
    assert set(mypy["packages"]) >= {"channel", "transcoder", "playlist", "storage", "tests", "bench"}


def test_ci_lints_before_it_tests() -> None:
    steps = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    lint = steps.index("make lint")
    test = next(i for i, step in enumerate(steps) if step.startswith("make test"))
    assert lint < test


def test_pre_commit_runs_what_make_lint_runs_with_the_projects_own_tools() -> None:
    hooks = _hooks()
    assert all(hook["language"] == "system" for hook in hooks)
    entries = [hook["entry"].replace(" --force-exclude", "") for hook in hooks]
    recipe = [command.removesuffix(" .") for command in _lint_recipe()]
    assert entries == recipe
    assert next(hook for hook in hooks if hook["id"] == "mypy")["pass_filenames"] is False


def _git(clone: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-c", "user.name=Lint Test", "-c", "user.email=lint@example.invalid", *args],
        cwd=clone,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,  # the hooks' report goes to stderr
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_pre_commit_refuses_a_badly_formatted_commit_and_takes_the_fixed_one(tmp_path: Path) -> None:
    """A real `git commit` in a clone with the hooks installed: no network, the virtualenv's tools."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)
    (clone / ".venv").mkdir()
    (clone / ".venv" / "bin").symlink_to(VENV_BIN)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    subprocess.run(
        [str(VENV_BIN / "pre-commit"), "install"], cwd=clone, env=env, check=True, capture_output=True
    )
    module = clone / "storage" / "lint_probe.py"
    module.write_text('"""A probe."""\n\n__all__ = ["VALUE"]\n\nVALUE: int = {"a":1}["a"]\n')
    _git(clone, "add", "storage/lint_probe.py", env=env)

    refused = _git(clone, "commit", "-m", "badly formatted", env=env)
    assert refused.returncode != 0
    assert re.search(r"^ruff format --check\.+Failed$", refused.stdout, re.MULTILINE), refused.stdout

    module.write_text('"""A probe."""\n\n__all__ = ["VALUE"]\n\nVALUE: int = {"a": 1}["a"]\n')
    _git(clone, "add", "storage/lint_probe.py", env=env)
    taken = _git(clone, "commit", "-m", "formatted", env=env)
    assert taken.returncode == 0, taken.stdout
    assert re.search(r"^mypy strict .*\.+Passed$", taken.stdout, re.MULTILINE), taken.stdout
