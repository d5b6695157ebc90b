"""Imports every domain's tables so that Base.metadata is complete (for Alembic and tests)."""

from plein.auth import models as auth_models
from plein.exchange import models as exchange_models
from plein.organisations import models as organisation_models
from plein.registers.bag import models as bag_models
from plein.registers.brp import models as brp_models
from plein.store import models as store_models
from plein.zgw.autorisaties import models as zgw_autorisaties_models

__all__ = [
    "auth_models", "bag_models", "brp_models", "exchange_models", "organisation_models", "store_models",
    "zgw_autorisaties_models",
]
