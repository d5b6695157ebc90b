"""Levels of assurance (betrouwbaarheidsniveaus) of DigiD and eHerkenning: what brokers send, their order, and
whether a login's level meets what a service requires."""

from __future__ import annotations

from typing import Literal

Scheme = Literal["digid", "eherkenning"]
DIGID: Scheme = "digid"
EHERKENNING: Scheme = "eherkenning"

DIGID_LEVELS = ("basis", "midden", "substantieel", "hoog")
EHERKENNING_LEVELS = ("EH1", "EH2", "EH2+", "EH3", "EH4")
LEVELS: dict[Scheme, tuple[str, ...]] = {DIGID: DIGID_LEVELS, EHERKENNING: EHERKENNING_LEVELS}

_SAML_CLASSES = "urn:oasis:names:tc:SAML:2.0:ac:classes:"
_ETOEGANG_CLASSES = "urn:etoegang:core:assurance-class:"

# The value a broker is asked for in acr_values: DigiD's SAML AuthnContextClassRef per level, eHerkenning's
# assurance class of the Afsprakenstelsel eToegang.
ACR_VALUES = {
    "basis": _SAML_CLASSES + "PasswordProtectedTransport",
    "midden": _SAML_CLASSES + "MobileTwoFactorContract",
    "substantieel": _SAML_CLASSES + "Smartcard",
    "hoog": _SAML_CLASSES + "SmartcardPKI",
    "EH1": _ETOEGANG_CLASSES + "loa1",
    "EH2": _ETOEGANG_CLASSES + "loa2",
    "EH2+": _ETOEGANG_CLASSES + "loa2plus",
    "EH3": _ETOEGANG_CLASSES + "loa3",
    "EH4": _ETOEGANG_CLASSES + "loa4",
}

# Every spelling a broker or a service definition may use, casefolded, per scheme.
_DIGID_NAMES = {
    **{level: level for level in DIGID_LEVELS},
    **{f"digid {level}": level for level in DIGID_LEVELS},
    **{ACR_VALUES[level].casefold(): level for level in DIGID_LEVELS},
    # the numeric levels of DigiD's older interface (authsp_level)
    "10": "basis", "20": "midden", "25": "substantieel", "30": "hoog",
}
_EHERKENNING_NAMES = {
    **{level.casefold(): level for level in EHERKENNING_LEVELS},
    **{f"eherkenning {level.casefold()}": level for level in EHERKENNING_LEVELS},
    **{ACR_VALUES[level].casefold(): level for level in EHERKENNING_LEVELS},
    **{f"loa{level[2:].replace('+', 'plus')}": level for level in EHERKENNING_LEVELS},
    "eh2plus": "EH2+",
}
_NAMES: dict[Scheme, dict[str, str]] = {DIGID: _DIGID_NAMES, EHERKENNING: _EHERKENNING_NAMES}
_LABELS = {
    **{level: f"DigiD {level.capitalize()}" for level in DIGID_LEVELS},
    **{level: f"eHerkenning niveau {level}" for level in EHERKENNING_LEVELS},
}


def parse_level(value: object, scheme: Scheme | None = None) -> str | None:
    """The level a value names (a broker's AuthnContextClassRef or assurance class, or a plain name such as
    'substantieel' or 'EH3'), or None when it names none. With a scheme, only that scheme's levels count."""
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    key = str(value).strip().casefold()
    for name in (scheme,) if scheme else (DIGID, EHERKENNING):
        level = _NAMES[name].get(key)
        if level is not None:
            return level
    return None


def scheme_of(level: str | None) -> Scheme | None:
    """The scheme a (parsed) level belongs to."""
    for scheme, levels in LEVELS.items():
        if level in levels:
            return scheme
    return None


def meets(level: str | None, required: str | None) -> bool:
    """Whether a login at `level` may use something that requires `required`: the same scheme and at least as high.
    Nothing required: always. An unknown level meets no requirement, and a DigiD level never meets an eHerkenning
    requirement (nor the other way round)."""
    if required is None:
        return True
    scheme = scheme_of(required)
    if scheme is None:
        raise ValueError(f"unknown level of assurance: {required!r}")
    if level is None or scheme_of(level) != scheme:
        return False
    order = LEVELS[scheme]
    return order.index(level) >= order.index(required)


def principal_meets(kind: str, level: str | None, required: str | None) -> bool:
    """Whether a principal (its kind and level) meets a required level: citizens with DigiD levels only, businesses
    with eHerkenning levels only."""
    if required is None:
        return True
    wanted = {"citizen": DIGID, "business": EHERKENNING}.get(kind)
    return wanted is not None and scheme_of(required) == wanted and meets(level, required)


def acr_value(level: str) -> str:
    """The value to send to a broker in acr_values to ask for at least this level."""
    return ACR_VALUES[level]


def label(level: str | None) -> str:
    """The level as a person reads it, e.g. 'DigiD Substantieel' or 'eHerkenning niveau EH3'."""
    if level is None:
        return "onbekend niveau"
    return _LABELS.get(level, level)
