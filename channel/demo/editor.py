"""The demo's editor: a second person who approves the sample programmes (four eyes hold in the demo
too: the admin uploaded them), so a newcomer sees the channel playing at once.

Like the demo admin, the editor's password is kept in the data dir (readable by its owner only); unlike
the admin, the editor is not exempt from two-factor sign-in: signing in as it means enrolling a phone.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from channel.audit import Actor
from channel.auth.service import create_user
from channel.editorial.reviews import airing_approval, approve, revision_of
from channel.models import Programme, Role, User

__all__ = ["DEMO_EDITOR", "approve_samples", "ensure_demo_editor"]

DEMO_EDITOR = "bientap"
_NOTE = "Chương trình mẫu của bản demo: duyệt sẵn để kênh phát ngay / demo sample: approved so the channel plays at once"


def ensure_demo_editor(session: Session, data_dir: Path) -> User:
    """The demo editor (made once; its password in ``demo-editor-password.txt``)."""
    user = session.scalar(select(User).where(User.username == DEMO_EDITOR))
    if user is not None:
        return user
    password = secrets.token_urlsafe(12)
    user = create_user(
        session,
        username=DEMO_EDITOR,
        password=password,
        role=Role.EDITOR,
        display_name="Biên tập viên (demo)",
    )
    session.commit()
    fd = os.open(data_dir / "demo-editor-password.txt", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(password + "\n")
    return user


def approve_samples(
    session: Session, *, programmes: Sequence[Programme], editor: User, cosmetic: Collection[str]
) -> int:
    """Approve the current revision of each sample not approved yet, as ``editor``; how many were."""
    actor = Actor(user_id=editor.id, request_id="cli:demo", now=datetime.now(UTC), roles=editor.roles)
    done = 0
    for programme in programmes:
        if airing_approval(session, programme.id) is not None:
            continue
        row = session.get_one(Programme, programme.id)
        revision = revision_of(session, row, cosmetic=cosmetic)
        approve(
            session,
            programme_id=row.id,
            fingerprint=revision.fingerprint,
            note=_NOTE,
            actor=actor,
            cosmetic=cosmetic,
        )
        done += 1
    return done
