"""Turn bad configuration into one clear line naming the setting, instead of a traceback."""

from __future__ import annotations

import re
import sys
from typing import NoReturn

from pydantic import ValidationError
from pydantic_settings import SettingsError
from sqlalchemy import text

from channel.db import make_engine, redact_url
from channel.redaction import redact
from channel.settings import Settings

__all__ = [
    "ConfigError",
    "check_database",
    "describe_validation_error",
    "exit_with",
    "load_settings",
    "load_settings_or_exit",
]

EXIT_CONFIG = 2
_PREFIX = "legaltv: "

# known driver messages, mapped to a short reason an operator can act on
_DB_REASONS: tuple[tuple[str, str], ...] = (
    ("connection refused", "connection refused"),
    ("timeout expired", "timed out"),
    ("timed out", "timed out"),
    ("could not translate host name", "unknown host"),
    ("name or service not known", "unknown host"),
    ("password authentication failed", "authentication failed"),
    ("no password supplied", "authentication failed"),
    ("does not exist", "database does not exist"),
    ("unable to open database file", "cannot open the database file"),
)


class ConfigError(Exception):
    """A configuration problem, already phrased as the one line to show the operator."""


def describe_validation_error(error: ValidationError) -> str:
    """`LEGALTV_X: reason` for each invalid setting, joined on one line."""
    parts = []
    for item in error.errors():
        message = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        loc = item.get("loc") or ()
        name = f"LEGALTV_{str(loc[0]).upper()}: " if loc else ""
        parts.append(f"{name}{message}")
    return "; ".join(parts)


def load_settings() -> Settings:
    """Settings from the environment, or `ConfigError` naming the bad variable."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(f"bad configuration: {describe_validation_error(exc)}") from None
    except SettingsError as exc:  # a list or number setting that is not valid JSON
        field = re.search(r'field "(\w+)"', str(exc))
        name = f"LEGALTV_{field.group(1).upper()}" if field else "a LEGALTV_ setting"
        raise ConfigError(f"bad configuration: {name}: not valid JSON (e.g. [1080, 720, 480, 360])") from None


def _db_reason(exc: BaseException) -> str:
    text_ = str(getattr(exc, "orig", None) or exc)
    lowered = text_.lower()
    for needle, reason in _DB_REASONS:
        if needle in lowered:
            return reason
    first = text_.strip().splitlines()[0] if text_.strip() else type(exc).__name__
    return redact(first)[:200]


def check_database(url: str, *, timeout: float = 5.0) -> None:
    """Connect once with a short timeout; `ConfigError` (credentials redacted) when that fails."""
    try:
        engine = make_engine(url, connect_timeout=timeout)
    except Exception as exc:
        raise ConfigError(f"bad configuration: LEGALTV_DATABASE_URL: {_db_reason(exc)}") from None
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:
        raise ConfigError(
            f"cannot reach the database (LEGALTV_DATABASE_URL={redact_url(url)}): {_db_reason(exc)}"
        ) from None
    finally:
        engine.dispose()


def exit_with(error: ConfigError) -> NoReturn:
    """Print the one line on stderr and stop with the configuration exit status."""
    print(f"{_PREFIX}{error}", file=sys.stderr)
    raise SystemExit(EXIT_CONFIG)


def load_settings_or_exit() -> Settings:
    """`load_settings`, exiting with one line on stderr (for entry points)."""
    try:
        return load_settings()
    except ConfigError as exc:
        exit_with(exc)
