"""The installed `legaltv` command run as an operator would, for the tests of its subcommands."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Final

__all__ = ["LEGALTV", "cli_env", "run_cli"]

LEGALTV: Final = str(Path(sys.executable).with_name("legaltv"))


def cli_env(data_dir: Path, **settings: str) -> dict[str, str]:
    """This process's environment with the test settings on `data_dir` (and `settings`) on top."""
    return {**os.environ, "LEGALTV_ENV": "test", "LEGALTV_DATA_DIR": str(data_dir), **settings}


def run_cli(
    *args: str, env: Mapping[str, str], stdin: str | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """`legaltv args…` with its output captured as text; the exit code is the test's to check."""
    return subprocess.run(
        [LEGALTV, *args],
        input=stdin,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
