"""The derived name forms and address lines, with the examples of the BRP API's documentation."""

from __future__ import annotations

import pytest

from plein.registers.bag.models import Address
from plein.registers.brp import adressering, onderzoek
from plein.registers.brp.models import Residence
from plein.registers.brp.naam import (
    Aanschrijving,
    Naam,
    aanhef,
    aanschrijfwijze,
    gebruik_in_lopende_tekst,
    volledige_naam,
    voorletters,
)

DE_BOER = Naam(voorvoegsel="de", geslachtsnaam="Boer")
AEDEL_BARON = Naam(adellijke_titel="B", voorvoegsel="van den", geslachtsnaam="Aedel")


@pytest.mark.parametrize(("voornamen", "expected"), [
    ("Henk", "H."), ("Anna Cornelia", "A.C."), ("Theo Philip IJsbrand", "T.P.I."), ("Anne-Fleur Belle", "A.B."),
    ("Suzie Q", "S.Q"), ("A", "A"), ("J P", "J P"), (".", "."), ("", None), (None, None),
])
def test_voorletters(voornamen: str | None, expected: str | None) -> None:
    assert voorletters(voornamen) == expected


@pytest.mark.parametrize(("geslacht", "titel", "expected"), [
    ("V", "JV", "jonkvrouw Jo Anne van Hoogh"), ("M", "JV", "jonkheer Jo Anne van Hoogh"),
    ("O", "JH", "jonkheer Jo Anne van Hoogh"), ("V", "G", "Jo Anne gravin van Hoogh"),
    ("O", "GI", "Jo Anne gravin van Hoogh"), ("V", "R", "Jo Anne ridder van Hoogh"), ("M", None, "Jo Anne van Hoogh"),
])
def test_volledige_naam_uses_the_form_of_the_geslacht(geslacht: str, titel: str | None, expected: str) -> None:
    assert volledige_naam(Naam("Jo Anne", titel, "van", "Hoogh"), geslacht) == expected
    assert volledige_naam(Naam("Dian Marini Maya", None, None, "."), "V") == "Dian Marini Maya"
    assert volledige_naam(Naam(None, None, "van  den", "Aedel"), "M") == "van den Aedel"


def forms(aan: Aanschrijving) -> tuple[str | None, dict[str, str], str | None]:
    return aanhef(aan), aanschrijfwijze(aan), gebruik_in_lopende_tekst(aan)


@pytest.mark.parametrize(("naamgebruik", "aanhef_", "naam", "tekst"), [
    ("E", "Geachte mevrouw In het Veld", "J. in het Veld", "mevrouw In het Veld"),
    ("P", "Geachte mevrouw Van Velzen", "J. van Velzen", "mevrouw Van Velzen"),
    ("V", "Geachte mevrouw Van Velzen-in het Veld", "J. van Velzen-in het Veld", "mevrouw Van Velzen-in het Veld"),
    ("N", "Geachte mevrouw In het Veld-van Velzen", "J. in het Veld-van Velzen", "mevrouw In het Veld-van Velzen"),
])
def test_naamgebruik_combines_own_and_partner_name(naamgebruik: str, aanhef_: str, naam: str, tekst: str) -> None:
    aan = Aanschrijving(Naam("Jo", None, "in het", "Veld"), "V", naamgebruik, Naam(None, None, "van", "Velzen"), True)
    assert forms(aan) == (aanhef_, {"naam": naam}, tekst)
    alone = Aanschrijving(Naam("Jo", None, "in het", "Veld"), "V", naamgebruik)
    assert forms(alone) == ("Geachte mevrouw In het Veld", {"naam": "J. in het Veld"}, "mevrouw In het Veld")


def test_geslacht_onbekend_and_no_voornamen() -> None:
    assert forms(Aanschrijving(Naam("Robin Melle", None, "van", "Puffelen"), "O", "E")) == (
        "Geachte R.M. van Puffelen", {"naam": "R.M. van Puffelen"}, "R.M. van Puffelen")
    assert forms(Aanschrijving(Naam(None, None, "in het", "Zonnetje"), "O", "E")) == (
        "Geachte In het Zonnetje", {"naam": "In het Zonnetje"}, "In het Zonnetje")
    chain = Aanschrijving(Naam(None, None, None, "Ali bin Mohammed"), "M", "P", Naam(None, None, "van", "Velzen"))
    assert aanschrijfwijze(chain) == {"naam": "Van Velzen"}


