"""The Mollie provider: Mollie's official Python SDK (mollie-api-py, asynchronous, on httpx) behind Plein's provider
interface. Why Mollie and this SDK: docs/payments.md."""

from __future__ import annotations

import datetime as dt
import functools
import logging
import ssl
from collections.abc import Awaitable, Callable
from decimal import Decimal, InvalidOperation

import httpx
import mollie
from mollie import ClientSDK, models
from mollie.utils import BackoffStrategy, RetryConfig
from sqlalchemy.ext.asyncio import AsyncSession

from plein.payments.models import CANCELED, EXPIRED, FAILED, OPEN, PAID
from plein.payments.providers import NewPayment, ProviderRefused, ProviderUnavailable, Reported, UnknownAtProvider

logger = logging.getLogger("plein.payments")

# Mollie's statuses in Plein's terms: pending and authorized are still on their way to paid or not.
STATUSES = {"open": OPEN, "pending": OPEN, "authorized": OPEN, "paid": PAID, "canceled": CANCELED,
            "expired": EXPIRED, "failed": FAILED}
# Creating a payment is retried when it may pass (connection errors, 429, 5xx) for about two seconds: safe, since
# Plein sends its payment id as the idempotency key. A status read is not retried here: the webhook then answers 503
# (Mollie calls it again later), the return page says the payment is not confirmed yet, and the status check asks
# again in a few minutes; none of them keeps a citizen or Mollie waiting.
RETRIES = RetryConfig("backoff", BackoffStrategy(250, 1000, 2.0, 2000), True)


@functools.cache
def _tls() -> ssl.SSLContext:
    """One TLS context for every request (building one reads the CA bundle: about 20 ms)."""
    return httpx.create_ssl_context()


@functools.cache
def _unused_sync_client() -> httpx.Client:
    """The SDK wants a synchronous client too; Plein only uses the asynchronous methods."""
    return httpx.Client(verify=_tls())


class MollieProvider:
    """Payments at Mollie (https://docs.mollie.com/reference/payments-api). `api_url` is Mollie's API, or in tests
    a fake of it on loopback; the SDK is the real one either way."""

    name = "mollie"

    def __init__(self, api_key: str, api_url: str, timeout: float) -> None:
        self.api_key = api_key
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout

    async def create(self, session: AsyncSession, new: NewPayment) -> Reported:
        body: models.PaymentRequestTypedDict = {
            "amount": {"currency": new.currency, "value": amount_value(new.amount_cents)},
            "description": new.description, "redirect_url": new.redirect_url, "webhook_url": new.webhook_url,
            "metadata": {"plein": new.key}}
        return await self._call(lambda sdk: sdk.payments.create_async(payment_request=body,
                                                                        idempotency_key=new.key))

    async def fetch(self, session: AsyncSession, provider_id: str) -> Reported:
        return await self._call(lambda sdk: sdk.payments.get_async(payment_id=provider_id, retries=None), provider_id)

    async def _call(self, operation: Callable[[ClientSDK], Awaitable[models.PaymentResponse]],
                    provider_id: str | None = None) -> Reported:
        try:
            async with httpx.AsyncClient(verify=_tls(), timeout=self.timeout, follow_redirects=True) as http:
                sdk = ClientSDK(security=mollie.Security(api_key=self.api_key), server_url=self.api_url,
                                client=_unused_sync_client(), async_client=http, retry_config=RETRIES,
                                timeout_ms=int(self.timeout * 1000))
                response = await operation(sdk)
        except models.ClientError as exc:
            raise _refusal(exc, provider_id) from exc
        except (httpx.HTTPError, models.NoResponseError) as exc:
            logger.warning("Mollie did not answer: %s", exc)
            raise ProviderUnavailable(f"de betaaldienst Mollie is nu niet bereikbaar ({type(exc).__name__}); "
                                      "probeer het over een paar minuten opnieuw") from exc
        return reported(response)


def _refusal(exc: models.ClientError, provider_id: str | None) -> Exception:
    status = exc.status_code
    detail = exc.data.detail if isinstance(exc, models.ErrorResponse) else exc.message
    if status == 429 or status >= 500:
        logger.warning("Mollie answered %d: %s", status, detail)
        return ProviderUnavailable(f"de betaaldienst Mollie heeft een storing (HTTP {status}); probeer het over een "
                                   "paar minuten opnieuw")
    if status == 404 and provider_id is not None:
        return UnknownAtProvider(f"Mollie kent betaling {provider_id} niet")
    logger.error("Mollie refused the request (HTTP %d): %s", status, detail)
    if status == 401:
        return ProviderRefused("Mollie weigert de API-sleutel (PLEIN_MOLLIE_API_KEY): controleer de instelling")
    return ProviderRefused(f"Mollie weigert het verzoek (HTTP {status}): {detail}")


def reported(response: models.PaymentResponse) -> Reported:
    """Mollie's payment in Plein's terms."""
    status = str(getattr(response.status, "value", response.status))
    if status not in STATUSES:
        logger.warning("Mollie reports an unknown status %r for %s; treated as open", status, response.id)
    checkout = response.links.checkout
    expires = response.expires_at if isinstance(response.expires_at, str) else None
    return Reported(id=response.id, status=STATUSES.get(status, OPEN), amount_cents=cents(response.amount.value),
                    currency=response.amount.currency, checkout_url=checkout.href if checkout else "",
                    expires_at=_timestamp(expires))


def amount_value(amount_cents: int) -> str:
    """Euro cents as Mollie writes an amount: 1250 → '12.50'."""
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


def cents(value: str) -> int:
    """Mollie's amount ('12.50') in cents; ProviderRefused when it is not a whole number of cents."""
    try:
        number = Decimal(value) * 100
    except InvalidOperation as exc:
        raise ProviderRefused(f"Mollie meldt een bedrag dat geen getal is: {value!r}") from exc
    if not number.is_finite() or number != number.to_integral_value():
        raise ProviderRefused(f"Mollie meldt een bedrag dat geen hele centen is: {value!r}")
    return int(number)


def _timestamp(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
