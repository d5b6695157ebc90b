"""Payment settings: production refuses the simulator and a Mollie test key; Mollie needs its key; without a provider
set, dev, demo and test use the simulator and production starts no payment."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import SecretStr

from plein.payments import providers
from plein.payments.simulator import SimulatorProvider
from plein.settings import Settings
from tests.factories import LOG_SIGNING_KEY, SEALING_KEY

SAFE: dict[str, Any] = {"env": "production", "secret_key": SecretStr("s" * 48), "login_simulator": False,
                        "session_cookie_secure": True, "client_secret_keys": SecretStr(SEALING_KEY),
                        "log_signing_key": SecretStr(LOG_SIGNING_KEY)}


def test_production_refuses_the_payment_simulator() -> None:
    with pytest.raises(ValueError, match="PLEIN_PAYMENT_PROVIDER must not be simulator"):
        Settings(**SAFE, payment_provider="simulator")


def test_production_without_a_provider_starts_no_payment() -> None:
    settings = Settings(**SAFE)
    assert providers.configured(settings) is None
    assert not providers.simulator_offered(settings)
    with pytest.raises(providers.NoProvider, match="PLEIN_PAYMENT_PROVIDER"):
        providers.get_provider(settings)
    with pytest.raises(providers.NoProvider, match="betaalsimulator"):
        providers.get_provider(settings, "simulator")  # not even to check an old simulated payment


def test_production_takes_mollie_with_a_live_key_only() -> None:
    with pytest.raises(ValueError, match="must be a live key"):
        Settings(**SAFE, payment_provider="mollie", mollie_api_key=SecretStr("test_abc"))
    settings = Settings(**SAFE, payment_provider="mollie", mollie_api_key=SecretStr("live_abc"))
    assert providers.get_provider(settings).name == "mollie"


def test_mollie_needs_its_key() -> None:
    with pytest.raises(ValueError, match="PLEIN_MOLLIE_API_KEY must be set"):
        Settings(env="test", payment_provider="mollie")


@pytest.mark.parametrize("env", ["dev", "demo", "test"])
def test_dev_demo_and_test_use_the_simulator_by_default(env: str) -> None:
    settings = Settings(env=env)
    assert providers.configured(settings) == "simulator"
    assert providers.simulator_offered(settings)
    assert isinstance(providers.get_provider(settings), SimulatorProvider)


def test_the_settings_are_described_and_the_key_masked() -> None:
    rows = {name: (shown, text) for name, shown, text in
            Settings(env="test", payment_provider="mollie", mollie_api_key=SecretStr("test_secret")).describe()}
    for name in ("PLEIN_PAYMENT_PROVIDER", "PLEIN_MOLLIE_API_KEY", "PLEIN_MOLLIE_API_URL", "PLEIN_PAYMENTS_TIMEOUT",
                 "PLEIN_PAYMENTS_CHECK_AFTER_MINUTES", "PLEIN_PAYMENTS_EXPIRY_GRACE_MINUTES"):
        assert rows[name][1]
    assert rows["PLEIN_MOLLIE_API_KEY"][0] == "********"
