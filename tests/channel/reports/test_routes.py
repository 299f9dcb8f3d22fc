"""The report API: figures from counted viewing and the as-run log, exports that open as real CSV
and XLSX files, and who may read them."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from channel.audience import AUDIENCE, Beat
from channel.audience.classify import Device, Referrer
from channel.models import LegalDocument, Programme, Topic
from channel.reports.tables import TABLES
from channel.state import state_of
from tests.channel.api_fixtures import ApiUser, swap_settings
from tests.channel.playout.helpers import Air, seed_channel

PORTAL_TOKEN = "p" * 40


@pytest.fixture
def counted(api_app: FastAPI) -> tuple[Air, int]:
    """A channel that aired two programmes in the last three minutes (the first filed under a topic
    and a law), one session watching all along and one the last 50 s; returns the slots counted."""
    state = state_of(api_app)
    air = seed_channel(state.sessionmaker, state.settings, store=state.store)
    with state.sessionmaker() as session:
        programme = session.get(Programme, air.programmes[0])
        assert programme is not None
        programme.topics.append(
            Topic(name="Giao thông đường bộ", name_en="Road traffic", slug="giao-thong-db")
        )
        programme.legal_documents.append(
            LegalDocument(number="23/2008/QH12", key="23/2008/qh12", title="Luật Giao thông đường bộ")
        )
        session.commit()
    now_us = int(datetime.now(UTC).timestamp() * 1e6)

    def watching(token: str, variant: str, referrer: Referrer, device: Device, slots: range) -> list[Beat]:
        """One session's heartbeats, a 6 s slot apart back from now."""
        return [
            Beat(
                token=token,
                slug=air.slug,
                variant=variant,
                at_us=now_us - k * 6_000_000,
                referrer=referrer,
                device=device,
            )
            for k in slots
        ]

    beats = [
        *watching("a" * 22, "720p", "site", "desktop", range(31)),
        *watching("b" * 22, "360p", "portal", "mobile", range(1, 9)),
    ]
    with TestClient(api_app) as client:
        client.get(f"/live/{air.slug}/master.m3u8")  # loads the timeline into the playout's cache
    recorder = state.part(AUDIENCE)
    counted = recorder.attributed(beats)
    return air, recorder.counters.record(counted)


def _yesterday_to_today() -> dict[str, str]:
    today = datetime.now(UTC).date()
    return {
        "period": "custom",
        "date": (today - timedelta(days=1)).isoformat(),
        "end": (today + timedelta(days=1)).isoformat(),
    }


