"""Payments test fixtures: settings whose base URL is the test client's, listeners that record what they are told,
and a fake of Mollie's API on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plein.payments import service
from plein.settings import Settings
from tests.payments.fake_mollie import FakeMollie
from tests.payments.helpers import BASE_URL, KIND, Calls


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(env="test", database_url=database_url, data_dir=tmp_path / "data", base_url=BASE_URL)


@pytest.fixture
def calls() -> Iterator[Calls]:
    recorder = Calls()
    service.on_paid(KIND, recorder.on_paid)
    service.on_failed(KIND, recorder.on_failed)
    yield recorder
    service.remove_listener(KIND, recorder.on_paid)
    service.remove_listener(KIND, recorder.on_failed)


@pytest.fixture
def fake_mollie() -> Iterator[FakeMollie]:
    fake = FakeMollie().start()
    yield fake
    fake.stop()
