"""Imports every domain's tables so that Base.metadata is complete (for Alembic and tests)."""

from plein.auth import models as auth_models
from plein.exchange import models as exchange_models
from plein.notifications import models as notification_models
from plein.organisations import models as organisation_models
from plein.payments import models as payment_models
from plein.registers.bag import models as bag_models
from plein.registers.brp import models as brp_models
from plein.services import models as service_models
from plein.services import verification as service_verification
from plein.store import models as store_models
from plein.store import wish_models as store_wish_models
from plein.zgw import audit as zgw_audit
from plein.zgw import identificatie as zgw_identificatie
from plein.zgw.autorisaties import models as zgw_autorisaties_models
from plein.zgw.besluiten import models as zgw_besluiten_models  # noqa: F401
from plein.zgw.catalogi import models as zgw_catalogi_models  # noqa: F401
from plein.zgw.documenten import models as zgw_documenten_models  # noqa: F401
from plein.zgw.zaken import models as zgw_zaken_models  # noqa: F401

__all__ = ["auth_models", "bag_models", "brp_models", "exchange_models", "notification_models", "organisation_models",
           "payment_models", "service_models", "service_verification", "store_models", "store_wish_models",
           "zgw_audit", "zgw_autorisaties_models", "zgw_identificatie"]
