"""The adressering group: the postal address lines (NEN 5825) and the name forms for letters, with inOnderzoek.

adresregel1 is the street and number: 'Dam 1', 'Borgesiusstraat 103 c', 'Atatürkstraat 9-2' (an addition that starts
with a digit is joined with a hyphen), 'Graan voor Visch bij 15201' and '1e Exloërmond t/o 3' (aanduiding bij
huisnummer); adresregel2 the postcode and, after two spaces, the woonplaats in capitals ('1012 JS  AMSTERDAM'; the
municipality when there is no woonplaats). A location gives its description and the municipality, an address abroad
its three lines and the country. indicatieVastgesteldVerblijftNietOpAdres says the person no longer lives there.
"""

from __future__ import annotations

from typing import Any

from plein.registers.bag.models import Address
from plein.registers.brp import lo3, naam, onderzoek
from plein.registers.brp.models import Person, PersonName, Relation, Residence

Json = dict[str, Any]
BIJ_HUISNUMMER = {"by": "bij", "to": "t/o"}


def _huisnummer(address: Address, aanduiding: str | None) -> str:
    number = str(address.huisnummer or "")
    if address.huisletter:
        number += f" {address.huisletter}{address.huisnummertoevoeging or ''}"
    elif address.huisnummertoevoeging:
        toevoeging = address.huisnummertoevoeging
        number += f"-{toevoeging}" if toevoeging[:1].isdigit() else f" {toevoeging}"
    return " ".join(part for part in (BIJ_HUISNUMMER.get(aanduiding or ""), number) if part)


def _gemeente(residence: Residence) -> str:
    return lo3.gemeenten().get(residence.gemeente_van_inschrijving, "").upper()


def adresregels(residence: Residence | None, address: Address | None) -> Json:
    """adresregel1-3 and land of the current residence (nothing for an unknown one)."""
    if residence is None:
        return {}
    if residence.soort == "Adres" and address is not None:
        straat = address.korte_naam or address.openbare_ruimte
        line1 = " ".join(part for part in (straat, _huisnummer(address, residence.aanduiding_bij_huisnummer)) if part)
        postcode = f"{address.postcode[:4]} {address.postcode[4:]}" if address.postcode else ""
        plaats = (address.woonplaats or "").upper() or _gemeente(residence)
        line2 = "  ".join(part for part in (postcode, plaats) if part)
        return {"adresregel1": line1[:40] or None, "adresregel2": line2[:50] or None}
    if residence.soort == "Locatie":
        return {"adresregel1": residence.locatiebeschrijving, "adresregel2": _gemeente(residence)[:50] or None}
    if residence.soort == "VerblijfplaatsBuitenland":
        return {"adresregel1": residence.regel1, "adresregel2": residence.regel2, "adresregel3": residence.regel3,
                "land": lo3.land(residence.land) if residence.land else None}
    return {}


def verblijft_niet_op_adres(residence: Residence | None) -> bool:
    """Whether it has been established that the person no longer lives at the registered address or location."""
    return residence is not None and residence.soort in ("Adres", "Locatie") and (
        residence.onderzoek == lo3.VERBLIJFT_NIET_OP_ADRES)


def delivered_partner(relations: list[Relation]) -> tuple[Relation | None, bool]:
    """The partner whose name the person may use: the current one (the earliest if several), else the last
    dissolved one; and whether there is a current partner."""
    partners = [row for row in relations if row.soort == "partner"]
    current = sorted((row for row in partners if not row.ontbinding_datum), key=lambda row: row.aangaan_datum or "")
    if current:
        return current[0], True
    dissolved = max(partners, key=lambda row: row.ontbinding_datum or "", default=None)
    return dissolved, False


def aanschrijving(person: Person, name: PersonName, relations: list[Relation]) -> tuple[naam.Aanschrijving,
                                                                                       Relation | None]:
    """What the name forms are made of, and the partner row they use."""
    partner, current = delivered_partner(relations)
    partner_naam = None
    if partner is not None:
        partner_naam = naam.Naam(partner.voornamen, partner.adellijke_titel, partner.voorvoegsel,
                                 partner.geslachtsnaam)
    own = naam.Naam(name.voornamen, name.adellijke_titel, name.voorvoegsel, name.geslachtsnaam)
    return naam.Aanschrijving(own, person.geslacht, name.naamgebruik, partner_naam, current), partner


def _in_onderzoek(person: Person, residence: Residence | None, partner: Relation | None,
                  uses_partner: bool) -> Json | None:
    return onderzoek.merge(
        onderzoek.group(person.onderzoek_persoon, person.onderzoek_persoon_datum, "01", onderzoek.ADRESSERING_PERSOON,
                        date_key="datumIngangOnderzoekPersoon"),
        onderzoek.group(partner.onderzoek, partner.onderzoek_datum, "05", onderzoek.ADRESSERING_PARTNER,
                        date_key="datumIngangOnderzoekPartner") if partner is not None and uses_partner else None,
        _regels_in_onderzoek(residence))


def _regels_in_onderzoek(residence: Residence | None) -> Json | None:
    if residence is None:
        return None
    return onderzoek.group(residence.onderzoek, residence.onderzoek_datum, "08", onderzoek.ADRESSERING_VERBLIJFPLAATS,
                           date_key="datumIngangOnderzoekVerblijfplaats")


def adressering(person: Person, name: PersonName | None, residence: Residence | None, address: Address | None,
                relations: list[Relation]) -> Json:
    """The Adressering of a Persoon: address lines, and aanhef, aanschrijfwijze and gebruikInLopendeTekst."""
    values: Json = adresregels(residence, address)
    values["indicatieVastgesteldVerblijftNietOpAdres"] = verblijft_niet_op_adres(residence)
    partner: Relation | None = None
    uses_partner = False
    if name is not None:
        aan, partner = aanschrijving(person, name, relations)
        uses_partner = aan.gebruik != "E"
        values |= {"aanhef": naam.aanhef(aan), "aanschrijfwijze": naam.aanschrijfwijze(aan) or None,
                   "gebruikInLopendeTekst": naam.gebruik_in_lopende_tekst(aan)}
    values["inOnderzoek"] = _in_onderzoek(person, residence, partner, uses_partner)
    return values


def adressering_beperkt(residence: Residence | None, address: Address | None) -> Json:
    """The AdresseringBeperkt of a search result: only the address lines."""
    values: Json = adresregels(residence, address)
    values["indicatieVastgesteldVerblijftNietOpAdres"] = verblijft_niet_op_adres(residence)
    values["inOnderzoek"] = _regels_in_onderzoek(residence)
    return values
