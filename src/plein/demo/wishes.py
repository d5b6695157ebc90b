"""The demo's joint demand (wensen): an open wish of Amsterdam that Utrecht and Rotterdam joined (its budget split per
inhabitant), and a wish of Utrecht that Den Haag joined, commissioned through Plein and fulfilled by an app."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.service import Principal
from plein.store import wishes

ACTOR = Principal("demo", "plein-demo", "Plein demo", frozenset(), all_rights=True)
# (poster, title, description, standards, budget in euros, split, joined by)
WISHES = [
    ("0363", "Afspraken maken voor burgerzaken",
     "Inwoners maken online een afspraak voor een paspoort, rijbewijs of uittreksel, verzetten die zelf en krijgen "
     "een herinnering. De balie ziet de afspraken van de dag.\n\nDe afspraak hoort bij de zaak, zodat de behandelaar "
     "ziet waarvoor iemand komt.",
     ["zgw-zaken-1.5", "digid", "alias:gdpr"], "240000", "per-inhabitant", ["0344", "0599"]),
    ("0344", "Meldingen openbare ruimte met terugkoppeling",
     "Inwoners melden losliggende stoeptegels, kapotte lantaarnpalen en zwerfafval op de kaart en horen wat er met "
     "hun melding gebeurt.",
     ["zgw-zaken-1.5", "bag"], "60000", "equal", ["0518"]),
]
COMMISSIONED = {"Meldingen openbare ruimte met terugkoppeling": ("plein", "Plein besteedt de opdracht namens "
                                                                          "Utrecht en Den Haag aan.")}
FULFILLED = {"Meldingen openbare ruimte met terugkoppeling": "meldingen-openbare-ruimte"}


async def add_demo_wishes(session: AsyncSession, base_url: str) -> list[str]:
    """Post, join, commission and fulfil the demo's wishes through the store's own rules; their identifiers."""
    made = []
    for poster, title, description, standards, budget, split, joined in WISHES:
        wish = await wishes.post(session, poster, wishes.WishInput(title, description, budget, split, standards),
                                 ACTOR)
        for code in joined:
            await wishes.join(session, wish.identifier, code, ACTOR, base_url)
        if title in COMMISSIONED:
            commissioner, note = COMMISSIONED[title]
            await wishes.commission(session, wish.identifier, commissioner, note, ACTOR, base_url)
        if title in FULFILLED:
            await wishes.fulfil(session, wish.identifier, FULFILLED[title], None, ACTOR, base_url)
        made.append(wish.identifier)
    return made
