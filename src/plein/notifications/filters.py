"""Abonnement filters on kenmerken: whether a notification matches, and what makes a filter or kenmerken valid."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from plein.errors import InvalidParam
from plein.settings import Networks

WILDCARD = "*"
MAX_VALUE = 1000


def matches(filters: Mapping[str, str], kenmerken: Mapping[str, Any]) -> bool:
    """Every filter holds: its value equals the kenmerk's value, or is `*` (anything, even a missing kenmerk)."""
    for name, wanted in filters.items():
        if wanted == WILDCARD:
            continue
        if name not in kenmerken or _text(kenmerken[name]) != wanted:
            return False
    return True


def any_group_matches(groups: Sequence[Mapping[str, str]], kenmerken: Mapping[str, Any]) -> bool:
    """An abonnement with several filter groups on one kanaal gets the notification if any group matches."""
    return any(matches(group, kenmerken) for group in groups)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def kenmerken_problems(kenmerken: object, field: str = "kenmerken") -> list[InvalidParam]:
    """Kenmerken are a map of names to non-empty strings of at most 1000 characters."""
    if not isinstance(kenmerken, Mapping):
        return [InvalidParam(field, "invalid", "must be an object of kenmerk names and values")]
    problems = []
    for name, value in kenmerken.items():
        if not isinstance(name, str) or not name:
            problems.append(InvalidParam(field, "invalid", "a kenmerk name must be a non-empty string"))
        elif not isinstance(value, str) or not value:
            problems.append(InvalidParam(f"{field}.{name}", "invalid", "must be a non-empty string"))
        elif len(value) > MAX_VALUE:
            problems.append(InvalidParam(f"{field}.{name}", "max-length", f"at most {MAX_VALUE} characters"))
    return problems


def filter_problems(filters: object, allowed: Sequence[str], kanaal: str, field: str) -> list[InvalidParam]:
    """An abonnement's filters on one kanaal: only kenmerken the kanaal names, each with a non-empty value."""
    problems = kenmerken_problems(filters, field)
    if problems or not isinstance(filters, Mapping):
        return problems
    for name in filters:
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            problems.append(InvalidParam(f"{field}.{name}", "unknown-kenmerk",
                                         f"kanaal '{kanaal}' has no kenmerk '{name}' to filter on (it has: {known})"))
    return problems


def url_problem(value: object, field: str, max_length: int, *, required: bool = True) -> InvalidParam | None:
    """An absolute http(s) URL of at most max_length characters (None when it is fine)."""
    if value in (None, "") and not required:
        return None
    if not isinstance(value, str) or not value:
        return InvalidParam(field, "required", "a URL is required")
    if len(value) > max_length:
        return InvalidParam(field, "max-length", f"at most {max_length} characters")
    try:
        parts = urlsplit(value)
    except ValueError:
        return InvalidParam(field, "invalid", "not a valid URL")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return InvalidParam(field, "invalid", "must be an absolute http or https URL")
    return None


def text_problem(value: object, field: str, max_length: int) -> InvalidParam | None:
    """A non-empty string of at most max_length characters (None when it is fine)."""
    if not isinstance(value, str) or not value.strip():
        return InvalidParam(field, "required", "must be a non-empty string")
    if len(value) > max_length:
        return InvalidParam(field, "max-length", f"at most {max_length} characters")
    return None


def private_host_problem(value: str, field: str, allowed: Networks = ()) -> InvalidParam | None:
    """A URL whose host is localhost or an IP address that is not global (unless in `allowed`)."""
    host = (urlsplit(value).hostname or "").lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return InvalidParam(field, "private-address", "localhost is not an address Plein delivers to")
    if is_internal_address(host, allowed):
        return InvalidParam(field, "private-address", f"{host} is not a global address; Plein does not deliver "
                            "there (unless PLEIN_NOTIFICATIONS_INTERNAL_NETWORKS allows it)")
    return None


def is_internal_address(host: str, allowed: Networks = ()) -> bool:
    """Whether host is an IP address that is not globally reachable (private, loopback, link-local, shared
    100.64.0.0/10, documentation, reserved, multicast, …: anything Python's is_global refuses, an IPv4-mapped IPv6
    address judged as its IPv4 address), and not in `allowed`; a name is not an address and gives False."""
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in allowed):
        return False
    return not address.is_global or address.is_multicast