def test_the_report_adds_up_what_was_watched_and_aired(
    api_client: TestClient, api_users: dict[str, ApiUser], counted: tuple[Air, int]
) -> None:
    air, slots = counted
    answer = api_client.get(
        f"/api/reports/{air.slug}", params=_yesterday_to_today(), headers=api_users["editor"].headers
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["unique_viewers"] == 2
    assert report["timezone"] == "Asia/Ho_Chi_Minh"
    assert report["bucket"] == "hour"
    assert report["watch_hours"] == round(slots * 6 / 3600, 3)
    assert sum(p["watch_hours"] for p in report["viewers"]) == pytest.approx(slots * 6 / 3600, abs=0.01)
    assert 1 <= report["peak_viewers"] <= 2
    programmes = {p["title"]: p for p in report["programmes"]}
    assert programmes["Luật Đất đai"]["viewers"] == 2  # aired in the last minute: both watched
    assert programmes["Luật Giao thông"]["viewers"] == 1
    topics = {t["name"]: t["watch_hours"] for t in report["topics"]}
    assert topics["Giao thông đường bộ"] == programmes["Luật Giao thông"]["watch_hours"]
    assert {r["key"] for r in report["referrers"]} == {"site", "portal"}
    assert {d["key"] for d in report["devices"]} == {"desktop", "mobile"}
    traffic = next(a for a in report["airtime_topics"] if a["name"] == "Giao thông đường bộ")
    assert traffic["planned_hours"] == traffic["aired_hours"] == round(60 / 3600, 3)
    law = next(a for a in report["airtime_documents"] if a["name"] == "23/2008/QH12")
    assert law["aired_hours"] == round(60 / 3600, 3)
    assert set(report["exports"]) == {f"{t}.{f}" for t in TABLES for f in ("csv", "xlsx")}


def test_every_table_exports_as_csv_with_a_bom_and_as_xlsx(
    api_client: TestClient, api_users: dict[str, ApiUser], counted: tuple[Air, int]
) -> None:
    air, _ = counted
    headers = api_users["scheduler"].headers
    report = api_client.get(f"/api/reports/{air.slug}", params=_yesterday_to_today(), headers=headers).json()
    for name, link in report["exports"].items():
        answer = api_client.get(link, headers=headers)
        assert answer.status_code == 200, (name, answer.text)
        assert "attachment" in answer.headers["content-disposition"]
        if name.endswith(".csv"):
            assert answer.content.startswith("\ufeff".encode())
            rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        else:
            sheet = load_workbook(io.BytesIO(answer.content)).active
            assert sheet is not None
            rows = [[str(c) for c in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert rows[0][0] in {
            "Thời điểm (Asia/Ho_Chi_Minh)",
            "Chủ đề pháp luật",
            "Chiến dịch",
            "Chương trình",
            "Văn bản pháp luật",
            "Nhóm",
        }
    programmes = api_client.get(report["exports"]["programmes.xlsx"], headers=headers)
    sheet = load_workbook(io.BytesIO(programmes.content)).active
    assert sheet is not None
    titles = {row[0] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert {"Luật Giao thông", "Luật Đất đai"} <= titles
    assert api_client.get(f"/api/reports/{air.slug}/nothing.csv", headers=headers).status_code == 404
    assert api_client.get(f"/api/reports/{air.slug}/topics.pdf", headers=headers).status_code == 404


def test_staff_who_report_and_the_portal_token_may_read_no_one_else(
    api_app: FastAPI, api_client: TestClient, api_users: dict[str, ApiUser]
) -> None:
    air = seed_channel(state_of(api_app).sessionmaker, state_of(api_app).settings)
    url = f"/api/reports/{air.slug}"
    assert api_client.get(url).status_code == 401
    assert api_client.get(url, headers=api_users["producer"].headers).status_code == 403
    for role in ("admin", "editor", "scheduler"):
        assert api_client.get(url, headers=api_users[role].headers).status_code == 200
    portal = {"Authorization": f"Bearer {PORTAL_TOKEN}"}
    assert api_client.get(url, headers=portal).status_code == 401  # no token configured yet
    swap_settings(api_app, audience_report_token=PORTAL_TOKEN)
    assert api_client.get(url, headers=portal).status_code == 200
    assert api_client.get(f"{url}/topics.csv", headers=portal).status_code == 200
    assert api_client.get("/api/audit", headers=portal).status_code == 401  # it opens the reports only
    assert api_client.get(f"/api/reports/{uuid.uuid4().hex}", headers=portal).status_code == 404
    bad = api_client.get(
        url, params={"period": "custom", "date": "2026-02-01", "end": "2026-01-01"}, headers=portal
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "bad_period"


def test_a_campaign_reports_the_airtime_and_audience_of_its_programmes(
    api_client: TestClient, api_users: dict[str, ApiUser], counted: tuple[Air, int]
) -> None:
    air, _ = counted
    today = datetime.now(UTC).date()
    body = {
        "name": "Luật Đất đai 2024 có hiệu lực",
        "theme": "Phổ biến Luật Đất đai sửa đổi",
        "starts_on": (today - timedelta(days=1)).isoformat(),
        "ends_on": (today + timedelta(days=30)).isoformat(),
        "programme_ids": [str(air.programmes[1])],
    }
    assert (
        api_client.post("/api/campaigns", json=body, headers=api_users["producer"].headers).status_code == 403
    )
    created = api_client.post("/api/campaigns", json=body, headers=api_users["editor"].headers)
    assert created.status_code == 201, created.text
    backwards = {**body, "ends_on": (today - timedelta(days=5)).isoformat()}
    refused = api_client.post("/api/campaigns", json=backwards, headers=api_users["editor"].headers)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "campaign_dates"
    listed = api_client.get("/api/campaigns", headers=api_users["scheduler"].headers).json()
    assert [c["name"] for c in listed] == [body["name"]]

    report = api_client.get(
        f"/api/reports/{air.slug}", params=_yesterday_to_today(), headers=api_users["admin"].headers
    ).json()
    (campaign,) = report["campaigns"]
    land = next(p for p in report["programmes"] if p["title"] == "Luật Đất đai")
    assert campaign["programmes"] == 1
    assert campaign["viewers"] == land["viewers"] == 2
    assert campaign["watch_hours"] == land["watch_hours"]
    assert campaign["planned_hours"] == campaign["aired_hours"] == round(60 / 3600, 3)
    audit = api_client.get("/api/audit", headers=api_users["admin"].headers).json()
    assert any(e["action"] == "campaign.create" for e in audit)

    gone = api_client.delete(f"/api/campaigns/{created.json()['id']}", headers=api_users["scheduler"].headers)
    assert gone.status_code == 204
    assert api_client.get("/api/campaigns", headers=api_users["admin"].headers).json() == []
