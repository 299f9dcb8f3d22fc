"""Browser libraries served from node_modules (installed by `npm ci`, never copied into the repo).

Only an allow-list of files leaves the folder; their URLs carry the package version, so they are
cached for a year. A missing folder is not fatal: pages render and say the player is missing.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Final

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, Response

from channel.deps import StateDep
from channel.settings import Settings
from channel.state import StateKey

__all__ = [
    "ALLOWED",
    "ASSETS",
    "Assets",
    "AssetsDep",
    "default_assets_dir",
    "get_assets",
    "router",
    "scan_assets",
]

_log = logging.getLogger(__name__)

#: public name -> (npm package, file inside the package)
ALLOWED: Final[dict[str, tuple[str, str]]] = {
    "hls.min.js": ("hls.js", "dist/hls.min.js"),
    "tus.min.js": ("tus-js-client", "dist/tus.min.js"),
    "chart.umd.min.js": ("chart.js", "dist/chart.umd.min.js"),
}
_CACHE: Final = "public, max-age=31536000, immutable"


def default_assets_dir() -> Path:
    """The repository's node_modules, found relative to the installed `channel` package."""
    return Path(__file__).resolve().parents[2] / "node_modules"


def _configured_dir(settings: Settings) -> Path:
    return settings.web_assets_dir or default_assets_dir()


def _version(folder: Path, package: str) -> str | None:
    try:
        data = json.loads((folder / package / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("version") if isinstance(data, dict) else None
    return version if isinstance(version, str) else None


@dataclass(frozen=True)
class Assets:
    """The allow-listed files found in `folder`, with the versions that make their URLs unique."""

    folder: Path
    versions: dict[str, str]

    @classmethod
    def scan(cls, folder: Path) -> Assets:
        versions: dict[str, str] = {}
        for name, (package, inner) in ALLOWED.items():
            version = _version(folder, package)
            if version is not None and (folder / package / inner).is_file():
                versions[name] = version
        missing = sorted(set(ALLOWED) - set(versions))
        if missing:
            _log.warning(
                "web player libraries missing; run `npm ci` in the repository (or set %s)",
                "LEGALTV_WEB_ASSETS_DIR",
                extra={"missing": missing, "assets_dir": str(folder)},
            )
        return cls(folder=folder, versions=versions)

    def url(self, name: str) -> str | None:
        """The cache-busting URL of an allow-listed file, or None when it is not installed."""
        version = self.versions.get(name)
        return f"/assets/{name}?v={version}" if version else None

    def path(self, name: str) -> Path | None:
        if name not in self.versions:
            return None
        package, inner = ALLOWED[name]
        return self.folder / package / inner


def scan_assets(settings: Settings) -> Assets:
    """The app's assets, scanned once when the app is built (and the missing library logged once)."""
    return Assets.scan(_configured_dir(settings))


#: the API's browser libraries in its `AppState`
ASSETS: StateKey[Assets] = StateKey("web_assets", Assets)


def get_assets(state: StateDep) -> Assets:
    return state.part(ASSETS)


AssetsDep = Annotated[Assets, Depends(get_assets)]

router = APIRouter(include_in_schema=False)


@router.get("/assets/{name}")
def asset(name: str, assets: AssetsDep) -> Response:
    """One allow-listed library file; anything else (or a missing install) is a plain 404."""
    path = assets.path(name)
    if path is None:
        return Response("Không tìm thấy / Not found", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(
        path,
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": _CACHE, "X-Content-Type-Options": "nosniff"},
    )