@pytest.mark.parametrize(("naamgebruik", "aanhef_", "naam", "tekst"), [
    ("E", "Hoogwelgeboren vrouwe", "J.A. barones van den Aedel", "barones van den Aedel"),
    ("P", "Geachte mevrouw De Boer", "J.A. de Boer", "mevrouw De Boer"),
    ("V", "Hoogwelgeboren vrouwe", "J.A. de Boer-barones van den Aedel", "mevrouw De Boer-barones van den Aedel"),
    ("N", "Hoogwelgeboren vrouwe", "J.A. barones van den Aedel-de Boer", "barones van den Aedel-de Boer"),
])
def test_a_title_in_the_form_of_the_geslacht(naamgebruik: str, aanhef_: str, naam: str, tekst: str) -> None:
    aan = Aanschrijving(Naam("Jo Anne", "BS", "van den", "Aedel"), "V", naamgebruik, DE_BOER, True)
    assert aanhef(aan) == aanhef_
    assert aanschrijfwijze(aan)["naam"] == naam
    assert ("aanspreekvorm" in aanschrijfwijze(aan)) == (naamgebruik != "P")
    assert gebruik_in_lopende_tekst(aan) == tekst


@pytest.mark.parametrize(("geslacht", "naamgebruik", "current", "naam", "tekst"), [
    ("M", "E", True, "Jonkheer J.A. van den Aedel", "jonkheer van den Aedel"),
    ("M", "V", True, "J.A. de Boer-jonkheer van den Aedel", "de heer De Boer-jonkheer van den Aedel"),
    ("M", "N", True, "Jonkheer J.A. van den Aedel-de Boer", "jonkheer van den Aedel-de Boer"),
    ("V", "E", True, "J.A. van den Aedel", "mevrouw Van den Aedel"),  # a jonkvrouw with a partner: no predicate
    ("V", "E", False, "Jonkvrouw J.A. van den Aedel", "jonkvrouw van den Aedel"),  # ex-partner, own name
    ("V", "N", False, "J.A. van den Aedel-de Boer", "mevrouw Van den Aedel-de Boer"),
])
def test_a_predicate(geslacht: str, naamgebruik: str, current: bool, naam: str, tekst: str) -> None:
    aan = Aanschrijving(Naam("James Antoine", "JV" if geslacht == "V" else "JH", "van den", "Aedel"), geslacht,
                        naamgebruik, DE_BOER, current)
    assert aanschrijfwijze(aan)["naam"] == naam
    assert gebruik_in_lopende_tekst(aan) == tekst


@pytest.mark.parametrize(("naamgebruik", "naam", "tekst"), [
    ("E", "A. de Boer", "mevrouw De Boer"),
    ("P", "A. barones van den Aedel", "barones van den Aedel"),
    ("V", "A. barones van den Aedel-de Boer", "barones van den Aedel-de Boer"),
    ("N", "A. de Boer-barones van den Aedel", "mevrouw De Boer-barones van den Aedel"),
])
def test_a_courtesy_title_for_a_woman_using_the_name_of_a_baron(naamgebruik: str, naam: str, tekst: str) -> None:
    aan = Aanschrijving(Naam("Anne-Fleur", None, "de", "Boer"), "V", naamgebruik, AEDEL_BARON, True)
    assert aanschrijfwijze(aan)["naam"] == naam
    assert gebruik_in_lopende_tekst(aan) == tekst
    assert aanhef(aan) == ("Geachte mevrouw De Boer" if naamgebruik == "E" else "Hoogwelgeboren vrouwe")
    man = Aanschrijving(Naam("John", None, "de", "Boer"), "M", "P", AEDEL_BARON, True)
    assert aanschrijfwijze(man) == {"naam": "J. van den Aedel"}


def address(**values: object) -> Address:
    base: dict[str, object] = {"openbare_ruimte": "Dam", "huisnummer": 1, "postcode": "1012JS",
                               "woonplaats": "Amsterdam", "gemeentecode": "0363"}
    return Address(**(base | values))


