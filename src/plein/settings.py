"""Plein's settings: every PLEIN_* environment variable, each with its description and default."""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
from pathlib import Path
from typing import Literal

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "insecure-development-secret-change-me"  # noqa: S105 - refused in production
# a Fernet key (base64 of these 32 bytes) for dev, demo and test only: refused in production
DEFAULT_CLIENT_SECRET_KEY = base64.urlsafe_b64encode(b"plein-development-key-not-secret").decode()
APP_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # the shape of an app id in the store (plein.yaml `id`)


Networks = tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

def networks(text: str) -> Networks:
    """Comma-separated addresses or networks (CIDR) as networks; ValueError naming the one that is not."""
    found = []
    for part in (piece.strip() for piece in text.split(",")):
        if part:
            try:
                found.append(ipaddress.ip_network(part, strict=False))
            except ValueError as exc:
                raise ValueError(f"{part!r} is not an IP address or network (like 10.1.2.0/24)") from exc
    return tuple(found)


class SettingsError(ValueError):
    """The settings are not safe or not usable; the message says which setting and why."""


class Settings(BaseSettings):
    """Plein's configuration. Each field is read from the environment variable PLEIN_<NAME>."""

    model_config = SettingsConfigDict(env_prefix="PLEIN_", env_file=None, extra="ignore")

    env: Literal["dev", "demo", "test", "production"] = Field(
        "dev", description="Where Plein runs: dev, demo, test or production. Production refuses unsafe settings."
    )
    database_url: str = Field(
        "sqlite+aiosqlite:///var/plein.db",
        description="SQLAlchemy URL of the database: sqlite+aiosqlite:///path.db or "
        "postgresql+asyncpg://user:password@host/db.",
    )
    database_pool_size: int = Field(
        20, gt=0, le=1000, description="PostgreSQL connections each server process keeps open. A request holds "
        "one while it queries: about the number of requests one process serves at once. When PostgreSQL has few "
        "cores, fewer serve more (it switches between fewer backends): see the README, 'Running at scale'. All "
        "processes together must stay below the server's max_connections.",
    )
    database_pool_overflow: int = Field(
        10, ge=0, le=1000, description="PostgreSQL connections a server process may open beyond its pool in a "
        "burst; each is closed again when it is returned to a full pool. Opening one costs PostgreSQL a new "
        "backend, so under steady load a pool that is large enough (or 0 here) does better than many overflows.",
    )
    secret_key: SecretStr = Field(
        SecretStr(DEFAULT_SECRET),
        description="Secret that signs login sessions. Must be set to a long random value in production.",
    )
    log_signing_key: SecretStr = Field(
        SecretStr(""), description="The Ed25519 private key that signs the processing log's checkpoints: 32 random "
        "bytes in base64 (`plein exchange log new-key` makes one). Required in production; elsewhere, when unset, "
        "one is made once and kept in PLEIN_DATA_DIR/log-signing-key. Its public key is served with the "
        "checkpoints: publish it where citizens and auditors can find it without trusting this server.",
    )
    log_previous_public_keys: str = Field(
        "", description="After the signing key was replaced: the public keys (base64, comma-separated) of the keys "
        "that signed earlier checkpoints, so that those still verify. They are served with the checkpoints "
        "(docs/processing-log.md, 'Replacing the signing key').",
    )
    log_checkpoint_interval: int = Field(
        300, ge=0, le=24 * 3600, description="Seconds between the signed checkpoints of the processing log that the "
        "server makes in the background (only when records were added); 0: none in the background (`plein exchange "
        "log checkpoint` makes one on demand).",
    )
    client_secret_keys: SecretStr = Field(
        SecretStr(DEFAULT_CLIENT_SECRET_KEY),
        description="Fernet keys (comma-separated; make one with `plein exchange clients new-key`) that encrypt the "
        "API clients' secrets in the database. The first encrypts; every one decrypts. To rotate: put a new key "
        "first, run `plein exchange clients reseal-secrets`, then remove the old key. Must be set in production.",
    )
    login_simulator: bool = Field(
        True, description="Offer the demo login simulator (test citizens and companies). Never in production."
    )
    base_url: str = Field(
        "http://127.0.0.1:8000", description="The public address of this Plein, used in links and API documents."
    )
    data_dir: Path = Field(Path("var"), description="Folder for uploaded packages and other files Plein stores.")
    store_max_archive_bytes: int = Field(
        20 * 1024 * 1024, gt=0, description="Largest app package archive accepted for upload, in bytes."
    )
    store_max_unpacked_bytes: int = Field(
        100 * 1024 * 1024, gt=0, description="Largest total size of an app package once unpacked, in bytes."
    )
    store_review_min_days: int = Field(
        30, ge=0, le=3650, description="Days a municipality's adoption of an app must have been active before that "
        "municipality may review the app (only verified adopters review)."
    )
    spectral_bin: str | None = Field(
        None, description="Command that runs Spectral for the OpenAPI check; found in node_modules when unset."
    )
    log_level: Literal["debug", "info", "warning", "error"] = Field("info", description="Log level of the server.")
    session_cookie_secure: bool = Field(
        False, description="Send the session cookie over HTTPS only. Set to true behind HTTPS (always in production)."
    )
    session_idle_minutes: int = Field(
        15, gt=0, le=24 * 60, description="A web login (staff, citizen or business) ends after this many minutes "
        "without a request. Activity is recorded at most once a minute, so a login may end up to a minute early.",
    )
    session_max_hours: float = Field(
        12, gt=0, le=7 * 24, description="A web login ends this many hours after logging in, however active it is "
        "(the absolute limit).",
    )
    digid_issuer: str = Field(
        "", description="Issuer URL of the OpenID Connect broker for DigiD (its discovery document is at "
        "<issuer>/.well-known/openid-configuration). Empty: logging in with DigiD is off.",
    )
    digid_client_id: str = Field("", description="Plein's client id at the DigiD broker.")
    digid_client_secret: SecretStr = Field(SecretStr(""), description="Plein's client secret at the DigiD broker.")
    digid_scope: str = Field(
        "openid", description="Scopes asked of the DigiD broker, separated by spaces (openid is always asked).",
    )
    digid_bsn_claim: str = Field("bsn", description="Claim of the DigiD broker's id_token that holds the BSN.")
    digid_loa_claim: str = Field(
        "acr", description="Claim of the DigiD broker's id_token that holds the level of assurance (a SAML "
        "AuthnContextClassRef such as urn:oasis:names:tc:SAML:2.0:ac:classes:Smartcard, or a name such as "
        "substantieel).",
    )
    eherkenning_issuer: str = Field(
        "", description="Issuer URL of the OpenID Connect broker for eHerkenning (its discovery document is at "
        "<issuer>/.well-known/openid-configuration). Empty: logging in with eHerkenning is off.",
    )
    eherkenning_client_id: str = Field("", description="Plein's client id at the eHerkenning broker.")
    eherkenning_client_secret: SecretStr = Field(
        SecretStr(""), description="Plein's client secret at the eHerkenning broker."
    )
    eherkenning_scope: str = Field(
        "openid", description="Scopes asked of the eHerkenning broker, separated by spaces (openid is always asked).",
    )
    eherkenning_kvk_claim: str = Field(
        "urn:etoegang:core:LegalSubjectID",
        description="Claim of the eHerkenning broker's id_token that holds the company's KvK number (8 digits).",
    )
    eherkenning_branch_claim: str = Field(
        "urn:etoegang:1.9:ServiceRestriction:Vestigingsnr",
        description="Claim of the eHerkenning broker's id_token that holds the vestigingsnummer (12 digits) when the "
        "login is for one branch.",
    )
    eherkenning_acting_person_claim: str = Field(
        "urn:etoegang:core:ActingSubjectID",
        description="Claim of the eHerkenning broker's id_token that names the person acting for the company.",
    )
    eherkenning_loa_claim: str = Field(
        "acr", description="Claim of the eHerkenning broker's id_token that holds the level of assurance (such as "
        "urn:etoegang:core:assurance-class:loa3, or EH3).",
    )
    eherkenning_service_claim: str = Field(
        "urn:etoegang:core:ServiceID",
        description="Claim of the eHerkenning broker's id_token that names the service (dienst) the login is for, "
        "which the acting person holds a machtiging for: one value or a list. Each value is looked up in "
        "PLEIN_EHERKENNING_SERVICES; a value that is not there but is itself a Plein app id (such as "
        "aangifte-overlijden) counts as that app. Plein asks the broker for this claim with the service's id when "
        "a login is for one service. Empty: no machtigingen are read, so no business service can be used.",
    )
    eherkenning_services: dict[str, str] = Field(
        default_factory=dict,
        description="The eHerkenning service ids of Plein's services as registered in the dienstencatalogus, as "
        "JSON: broker service id (e.g. urn:etoegang:DV:<OIN>:services:<index>, or the ServiceUUID) to Plein app id, "
        'e.g. {"urn:etoegang:DV:00000001234567890000:services:9": "aangifte-overlijden"}. Empty: the broker sends '
        "(and is asked for) Plein's app ids themselves.",
    )
    notifications_in_process: bool = Field(
        True, description="Deliver notifications from inside `plein serve` (a background loop). Turn off when "
        "separate `plein worker` processes deliver."
    )
    notifications_max_attempts: int = Field(
        15, gt=0, le=1000, description="Attempts to deliver a notification to a subscriber before it is parked "
        "(kept, shown on the admin page and API, and resendable). With the default delays the attempts span up to "
        "about five hours."
    )
    notifications_base_delay: float = Field(
        2.0, gt=0, description="Seconds before the first retry; each retry waits up to twice as long (exponential "
        "backoff with full jitter)."
    )
    notifications_max_delay: float = Field(
        3600.0, gt=0, description="Longest wait between two attempts to deliver a notification, in seconds."
    )
    notifications_batch_size: int = Field(
        100, gt=0, le=10_000, description="Deliveries a worker claims at once."
    )
    notifications_concurrency: int = Field(
        20, gt=0, le=1000, description="Requests a worker sends to subscribers at the same time."
    )
    notifications_timeout: float = Field(
        10.0, gt=0, description="Seconds a subscriber has to answer a notification before the attempt fails."
    )
    notifications_lease_seconds: float = Field(
        60.0, gt=0, description="How long a claimed delivery stays with its worker; if the worker dies, another "
        "takes the delivery over after this time. Must be longer than PLEIN_NOTIFICATIONS_TIMEOUT."
    )
    notifications_poll_interval: float = Field(
        1.0, gt=0, description="Seconds an idle worker waits before it looks for due deliveries again."
    )
    notifications_private_callbacks: bool | None = Field(
        None, description="Accept abonnementen (from the Notificaties API) whose callbackUrl is localhost or a "
        "loopback, private, link-local or reserved IP address. Unset: accepted in dev, demo and test, refused in "
        "production, so that no client can make Plein call services on its internal network."
    )
    notifications_internal_networks: str = Field(
        "", description="Comma-separated IP addresses or networks (e.g. 10.20.0.0/16,192.168.5.7) of internal "
        "receivers that abonnementen may call back even where only global addresses are allowed (production). "
        "Checked when an abonnement is made and again at every delivery, after the name is resolved."
    )
    notifications_oin: str = Field(
        "00000001318149795000", pattern=r"^\d{20}$", description="OIN of this Plein as a system: the CloudEvents "
        "`source` (urn:nld:oin:<OIN>:systeem:plein) of notifications without a source organisation."
    )
    zgw_selectielijst_url: str | None = Field(
        None, description="Base URL of the VNG Selectielijst API that zaaktypen (selectielijstProcestype) and "
        "resultaattypen (selectielijstklasse) must point into; each such URL is checked to resolve. `local`: Plein's "
        "own small copy, served at /selectielijst/api/v1/. `off`: not checked. Unset: local in dev, demo and test, "
        "https://selectielijst.openzaak.nl/api/v1 in production."
    )
    zgw_referentielijsten_url: str | None = Field(
        None, description="Base URL of the VNG Referentielijsten API that a zaak's communicatiekanaal and a "
        "resultaattype's resultaattypeomschrijving must point into; `local`, `off` and unset as for "
        "PLEIN_ZGW_SELECTIELIJST_URL (production: https://referentielijsten-api.vng.cloud/api/v1)."
    )
    zgw_reference_timeout: float = Field(
        3.0, gt=0, le=60, description="Seconds the Selectielijst or Referentielijsten API has to answer a check."
    )
    zgw_reference_cache_seconds: float = Field(
        3600.0, ge=0, description="How long a checked Selectielijst or Referentielijsten URL is remembered."
    )
    services_in_process: bool = Field(
        True, description="Decide straight-through aanvragen (a service's rule held) from inside `plein serve`, at "
        "once after they are submitted. Turn off when separate `plein worker` processes do it."
    )
    services_decide_batch: int = Field(
        50, gt=0, le=1000, description="Due straight-through aanvragen `plein worker --once` takes up at a time (the "
        "running loop keeps PLEIN_SERVICES_DECIDE_CONCURRENCY decisions going, starting the next as one ends)."
    )
    services_decide_concurrency: int = Field(
        8, gt=0, le=100, description="Straight-through decisions one process makes at the same time (each is one "
        "database transaction that changes the registers, and holds a database connection while it runs: keep it "
        "well below PLEIN_DATABASE_POOL_SIZE). With many submissions at once, too few make decisions fall behind "
        "(bench/services.py: 4 fell behind 16 concurrent submissions, 16 kept up)."
    )
    services_concept_days: int = Field(
        30, gt=0, le=366, description="Days a half-finished form (a concept aanvraag) is kept after it was last "
        "changed; then it is deleted with its uploaded files."
    )
    services_unpaid_days: int = Field(
        30, gt=0, le=366, description="Days after submission an aanvraag whose fee (leges) is still unpaid is closed "
        "without handling, with the reason for the applicant; never while a payment is still open."
    )
    payment_provider: Literal["simulator", "mollie"] | None = Field(
        None, description="Who collects fees (leges): simulator (a checkout page where the tester pays, cancels or "
        "lets the payment fail; no money; dev, demo and test only) or mollie (real payments, with "
        "PLEIN_MOLLIE_API_KEY). Unset: the simulator in dev, demo and test; in production no payments can be started "
        "until it is set. Production refuses the simulator.",
    )
    mollie_api_key: SecretStr = Field(
        SecretStr(""), description="Plein's Mollie API key (live_… for real payments, test_… for Mollie's test mode; "
        "production refuses a test key). Needed when PLEIN_PAYMENT_PROVIDER is mollie.",
    )
    mollie_api_url: str = Field(
        "https://api.mollie.com", description="Address of Mollie's API (another one only to test against a fake).",
    )
    payments_timeout: float = Field(
        10.0, gt=0, le=120, description="Seconds the payment provider has to answer one request (creating a payment "
        "or reading its status). Creating one is retried for up to two more seconds after a connection error, 429 "
        "or 5xx.",
    )
    payments_check_after_minutes: int = Field(
        5, gt=0, le=24 * 60, description="A payment still open this many minutes after it was made (no webhook came, "
        "the citizen did not come back) is checked at the provider by the background status check, and again every "
        "this many minutes while it stays open.",
    )
    payments_expiry_grace_minutes: int = Field(
        60, ge=0, le=7 * 24 * 60, description="A payment the provider still reports open (or that cannot be checked) "
        "this many minutes after the provider's expiry time is marked expired by Plein; if the provider reports it "
        "paid after all, it still counts as paid.",
    )

    @property
    def internal_callback_networks(self) -> Networks:
        """PLEIN_NOTIFICATIONS_INTERNAL_NETWORKS as networks (checked when the settings are made)."""
        return networks(self.notifications_internal_networks)

    @property
    def allows_private_callbacks(self) -> bool:
        if self.notifications_private_callbacks is not None:
            return self.notifications_private_callbacks
        return self.env != "production"

    @model_validator(mode="after")
    def _check_notifications(self) -> Settings:
        for key in self.client_secret_keys.get_secret_value().split(","):
            try:
                Fernet(key.strip())
            except ValueError as exc:
                raise SettingsError("PLEIN_CLIENT_SECRET_KEYS: each key must be a Fernet key (32 bytes, url-safe "
                                    "base64); make one with `plein exchange clients new-key`") from exc
        try:
            networks(self.notifications_internal_networks)
        except ValueError as exc:
            raise SettingsError(f"PLEIN_NOTIFICATIONS_INTERNAL_NETWORKS: {exc}") from exc
        if self.notifications_lease_seconds <= self.notifications_timeout:
            raise SettingsError("PLEIN_NOTIFICATIONS_LEASE_SECONDS must be longer than PLEIN_NOTIFICATIONS_TIMEOUT, "
                                "or a slow delivery could be sent twice at once")
        if self.notifications_max_delay < self.notifications_base_delay:
            raise SettingsError("PLEIN_NOTIFICATIONS_MAX_DELAY must not be shorter than PLEIN_NOTIFICATIONS_BASE_DELAY")
        return self

    @property
    def simulator_enabled(self) -> bool:
        """The login simulator is offered: switched on, and never in production."""
        return self.login_simulator and self.env != "production"

    @model_validator(mode="after")
    def _check_login_brokers(self) -> Settings:
        for name in ("digid", "eherkenning"):
            issuer = getattr(self, f"{name}_issuer")
            if not issuer:
                continue
            variable = f"PLEIN_{name.upper()}"
            if not issuer.startswith(("https://", "http://")):
                raise SettingsError(f"{variable}_ISSUER must be an http(s) URL, not {issuer!r}")
            if not getattr(self, f"{name}_client_id"):
                raise SettingsError(f"{variable}_CLIENT_ID must be set when {variable}_ISSUER is")
            if self.env == "production" and not issuer.startswith("https://"):
                raise SettingsError(f"unsafe production settings: {variable}_ISSUER must be an https:// URL")
        for service, app in self.eherkenning_services.items():
            if not service.strip() or not APP_ID.fullmatch(app):
                raise SettingsError(f"PLEIN_EHERKENNING_SERVICES: {service!r} must map to a Plein app id (lower-case "
                                    f"words joined by hyphens, such as aangifte-overlijden), not {app!r}")
        return self

    @model_validator(mode="after")
    def _check_payments(self) -> Settings:
        if self.payment_provider == "mollie" and not self.mollie_api_key.get_secret_value():
            raise SettingsError("PLEIN_MOLLIE_API_KEY must be set when PLEIN_PAYMENT_PROVIDER is mollie")
        if not self.mollie_api_url.startswith(("https://", "http://")):
            raise SettingsError(f"PLEIN_MOLLIE_API_URL must be an http(s) URL, not {self.mollie_api_url!r}")
        return self

    @model_validator(mode="after")
    def _check_log_signing_key(self) -> Settings:
        value = self.log_signing_key.get_secret_value()
        try:
            size = len(base64.b64decode(value, validate=True))
        except binascii.Error:
            size = -1
        if value and size != 32:
            raise SettingsError("PLEIN_LOG_SIGNING_KEY must be an Ed25519 private key: 32 bytes in base64 "
                                "(`plein exchange log new-key` makes one)")
        for number, previous in enumerate(self.previous_log_keys(), start=1):
            try:
                size = len(base64.b64decode(previous, validate=True))
            except binascii.Error:
                size = -1
            if size != 32:
                raise SettingsError(f"PLEIN_LOG_PREVIOUS_PUBLIC_KEYS: key {number} is not an Ed25519 public key "
                                    "(32 bytes in base64, as `plein exchange log public-key` printed it)")
        return self

    def previous_log_keys(self) -> list[str]:
        """PLEIN_LOG_PREVIOUS_PUBLIC_KEYS, one per item."""
        return [item.strip() for item in self.log_previous_public_keys.split(",") if item.strip()]

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        problems = []
        secret = self.secret_key.get_secret_value()
        if secret == DEFAULT_SECRET or len(secret) < 32:
            problems.append("PLEIN_SECRET_KEY must be set to a random value of at least 32 characters")
        if not self.log_signing_key.get_secret_value():
            problems.append("PLEIN_LOG_SIGNING_KEY must be set: the processing log's checkpoints are signed with it")
        if DEFAULT_CLIENT_SECRET_KEY in self.client_secret_keys.get_secret_value().split(","):
            problems.append("PLEIN_CLIENT_SECRET_KEYS must not hold the development key: make one with `plein "
                            "exchange clients new-key`")
        if self.login_simulator:
            problems.append("PLEIN_LOGIN_SIMULATOR must be false: the login simulator is for dev and demo only")
        if self.payment_provider == "simulator":
            problems.append("PLEIN_PAYMENT_PROVIDER must not be simulator: the payment simulator is for dev, demo and "
                            "test only")
        if self.payment_provider == "mollie" and not self.mollie_api_key.get_secret_value().startswith("live_"):
            problems.append("PLEIN_MOLLIE_API_KEY must be a live key (live_…): a test key takes no real payments")
        if self.payment_provider == "mollie" and not self.mollie_api_url.startswith("https://"):
            problems.append("PLEIN_MOLLIE_API_URL must be an https:// URL in production")
        if not self.session_cookie_secure:
            problems.append("PLEIN_SESSION_COOKIE_SECURE must be true in production")
        if problems:
            raise SettingsError("unsafe production settings: " + "; ".join(problems))
        return self

    def masked_database_url(self) -> str:
        return _mask_password(self.database_url)

    def describe(self) -> list[tuple[str, str, str]]:
        """(environment variable, current value with secrets masked, description) for `plein config`."""
        rows = []
        for name, info in type(self).model_fields.items():
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                secret = value.get_secret_value()
                shown = "(default, insecure)" if secret == DEFAULT_SECRET else "********" if secret else "(not set)"
            elif name == "database_url":
                shown = self.masked_database_url()
            else:
                shown = "" if value is None else str(value)
            rows.append((f"PLEIN_{name.upper()}", shown, info.description or ""))
        return rows


def _mask_password(url: str) -> str:
    """Hide the password in a database URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user, colon, _ = credentials.partition(":")
    return f"{scheme}://{user}{':********' if colon else ''}@{host}"
