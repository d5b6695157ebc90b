"""Pages: templates, static assets and the routes shared by all domains."""

from __future__ import annotations

from fastapi import FastAPI


def include(app: FastAPI) -> None:
    """Mount the static files and every domain's pages."""
    from plein.notifications import views as notification_views
    from plein.organisations import views as organisation_views
    from plein.payments import views as payment_views
    from plein.services import desk as service_desk
    from plein.services import portal as portal_views
    from plein.services import verification_views
    from plein.services import views as service_views
    from plein.services import zakelijk as business_views
    from plein.store import views as store_views
    from plein.web import views

    views.include(app)
    store_views.include(app)
    notification_views.include(app)
    organisation_views.include(app)
    service_views.include(app)
    portal_views.include(app)
    service_desk.include(app)
    payment_views.include(app)
    business_views.include(app)
    verification_views.include(app)
