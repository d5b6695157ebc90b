"""Join the four lines of migrations made side by side for the second and third services (payments, the
templates of releases, verification codes, eHerkenning machtigingen) into one head.

Revision ID: d6e7f8a9b0c1
Revises: 51322bdfc88f, b5e6f7a8c9d0, c1d2e3f4a5b6, c3d4e5f6a7b8
Create Date: 2026-12-07 14:00:00
"""

from collections.abc import Sequence

revision: str = "d6e7f8a9b0c1"
down_revision: tuple[str, ...] = ("51322bdfc88f", "b5e6f7a8c9d0", "c1d2e3f4a5b6", "c3d4e5f6a7b8")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
