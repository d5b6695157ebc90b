"""The 11-check and the stable RSIN and OIN numbers."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from plein.identifiers import oin_for_rsin, passes_elfproef, stable_rsin


def test_known_numbers() -> None:
    assert passes_elfproef("111222333")
    assert passes_elfproef("999993653")
    assert not passes_elfproef("111222334")
    assert not passes_elfproef("000000000")
    assert not passes_elfproef("12345678")
    assert not passes_elfproef("12345678a")


@given(st.text(max_size=40))
def test_stable_rsin_is_valid_and_repeatable(seed: str) -> None:
    rsin = stable_rsin(seed)
    assert passes_elfproef(rsin)
    assert rsin == stable_rsin(seed)
    oin = oin_for_rsin(rsin)
    assert len(oin) == 20 and oin.isdigit() and oin.startswith("00000001") and rsin in oin


@given(st.from_regex(r"[0-9]{9}", fullmatch=True))
def test_changing_one_digit_breaks_the_check(number: str) -> None:
    if not passes_elfproef(number):
        return
    changed = number[:3] + str((int(number[3]) + 1) % 10) + number[4:]
    assert not passes_elfproef(changed)