@pytest.mark.parametrize(("values", "aanduiding", "line1"), [
    ({}, None, "Dam 1"),
    ({"openbare_ruimte": "Borgesiusstraat", "huisnummer": 103, "huisletter": "c"}, None, "Borgesiusstraat 103 c"),
    ({"huisnummer": 35, "huisnummertoevoeging": "III"}, None, "Dam 35 III"),
    ({"huisnummer": 9, "huisnummertoevoeging": "2"}, None, "Dam 9-2"),
    ({"huisnummer": 400, "huisletter": "L", "huisnummertoevoeging": "Toe"}, None, "Dam 400 LToe"),
    ({"huisnummer": 15201}, "by", "Dam bij 15201"),
    ({"huisnummer": 3, "huisletter": "B"}, "to", "Dam t/o 3 B"),
    ({"korte_naam": "Jonkheer van Riemsdijkln", "openbare_ruimte": "Jonkheer van Riemsdijklaan", "huisnummer": 88},
     None, "Jonkheer van Riemsdijkln 88"),
])
def test_adresregel1_follows_nen_5825(values: dict[str, object], aanduiding: str | None, line1: str) -> None:
    residence = Residence(soort="Adres", aanduiding_bij_huisnummer=aanduiding, gemeente_van_inschrijving="0363")
    assert adressering.adresregels(residence, address(**values)) == {"adresregel1": line1,
                                                                     "adresregel2": "1012 JS  AMSTERDAM"}


def test_adresregel2_location_and_abroad() -> None:
    no_place = Residence(soort="Adres", gemeente_van_inschrijving="0518")
    assert adressering.adresregels(no_place, address(woonplaats=None, postcode="2584BZ"))["adresregel2"] == (
        "2584 BZ  'S-GRAVENHAGE")
    boat = Residence(soort="Locatie", locatiebeschrijving="Woonboot tegenover de Grote Sloot",
                     gemeente_van_inschrijving="0518", onderzoek="089999")
    assert adressering.adresregels(boat, None) == {"adresregel1": "Woonboot tegenover de Grote Sloot",
                                                   "adresregel2": "'S-GRAVENHAGE"}
    assert adressering.verblijft_niet_op_adres(boat)
    abroad = Residence(soort="VerblijfplaatsBuitenland", land="5010", regel1="Rue du pomme 26", regel2="Bruxelles",
                       regel3="postcode 1000", gemeente_van_inschrijving="1999")
    assert adressering.adresregels(abroad, None) == {
        "adresregel1": "Rue du pomme 26", "adresregel2": "Bruxelles", "adresregel3": "postcode 1000",
        "land": {"code": "5010", "omschrijving": "België"}}


@pytest.mark.parametrize(("aanduiding", "fields"), [
    ("010000", {"voornamen", "adellijkeTitelPredicaat", "voorvoegsel", "geslachtsnaam", "aanduidingNaamgebruik",
                "voorletters", "volledigeNaam"}),
    ("010200", {"voornamen", "adellijkeTitelPredicaat", "voorvoegsel", "geslachtsnaam", "voorletters",
                "volledigeNaam"}),
    ("010210", {"voornamen", "voorletters", "volledigeNaam"}), ("010240", {"geslachtsnaam", "volledigeNaam"}),
    ("016100", {"aanduidingNaamgebruik"}), ("016110", {"aanduidingNaamgebruik"}), ("010310", set()),
    ("020210", set()), ("510210", set()), ("PK", set()), (None, set()),
])
def test_which_name_fields_an_investigation_covers(aanduiding: str | None, fields: set[str]) -> None:
    assert onderzoek.covered(aanduiding, "01", onderzoek.NAAM) == fields


def test_in_onderzoek_keeps_what_was_asked_with_its_date() -> None:
    found = onderzoek.group("010210", "20020701", "01", onderzoek.NAAM)
    assert found == {"voornamen": True, "voorletters": True, "volledigeNaam": True, "datumIngangOnderzoek": {
        "type": "Datum", "datum": "2002-07-01", "langFormaat": "1 juli 2002"}}
    assert onderzoek.keep(found, {"voornamen"}) == {"voornamen": True,
                                                    "datumIngangOnderzoek": found["datumIngangOnderzoek"]}
    assert onderzoek.keep(found, {"geslachtsnaam"}) is None
    persoon = onderzoek.merge(
        onderzoek.group("010410", "20100822", "01", onderzoek.PERSOON, date_key="datumIngangOnderzoekPersoon"),
        onderzoek.group("080910", "20200101", "08", onderzoek.GEMEENTE, date_key="datumIngangOnderzoekGemeente"))
    assert persoon is not None
    assert set(onderzoek.keep(persoon, {"geslacht"}) or {}) == {"geslacht", "datumIngangOnderzoekPersoon"}
    assert set(onderzoek.keep(persoon, {"gemeenteVanInschrijving", "leeftijd"}) or {}) == {
        "gemeenteVanInschrijving", "datumIngangOnderzoekGemeente"}
