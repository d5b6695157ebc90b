"""Join the migrations made side by side for the store marketplace (costs, reviews, advisories), the sealed client
secrets and the signed checkpoints of the processing log into one head.

Revision ID: d5a7366ca3cd
Revises: c8d9e0f1a2b3, e3c5a7b9d1f2, f3a9c1e7b2d4
Create Date: 2026-12-07 13:00:00
"""

from collections.abc import Sequence

revision: str = "d5a7366ca3cd"
down_revision: tuple[str, ...] = ("c8d9e0f1a2b3", "e3c5a7b9d1f2", "f3a9c1e7b2d4")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
