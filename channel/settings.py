"""Typed configuration: every setting is an environment variable with the `LEGALTV_` prefix.

The defaults are the embedded demo (SQLite, a local folder, a filesystem Celery broker), so one
command runs the channel with no external service; production switches by environment alone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from transcoder.house import HouseFormat

__all__ = ["DEFAULT_SECRET", "Settings"]

DEFAULT_SECRET = "dev-insecure-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    """All of legaltv's configuration; built once at start-up and passed down, never imported."""

    model_config = SettingsConfigDict(env_prefix="LEGALTV_", env_file=None, extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    data_dir: Path = Field(default=Path("var"), description="Folder for the embedded database, store, broker")
    base_url: str = Field(default="http://127.0.0.1:8000", description="Public URL of the API")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    secret_key: str = DEFAULT_SECRET
    log_level: str = "INFO"

    # database
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite in data_dir")

    # object storage
    storage_backend: Literal["local", "s3"] = "local"
    storage_local_path: Path | None = None
    s3_endpoint_url: str | None = None
    s3_bucket: str = "legaltv"
    s3_region: str = "us-east-1"
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = None
    s3_path_style: bool = True
    s3_public_endpoint_url: str | None = Field(
        default=None, description="S3 endpoint viewers reach, if not the API's"
    )
    s3_presign_seconds: int = 3600
    segment_delivery: Literal["redirect", "proxy"] = "redirect"

    # celery
    broker_url: str = Field(
        default="", description="Celery broker; empty means the embedded filesystem broker"
    )
    result_backend: str = Field(default="", description="Celery results; empty means SQLite in data_dir")
    embedded_worker: bool | None = Field(
        default=None, description="Start a worker with the API (default: embedded broker)"
    )
    transcode_timeout_seconds: int = 4 * 3600

    # jobs: heartbeat and watchdog of transcodes (a lost worker never leaves a job "processing")
    job_heartbeat_seconds: float = Field(
        default=2.0, gt=0, description="A running transcode beats this often"
    )
    job_stall_seconds: float = Field(
        default=300.0, gt=0, description="A job silent this long is re-queued once, then failed (worker_lost)"
    )
    job_watchdog_seconds: float = Field(
        default=30.0, gt=0, description="How often each API process looks for stalled jobs"
    )

    # channel and playout
    timezone: str = "Asia/Ho_Chi_Minh"
    playlist_window_seconds: float = 120.0
    timeshift_retention_hours: float = 24.0
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    languages: list[str] = Field(default_factory=lambda: ["vi", "en"])

    # house format
    ladder: list[int] = Field(default_factory=lambda: [1080, 720, 480, 360])
    fps: int = 25
    gop_seconds: float = 2.0
    segment_seconds: float = 6.0
    segment_format: Literal["mpegts", "fmp4"] = "mpegts"
    loudness_target: float = -23.0
    true_peak: float = -1.0
    max_duration_seconds: float = 4 * 3600.0
    chunk_seconds: float = 0.0

    # web pages
    web_assets_dir: Path | None = Field(
        default=None, description="node_modules with hls.js (default: the repo's)"
    )
    default_channel: str | None = Field(default=None, description="slug of the channel shown at /")

    # uploads and accounts
    max_upload_bytes: int = 8 * 1024**3
    token_ttl_seconds: int = 12 * 3600
    login_rate_per_minute: int = 10

    # HTTP hardening (issue 9 §2, §4, §6): body limits, proxies, shared rate limits, /metrics access
    max_body_bytes: int = Field(
        default=1024**2, ge=1024, description="Largest non-upload request body; 413 past it"
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        description="A non-upload body must arrive within this; an upload may not stall longer",
    )
    trusted_proxies: list[str] = Field(
        default_factory=list, description="Addresses or CIDRs whose X-Forwarded-For/-Proto are believed"
    )
    rate_limit_redis_url: str = Field(
        default="", description="Redis for rate-limit counters; empty: the broker's Redis, else memory"
    )
    # audience measurement (issue 14, docs/audience.md)
    audience_counting: bool = Field(
        default=True, description="Hand out session tokens in the live master and count viewing"
    )
    audience_flush_seconds: float = Field(
        default=5.0, gt=0, le=60, description="How often each replica writes its batch of heartbeats"
    )
    audience_redis_url: str = Field(
        default="", description="Redis for audience counters; empty: the broker's Redis, else the database"
    )
    audience_report_token: str = Field(
        default="", description="Read-only bearer token for the portal's report JSON (empty: staff only)"
    )
    metrics_allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32", "::1/128"], description="Networks that may read /metrics"
    )
    metrics_token: str = Field(default="", description="Bearer token that may read /metrics from anywhere")

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """Addresses or CIDRs only: "*" or a host name would trust every client that claims to be a proxy."""
        import ipaddress

        for item in value:
            try:
                ipaddress.ip_network(item.strip(), strict=False)
            except ValueError:
                raise ValueError(
                    f"{item!r} is not an IP address or network (e.g. 10.0.0.0/8, 127.0.0.1)"
                ) from None
        return [item.strip() for item in value]

    @model_validator(mode="after")
    def _strong_secrets_in_production(self) -> Settings:
        """A guessable key or /metrics token would undo the protection they exist for."""
        from channel.security.secretkey import MAKE_ONE, MIN_SECRET_LENGTH, secret_key_problem

        if self.env != "production":
            return self
        problem = "it is the development default" if self.secret_key == DEFAULT_SECRET else None
        problem = problem or secret_key_problem(self.secret_key)
        if problem:
            raise ValueError(
                f"LEGALTV_SECRET_KEY must be set to a strong secret in production ({problem}); make one with: {MAKE_ONE}"
            )
        if self.metrics_token and len(self.metrics_token) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"LEGALTV_METRICS_TOKEN: at least {MIN_SECRET_LENGTH} characters; make one with: {MAKE_ONE}"
            )
        if self.audience_report_token and len(self.audience_report_token) < MIN_SECRET_LENGTH:
            raise ValueError(
                f"LEGALTV_AUDIENCE_REPORT_TOKEN: at least {MIN_SECRET_LENGTH} characters; make one with: {MAKE_ONE}"
            )
        return self

    # uploads: tus state shared by every replica, per-user quotas, sweeping (issue 9 §4-§5, docs/attacks-uploads.md)
    upload_part_bytes: int = Field(
        default=8 * 1024**2,
        ge=5 * 1024**2,
        le=5 * 1024**3,
        description="Bytes per stored part (S3: >= 5 MiB)",
    )
    upload_expiry_hours: float = Field(default=24.0, gt=0, description="An idle unfinished upload expires")
    upload_sweep_seconds: float = Field(default=600.0, gt=0, description="How often each replica sweeps")
    upload_lease_seconds: float = Field(
        default=30.0, ge=1, description="A writer's hold on an upload, renewed while it streams"
    )
    quota_concurrent_uploads: int = Field(default=20, ge=1, description="Unfinished uploads per user")
    quota_pending_bytes: int = Field(
        default=64 * 1024**3, ge=1, description="Bytes declared or received and not yet transcoded, per user"
    )
    quota_queued_transcodes: int = Field(
        default=10, ge=1, description="Transcodes queued or running per user"
    )
    quota_admin_factor: int = Field(default=5, ge=1, description="Admins get every quota this many times")

    # staff accounts: MFA, sessions, audit chain anchoring (issue 11, docs/security-staff.md)
    mfa_required_roles: list[str] = Field(
        default_factory=lambda: ["admin", "editor"],
        description="Roles that must sign in with a TOTP code (production: admin and editor always)",
    )
    mfa_exempt_users: list[str] = Field(
        default_factory=list, description="Development only: accounts that may skip MFA (the demo's admin)"
    )
    mfa_issuer: str = Field(
        default="legaltv", min_length=1, max_length=64, description="Name in authenticator apps"
    )
    mfa_attempts_per_minute: int = Field(
        default=5, ge=1, le=60, description="Second-factor codes tried per account and minute (4x per hour)"
    )
    session_idle_seconds: int = Field(default=30 * 60, ge=60, description="A session unused this long ends")
    session_touch_seconds: int = Field(
        default=60,
        ge=1,
        description="How stale a session's recorded last use may get (one write per interval)",
    )
    audit_anchor_seconds: float = Field(
        default=600.0, gt=0, description="How often each API replica logs the audit chain head"
    )

    # live events: contribution endpoints, key validity, how long playout awaits a live segment (issue 12)
    live_key_lead_seconds: float = Field(
        default=1800.0, ge=0, description="A stream key opens this long before its event starts"
    )
    live_grace_seconds: float = Field(
        default=2.0, ge=0, le=30, description="How long past its end a live segment is awaited before slate"
    )
    live_rtmp_url: str = Field(
        default="rtmp://127.0.0.1:1935/live", description="What OBS is told to stream to (RTMP server)"
    )
    live_srt_url: str = Field(
        default="srt://127.0.0.1:9000", description="What hardware encoders are told to stream to (SRT)"
    )
    ingest_bind: str = Field(default="0.0.0.0", description="Where `legaltv ingest` listens (RTMP, SRT)")  # noqa: S104
    ingest_rtmp_port: int = Field(default=1935, ge=1, le=65535, description="nginx-rtmp's port")
    ingest_srt_port: int = Field(default=9000, ge=1, le=65535, description="The SRT listener's port")
    ingest_control_port: int = Field(
        default=8935, ge=1, le=65535, description="nginx-rtmp's on_publish callbacks (loopback only)"
    )
    ingest_nginx: str = Field(default="nginx", description="The nginx binary (with the RTMP module)")

    @model_validator(mode="after")
    def _mfa_policy(self) -> Settings:
        """Only known roles; production keeps MFA for admins and editors and exempts nobody."""
        known = {"admin", "producer", "scheduler", "editor"}
        unknown = sorted(set(self.mfa_required_roles) - known)
        if unknown:
            raise ValueError(
                f"LEGALTV_MFA_REQUIRED_ROLES: unknown roles {unknown}; use some of {sorted(known)}"
            )
        if self.env == "production" and not {"admin", "editor"} <= set(self.mfa_required_roles):
            raise ValueError("LEGALTV_MFA_REQUIRED_ROLES: production requires MFA for admin and editor")
        if self.mfa_exempt_users and self.env != "development":
            raise ValueError("LEGALTV_MFA_EXEMPT_USERS: only allowed with LEGALTV_ENV=development (the demo)")
        if self.session_touch_seconds >= self.session_idle_seconds:
            raise ValueError(
                "LEGALTV_SESSION_TOUCH_SECONDS must be smaller than LEGALTV_SESSION_IDLE_SECONDS"
            )
        return self

    # editorial control: four-eyes review of exact revisions, takeovers (issue 11, docs/editorial.md)
    review_cosmetic_fields: list[str] = Field(
        default_factory=lambda: ["tags", "audience", "topics"],
        description="Programme fields a change of which keeps its approval; the source, subtitles, title "
        "and legal documents always need a new one",
    )

    @field_validator("review_cosmetic_fields")
    @classmethod
    def _cosmetic_fields(cls, value: list[str]) -> list[str]:
        optional = {"description", "language", "audience", "tags", "topics"}
        unknown = sorted(set(value) - optional)
        if unknown:
            raise ValueError(
                f"LEGALTV_REVIEW_COSMETIC_FIELDS: {unknown} cannot skip review; choose among {sorted(optional)} "
                "(the source, subtitles, title and legal documents always need approval)"
            )
        return sorted(set(value))

    # delivery (issue 13, docs/delivery.md): where players fetch media from, and how the API serves files
    media_base_url: str = Field(
        default="",
        description="Public base URL that media URIs in playlists start with (a CDN, a public-read bucket, "
        "the edge); empty: /media/ on this host",
    )

    media_token_secret: str = Field(
        default="",
        description="Shared with the edge: media URIs carry long-lived per-programme tokens (docs/delivery.md)",
    )
    media_token_days: int = Field(
        default=7, ge=1, le=365, description="A media token holds at least this many days, at most twice that"
    )

    @model_validator(mode="after")
    def _strong_media_secret(self) -> Settings:
        """delivery: a guessable token secret would sign anyone's URLs."""
        from channel.security.secretkey import MAKE_ONE, MIN_SECRET_LENGTH

        if (
            self.env == "production"
            and self.media_token_secret
            and len(self.media_token_secret) < MIN_SECRET_LENGTH
        ):
            raise ValueError(
                f"LEGALTV_MEDIA_TOKEN_SECRET: at least {MIN_SECRET_LENGTH} characters; make one with: {MAKE_ONE}"
            )
        return self

    @field_validator("media_base_url")
    @classmethod
    def _media_base(cls, value: str) -> str:
        """An absolute http(s) URL or a path on this host: a player resolves every segment against it."""
        from urllib.parse import urlsplit

        value = value.strip()
        parts = urlsplit(value)
        if value and not (
            (parts.scheme in ("http", "https") and parts.netloc)
            or (value.startswith("/") and not parts.netloc)
        ):
            raise ValueError(
                f"{value!r} is not an http(s) URL or a path (e.g. https://media.example.vn/legaltv)"
            )
        if parts.query or parts.fragment:
            raise ValueError(f"{value!r}: a base URL has no query or fragment")
        return value.rstrip("/")

    @field_validator("storage_backend", mode="before")
    @classmethod
    def _known_backend(cls, value: object) -> object:
        if isinstance(value, str) and value not in ("local", "s3"):
            raise ValueError(f"unknown storage backend {value!r}; use 'local' or 's3'")
        return value

    @model_validator(mode="after")
    def _house_format_and_timezone(self) -> Settings:
        """Refuse at start-up what would otherwise fail every transcode or every guide later."""
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"LEGALTV_TIMEZONE: unknown timezone {self.timezone!r} (e.g. Asia/Ho_Chi_Minh)"
            ) from None
        if not self.ladder or any(not 144 <= h <= 2160 for h in self.ladder):
            raise ValueError(f"LEGALTV_LADDER: rung heights must be between 144 and 2160, got {self.ladder}")
        try:
            self.house_format  # noqa: B018 - built here once to refuse a bad format at start-up
        except (ValueError, KeyError) as exc:
            raise ValueError(
                "LEGALTV_LADDER / LEGALTV_FPS / LEGALTV_GOP_SECONDS / LEGALTV_SEGMENT_SECONDS: "
                f"not a usable house format: {exc}"
            ) from None
        return self

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.storage_backend == "s3" and not self.s3_bucket:
            raise ValueError("LEGALTV_S3_BUCKET is required when LEGALTV_STORAGE_BACKEND=s3")
        return self

    @model_validator(mode="after")
    def _job_watch_timing(self) -> Settings:
        """jobs: a stall must outlast several missed beats, or live jobs would be taken for lost ones."""
        if self.job_stall_seconds < 3 * self.job_heartbeat_seconds:
            raise ValueError(
                "LEGALTV_JOB_STALL_SECONDS must be at least 3 x LEGALTV_JOB_HEARTBEAT_SECONDS "
                f"(got {self.job_stall_seconds:g} and {self.job_heartbeat_seconds:g})"
            )
        return self

    # derived values, computed rather than stored so one setting changes all of them
    @property
    def house_format(self) -> HouseFormat:
        """The house format every programme is transcoded to (checked when the settings are made)."""
        return HouseFormat.with_heights(
            tuple(self.ladder),
            fps=self.fps,
            gop_seconds=self.gop_seconds,
            segment_seconds=self.segment_seconds,
            segment_format=self.segment_format,
            loudness_i=self.loudness_target,
            loudness_tp=self.true_peak,
            max_duration=self.max_duration_seconds,
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'legaltv.sqlite3').resolve()}"

    @property
    def resolved_storage_path(self) -> Path:
        return (self.storage_local_path or self.data_dir / "store").resolve()

    @property
    def resolved_broker_url(self) -> str:
        return (
            self.broker_url or "filesystem://localhost/"
        )  # a host, so kombu does not warn about its absence

    @property
    def resolved_result_backend(self) -> str:
        return self.result_backend or f"db+sqlite:///{(self.data_dir / 'celery-results.sqlite3').resolve()}"

    @property
    def broker_folder(self) -> Path:
        return (self.data_dir / "broker").resolve()

    @property
    def run_embedded_worker(self) -> bool:
        if self.embedded_worker is not None:
            return self.embedded_worker
        return self.resolved_broker_url.startswith("filesystem://")
