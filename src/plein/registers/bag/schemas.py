"""Output shapes of the BAG API (camelCase JSON): an address and a list of addresses."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Adres(Schema):
    """An address of the BAG; only the fields the client's grant covers are present."""

    nummeraanduiding_identificatie: str | None = Field(
        None, description="Identification of the nummeraanduiding (16 digits).", pattern=r"^[0-9]{16}$")
    adresseerbaar_object_identificatie: str | None = Field(
        None, description="Identification of the adresseerbaar object (verblijfsobject, standplaats, ligplaats).",
        pattern=r"^[0-9]{16}$")
    openbare_ruimte: str | None = Field(None, description="The street (naam openbare ruimte).")
    huisnummer: int | None = Field(None, ge=1, le=99999)
    huisletter: str | None = None
    huisnummertoevoeging: str | None = None
    postcode: str | None = Field(None, description="Postcode without a space, e.g. 1015CJ.")
    woonplaats: str | None = None
    gemeentecode: str | None = Field(None, description="CBS code of the municipality (4 digits).")


class Adressen(Schema):
    adressen: list[Adres] = Field(description="The addresses that match, in BAG order; empty when none.")
