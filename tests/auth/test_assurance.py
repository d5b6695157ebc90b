"""Levels of assurance: what brokers send maps to DigiD and eHerkenning levels, in order, never across schemes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plein.auth import assurance
from plein.auth.assurance import DIGID_LEVELS, EHERKENNING_LEVELS, meets, parse_level, principal_meets

SAML = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
ETOEGANG = "urn:etoegang:core:assurance-class:"
ALL_LEVELS = DIGID_LEVELS + EHERKENNING_LEVELS


@pytest.mark.parametrize(("value", "level"), [
    (SAML + "PasswordProtectedTransport", "basis"), (SAML + "MobileTwoFactorContract", "midden"),
    (SAML + "Smartcard", "substantieel"), (SAML + "SmartcardPKI", "hoog"),
    ("substantieel", "substantieel"), ("DigiD Hoog", "hoog"), (" Midden ", "midden"), ("25", "substantieel"),
    (ETOEGANG + "loa1", "EH1"), (ETOEGANG + "loa2", "EH2"), (ETOEGANG + "loa2plus", "EH2+"),
    (ETOEGANG + "loa3", "EH3"), (ETOEGANG + "loa4", "EH4"), ("EH3", "EH3"), ("eh2+", "EH2+"), ("loa4", "EH4"),
])
def test_what_brokers_send_maps_to_a_level(value: str, level: str) -> None:
    assert parse_level(value) == level


def test_unknown_values_and_other_schemes_give_no_level() -> None:
    for value in ("", "gemiddeld", SAML + "Password", "EH5", None, 3, True, ["hoog"]):
        assert parse_level(value) is None, value
    assert parse_level("EH3", assurance.DIGID) is None and parse_level("hoog", assurance.EHERKENNING) is None
    assert parse_level(ETOEGANG + "loa3", assurance.EHERKENNING) == "EH3"


def test_levels_are_ordered() -> None:
    assert meets("substantieel", "midden") and meets("hoog", "hoog") and not meets("midden", "substantieel")
    assert meets("EH2+", "EH2") and not meets("EH2", "EH2+") and meets("EH4", "EH3")
    assert meets(None, None) and meets("basis", None) and not meets(None, "basis")
    with pytest.raises(ValueError, match="unknown level"):
        meets("hoog", "zeer hoog")


@given(st.sampled_from(ALL_LEVELS), st.sampled_from(ALL_LEVELS))
def test_a_level_meets_a_requirement_only_in_its_own_scheme_and_order(level: str, required: str) -> None:
    same = assurance.scheme_of(level) == assurance.scheme_of(required)
    order = DIGID_LEVELS if level in DIGID_LEVELS else EHERKENNING_LEVELS
    assert meets(level, required) == (same and order.index(level) >= order.index(required))
    assert meets(level, level)
    assert parse_level(assurance.acr_value(level)) == level  # what Plein asks for, it understands back


@given(st.sampled_from(ALL_LEVELS))
def test_citizens_meet_digid_requirements_and_businesses_eherkenning_ones(required: str) -> None:
    digid = required in DIGID_LEVELS
    assert principal_meets("citizen", "hoog", required) == digid
    assert principal_meets("business", "EH4", required) == (not digid)
    assert not principal_meets("staff", "hoog", required) and principal_meets("staff", None, None)


@given(st.text(max_size=60))
def test_parsing_any_text_gives_a_known_level_or_none(value: str) -> None:
    assert parse_level(value) in (None, *ALL_LEVELS)
