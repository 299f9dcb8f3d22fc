"""The console's «Báo cáo» tab in a real browser: after two sessions watched the channel, a scheduler
sees the figures with Vietnamese number formats, four Chart.js charts drawn, downloads tables that
open as real XLSX and CSV files, and the print stylesheet leaves only the report.

Headless Debian Chromium (Playwright) against `legaltv serve` on SQLite (counts in the database).
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page

from channel.db import make_engine, make_sessionmaker
from channel.migrate import upgrade
from channel.settings import Settings
from storage import LocalStore
from tests.channel.playout.helpers import seed_channel
from tests.web.axe import assert_accessible, with_axe
from tests.web.browser import SCREENSHOTS, sign_in
from tests.web.service import Service, running_service

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(300)]

USER, PASSWORD = "lapbaocao", "mật-khẩu-lập-báo-cáo-2026"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    data = tmp_path_factory.mktemp("reports") / "var"
    settings = Settings(data_dir=data, env="test")
    upgrade(settings.resolved_database_url)
    engine = make_engine(settings.resolved_database_url)
    try:
        seed_channel(make_sessionmaker(engine), settings, store=LocalStore(settings.resolved_storage_path))
    finally:
        engine.dispose()
    with running_service(data, embedded_worker="false", audience_flush_seconds="1") as running:
        running.create_user(USER, PASSWORD, "scheduler")
        yield running


def _watch(service: Service, sessions: int) -> None:
    """`sessions` players each reload a variant a few times, as hls.js would (6 s segments: two slots)."""
    with httpx.Client(base_url=service.base_url, timeout=10) as client:
        variants = []
        for _ in range(sessions):
            master = client.get("/live/kenh-phap-luat/master.m3u8")
            variants.append(next(u for u in master.text.splitlines() if u.startswith("720p")))
        for _ in range(2):
            for uri in variants:
                assert client.get(f"/live/kenh-phap-luat/{uri}").status_code == 200
            time.sleep(6)
    time.sleep(2.5)  # the replica's flush


def _download(page: Page, name: str, folder: Path) -> Path:
    with page.expect_download() as download:
        page.click(f'[data-export="{name}"]')
    saved = folder / download.value.suggested_filename
    download.value.save_as(saved)
    return saved


def test_a_scheduler_reads_charts_downloads_tables_and_prints(
    service: Service, browser: Browser, tmp_path: Path
) -> None:
    _watch(service, sessions=2)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    with_axe(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, service, USER, PASSWORD)
    page.click('[data-tab="reports"]')
    page.wait_for_selector("#reports-body[data-loaded]")
    assert page.inner_text("#reports-unique") == "2"
    for chart in ("chart-viewers", "chart-topics", "chart-programmes", "chart-airtime"):
        drawn = page.evaluate(
            f"() => !!Chart.getChart('{chart}') && document.getElementById('{chart}').width > 0"
        )
        assert drawn, chart
    assert int(page.get_attribute("#chart-viewers", "data-points") or 0) >= 1
    assert page.evaluate("() => Chart.getChart('chart-viewers').data.datasets[0].data.some(v => v > 0)")
    assert page.evaluate("() => Chart.getChart('chart-viewers').options.locale") == "vi-VN"
    assert page.locator("#reports-programmes tr").count() >= 1
    assert_accessible(page, "reports")
    page.screenshot(path=str(SCREENSHOTS / "console-reports.png"), full_page=True)

    book = load_workbook(_download(page, "programmes.xlsx", tmp_path))
    sheet = book.active
    assert sheet is not None
    assert [c.value for c in sheet[2]][:3] == ["Chương trình", "Số lần phát", "Người xem"]
    assert sheet.max_row >= 3
    text = _download(page, "viewers.csv", tmp_path).read_bytes()
    assert text.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    assert rows[0][0] == "Thời điểm (Asia/Ho_Chi_Minh)"
    assert sum(int(r[1]) > 0 for r in rows[1:]) >= 1

    # a campaign grouping one programme, made in the tab, shows in the report at once
    page.fill("#campaign-name", "Luật Đất đai có hiệu lực")
    page.fill("#campaign-theme", "Phổ biến Luật Đất đai")
    today = page.input_value("#reports-date")
    page.fill("#campaign-from", today)
    page.fill("#campaign-to", today)
    page.select_option("#campaign-programmes", label="Luật Đất đai")
    page.click("#campaign-create")
    page.wait_for_selector("#reports-campaigns tr")
    assert "Luật Đất đai có hiệu lực" in page.inner_text("#reports-campaigns")
    assert page.inner_text("#campaign-status") == "Đã tạo chiến dịch."
    assert_accessible(page, "reports with a campaign")

    page.emulate_media(media="print")
    assert page.locator("#reports-form").is_hidden()
    assert page.locator("nav.tabs").is_hidden()
    assert page.locator("#reports-caption").is_visible()
    assert "Báo cáo của kênh Kênh Pháp luật" in page.inner_text("#reports-caption")
    page.screenshot(path=str(SCREENSHOTS / "console-reports-print.png"), full_page=True)
    assert errors == []
