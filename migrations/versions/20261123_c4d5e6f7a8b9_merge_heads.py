"""Join the three lines of migrations made side by side (BRP fields, notifications, the ZGW APIs) into one head.

Revision ID: c4d5e6f7a8b9
Revises: b5c6d7e8f9a0, f6a7b8c9d0e1, a2b3c4d5e6f7
Create Date: 2026-11-23 18:00:00
"""

from collections.abc import Sequence

revision: str = "c4d5e6f7a8b9"
down_revision: tuple[str, ...] = ("b5c6d7e8f9a0", "f6a7b8c9d0e1", "a2b3c4d5e6f7")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
