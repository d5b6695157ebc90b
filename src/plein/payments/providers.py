"""The payment-provider interface (create a payment, read its status; euro cents, EUR only) and the choice of
provider from the settings: the simulator in dev, demo and test, Mollie for real money."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from plein.errors import NotFound, PleinError, ServiceUnavailable
from plein.payments.models import EUR
from plein.settings import Settings

SIMULATOR, MOLLIE = "simulator", "mollie"
PROVIDERS = (SIMULATOR, MOLLIE)
SIMULATOR_ENVS = ("dev", "demo", "test")


@dataclass(frozen=True)
class NewPayment:
    """What Plein asks a provider to collect. `key` is Plein's own payment id, sent as the idempotency key, so a
    retried request never makes a second payment at the provider."""

    key: str
    amount_cents: int
    description: str
    redirect_url: str  # where the provider sends the citizen afterwards: Plein's return page
    webhook_url: str  # where the provider tells Plein that the status changed
    currency: str = EUR


@dataclass(frozen=True)
class Reported:
    """A payment as its provider reports it, in Plein's terms: one of models.STATUSES, the amount in cents."""

    id: str
    status: str
    amount_cents: int
    currency: str
    checkout_url: str = ""
    expires_at: dt.datetime | None = None


class PaymentProvider(Protocol):
    """A payment provider. The session is for a provider that keeps its payments in Plein's database (the
    simulator); a real provider ignores it. Both raise ProviderUnavailable when the provider cannot be reached,
    ProviderRefused when it refuses, UnknownAtProvider when it does not know the id."""

    name: str

    async def create(self, session: AsyncSession, new: NewPayment) -> Reported:
        """Create the payment at the provider: its id, status (open) and checkout URL."""
        ...

    async def fetch(self, session: AsyncSession, provider_id: str) -> Reported:
        """The payment's current status at the provider."""
        ...


class ProviderUnavailable(ServiceUnavailable):
    """The provider did not answer (network, time-out, its own error): nothing was decided, try again later."""

    code = "payment-provider-unavailable"


class ProviderRefused(PleinError):
    """The provider answered with a refusal (e.g. a wrong API key): a setting or a request of Plein is wrong."""

    status = 502
    title = "The payment provider refused the request"
    code = "payment-provider-refused"


class UnknownAtProvider(NotFound):
    """The provider does not know this payment id."""

    code = "payment-unknown-at-provider"


class NoProvider(ServiceUnavailable):
    """No payment provider is set up (or the one asked for is not allowed here)."""

    code = "payment-provider-not-configured"


def configured(settings: Settings) -> str | None:
    """The provider in use: PLEIN_PAYMENT_PROVIDER, or when that is unset the simulator in dev, demo and test and
    none in production."""
    if settings.payment_provider:
        return settings.payment_provider
    return SIMULATOR if settings.env in SIMULATOR_ENVS else None


def simulator_offered(settings: Settings) -> bool:
    """The simulator's checkout page exists: the simulator is the provider, in dev, demo or test."""
    return configured(settings) == SIMULATOR and settings.env in SIMULATOR_ENVS


def get_provider(settings: Settings, name: str | None = None) -> PaymentProvider:
    """The provider called `name` (default: the one in use), set up from the settings. A payment made with another
    provider than the one in use now can still be checked, as long as that provider is still allowed and set up."""
    name = name or configured(settings)
    if name == SIMULATOR:
        if settings.env not in SIMULATOR_ENVS:
            raise NoProvider("de betaalsimulator bestaat alleen op een ontwikkel-, demo- of testomgeving")
        from plein.payments.simulator import SimulatorProvider

        return SimulatorProvider()
    if name == MOLLIE:
        key = settings.mollie_api_key.get_secret_value()
        if not key:
            raise NoProvider("er is geen Mollie API-sleutel ingesteld (PLEIN_MOLLIE_API_KEY)")
        from plein.payments.mollie import MollieProvider

        return MollieProvider(key, settings.mollie_api_url, settings.payments_timeout)
    raise NoProvider("betalen is op deze omgeving niet ingesteld: PLEIN_PAYMENT_PROVIDER is leeg")
