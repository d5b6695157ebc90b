"""The 11-check and the stable RSIN and OIN numbers."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import assume, given
from hypothesis import strategies as st

from plein.identifiers import a_nummer_check_digit, is_a_nummer, oin_for_rsin, passes_elfproef, stable_rsin


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


# ---------------------------------------------------------------------------------------------- A-nummer

@st.composite
def a_nummers(draw: st.DrawFn) -> str:
    """Valid A-nummers, built: eight digits without repeats, then a ninth and the check digit that pass."""
    digits = [draw(st.integers(1, 9))]
    for _ in range(7):
        step = draw(st.integers(1, 9))
        digits.append((digits[-1] + step) % 10)
    prefix = "".join(map(str, digits))
    candidates = [prefix + ninth + last for ninth in "0123456789"
                  if (last := a_nummer_check_digit(prefix + ninth)) is not None and is_a_nummer(prefix + ninth + last)]
    assume(candidates)
    return draw(st.sampled_from(candidates))


def test_known_a_nummers() -> None:
    assert is_a_nummer("8940402024")  # Suzanne Moulin in RvIG's GBA-V test set
    assert is_a_nummer("1234567890") is False
    assert not is_a_nummer("0940402024")  # starts with 0
    assert not is_a_nummer("894040202")  # nine digits
    assert not is_a_nummer("894040202a")
    assert not is_a_nummer("８９４０４０２０２４")  # full-width digits are not ASCII
    assert a_nummer_check_digit("894040202") == "4"


@given(a_nummers())
def test_a_valid_a_nummer_passes_every_check(number: str) -> None:
    digits = [int(char) for char in number]
    assert number[0] != "0" and all(first != second for first, second in pairwise(digits))
    assert sum(digits) % 11 in (0, 5)
    assert sum(digit * 2**position for position, digit in enumerate(digits)) % 11 == 0


@given(a_nummers(), st.integers(min_value=0, max_value=9), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_of_an_a_nummer_breaks_it(number: str, position: int, change: int) -> None:
    changed = number[:position] + str((int(number[position]) + change) % 10) + number[position + 1:]
    assert not is_a_nummer(changed)


@given(st.text(max_size=12))
def test_anything_else_is_not_an_a_nummer(value: str) -> None:
    if is_a_nummer(value):
        assert len(value) == 10 and value.isdigit()
        assert a_nummer_check_digit(value[:9]) == value[9]


@given(st.from_regex(r"[0-9]{10}", fullmatch=True))
def test_repeated_digits_are_never_an_a_nummer(value: str) -> None:
    if any(first == second for first, second in pairwise(value)):
        assert not is_a_nummer(value)
