"""Join the migrations made side by side for the store's federation, joint demand (wensen), curation (policy,
standards, withdrawn releases) and ended municipalities into one head.

Revision ID: d1ad75f9f9a3
Revises: 0b783d4b3a36, 4b9e2c7a1f03, 5aeb3233eedf, e098f1ef4b3e
Create Date: 2026-12-07 15:50:00
"""

from collections.abc import Sequence

revision: str = "d1ad75f9f9a3"
down_revision: tuple[str, ...] = ("0b783d4b3a36", "4b9e2c7a1f03", "5aeb3233eedf", "e098f1ef4b3e")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
