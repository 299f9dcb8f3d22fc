"""Make channel/static/favicon.ico from favicon.svg: Chromium renders the SVG at 16, 32 and 48 px, and the
PNGs are packed into one ICO (PNG entries, which every current browser reads). Run it after changing the SVG:

    .venv/bin/python scripts/favicon.py channel/static
"""

from __future__ import annotations

import base64
import struct
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

SIZES = (16, 32, 48)


def render(svg: str) -> list[tuple[int, bytes]]:
    """(size, PNG bytes) of the SVG at each of `SIZES`, with its transparency."""
    image = f"data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}"
    out = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        for size in SIZES:
            page = browser.new_page(viewport={"width": size, "height": size})
            page.set_content(
                f'<body style="margin:0"><img src="{image}" width="{size}" height="{size}"></body>'
            )
            page.wait_for_function("() => document.images[0].complete")
            clip = {"x": 0, "y": 0, "width": size, "height": size}
            out.append((size, page.screenshot(omit_background=True, clip=clip)))
        browser.close()
    return out


def pack_ico(images: list[tuple[int, bytes]]) -> bytes:
    """An ICO file whose entries are the given square PNGs."""
    header = struct.pack("<HHH", 0, 1, len(images))
    entries, data = b"", b""
    offset = len(header) + 16 * len(images)
    for size, png in images:
        entries += struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def main(folder: Path) -> None:
    ico = pack_ico(render((folder / "favicon.svg").read_text(encoding="utf-8")))
    (folder / "favicon.ico").write_bytes(ico)
    print(f"{folder / 'favicon.ico'}: {len(ico)} bytes")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "channel/static"))
