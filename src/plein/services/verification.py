"""Verification codes of documents: a random code printed on a PDF, kept with the sha256 of that PDF, so that anyone
can check at /verifieer/{code} that a document is genuine and unchanged without seeing what it says."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from plein.db import Base, UTCDateTime, utcnow
from plein.errors import InvalidInput, NotFound

# Crockford's base32: digits and capitals without I, L, O and U, so nothing looks like something else; on input
# O reads as 0 and I and L as 1.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
RANDOM_CHARACTERS = 19  # 95 random bits
LENGTH = RANDOM_CHARACTERS + 1  # and one check character
GROUP = 4


class Verificatie(Base):
    """One verification code: what kind of document it is on, who issued it and when, the sha256 of the PDF (set
    once it is rendered), the zaak and document it belongs to (set by the engine after it stores the document) and
    when it was withdrawn. It holds no personal data: the page that shows it is public."""

    __tablename__ = "service_verificaties"

    code: Mapped[str] = mapped_column(String(LENGTH), primary_key=True)  # canonical: no dashes, capitals
    kind: Mapped[str] = mapped_column(String(200))  # the document's kind, e.g. "Uittreksel BRP"
    municipality: Mapped[str] = mapped_column(String(20))  # the issuing organisation's code (CBS code)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    issued_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    zaak_id: Mapped[uuid.UUID | None] = mapped_column(index=True)  # no FK: the zgw domain owns zaken
    document_id: Mapped[uuid.UUID | None] = mapped_column()  # the enkelvoudiginformatieobject
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class MalformedCode(NotFound):
    """The text is not a verification code at all (wrong length, characters or check character)."""

    code = "verification-code-malformed"


class UnknownCode(NotFound):
    """A well-formed code that Plein never issued (or whose document was never finished)."""

    code = "verification-code-unknown"


# --- the code itself --------------------------------------------------------------------------------------------


def _check_character(values: list[int]) -> str:
    """Weighted sum with odd weights, modulo 32: any single mistyped character changes it (odd weights are
    invertible modulo 32)."""
    return ALPHABET[sum((2 * index + 1) * value for index, value in enumerate(values)) % 32]


def new_code() -> str:
    """A fresh code in canonical form: 19 random characters (95 bits) and a check character."""
    values = [secrets.randbelow(32) for _ in range(RANDOM_CHARACTERS)]
    return "".join(ALPHABET[value] for value in values) + _check_character(values)


def normalise(text: str) -> str | None:
    """The canonical form of a code as someone typed it (any case, dashes or spaces, O for 0, I or L for 1); None
    when it cannot be a code (wrong length, another character, or a check character that does not match)."""
    cleaned = "".join(text.split()).replace("-", "").upper().translate(LOOK_ALIKES)
    if len(cleaned) != LENGTH or any(char not in ALPHABET for char in cleaned):
        return None
    values = [ALPHABET.index(char) for char in cleaned[:RANDOM_CHARACTERS]]
    return cleaned if _check_character(values) == cleaned[-1] else None


def display(code: str) -> str:
    """'7KQ2-M9XD-4RTB-HZ3W-8N5P': groups of four, as printed and in the URL."""
    return "-".join(code[start:start + GROUP] for start in range(0, len(code), GROUP))


def url(base_url: str, code: str) -> str:
    """Where anyone checks the code."""
    return f"{base_url.rstrip('/')}/verifieer/{display(code)}"


# --- issuing and looking up -------------------------------------------------------------------------------------


def issue(session: AsyncSession, *, kind: str, municipality: str, zaak_id: uuid.UUID | None = None) -> Verificatie:
    """A new code for a document about to be rendered, added to the caller's transaction: it is written with the
    transaction's next flush, once the PDF's hash (record_hash) and the stored document (link_document) are known.
    95 random bits: a code that was issued before is not drawn again."""
    kind = kind.strip()
    if not kind:
        raise InvalidInput("a verification code needs the kind of document it is on")
    verificatie = Verificatie(code=new_code(), kind=kind[:200], municipality=municipality, zaak_id=zaak_id,
                              issued_at=utcnow())
    session.add(verificatie)
    return verificatie


def record_hash(verificatie: Verificatie, sha256: str) -> None:
    """Keep the sha256 of the rendered PDF with its code (once: a document is rendered once)."""
    if verificatie.sha256 is not None and verificatie.sha256 != sha256:
        raise InvalidInput(f"verification code {display(verificatie.code)} already belongs to another document")
    verificatie.sha256 = sha256


def link_document(verificatie: Verificatie, *, zaak_id: uuid.UUID | None, document_id: uuid.UUID) -> None:
    """Name the zaak and the stored document the code is on (the engine calls this after storing the PDF)."""
    if zaak_id is not None:
        verificatie.zaak_id = zaak_id
    verificatie.document_id = document_id


async def withdraw(session: AsyncSession, code: str) -> Verificatie:
    """Mark the document as withdrawn: the code stays known, and its page says it no longer holds."""
    verificatie = await _get(session, code)
    if verificatie.withdrawn_at is None:
        verificatie.withdrawn_at = utcnow()
        await session.flush()
    return verificatie


async def look_up(session: AsyncSession, text: str) -> Verificatie:
    """The finished verification for a code as typed. Raises MalformedCode when it cannot be a code, UnknownCode
    when Plein did not issue it or its document was never finished (no hash)."""
    code = normalise(text)
    if code is None:
        raise MalformedCode("dit is geen geldige verificatiecode: een code heeft 20 letters en cijfers in groepen "
                            "van vier; controleer of u hem goed hebt overgenomen")
    verificatie = await session.get(Verificatie, code)
    if verificatie is None or verificatie.sha256 is None:
        raise UnknownCode(f"de verificatiecode {display(code)} is niet bekend: dit document is niet door een "
                          "gemeente via Plein uitgegeven, of de code is verkeerd overgenomen")
    return verificatie


async def _get(session: AsyncSession, code: str) -> Verificatie:
    canonical = normalise(code)
    verificatie = await session.get(Verificatie, canonical) if canonical else None
    if verificatie is None:
        raise UnknownCode(f"verification code {code!r} is not known")
    return verificatie


# --- checking a file against a code -----------------------------------------------------------------------------


class Outcome(enum.Enum):
    GENUINE = "echt"  # the file is the document the code was issued for, byte for byte
    CHANGED = "gewijzigd"  # not the document of this code, nor of any other
    OTHER_CODE = "andere-code"  # a genuine document, but of another code


@dataclass(frozen=True)
class Comparison:
    outcome: Outcome
    other: Verificatie | None = None  # for OTHER_CODE: the code the file belongs to


async def compare(session: AsyncSession, verificatie: Verificatie, content: bytes) -> Comparison:
    """Whether the file is the document of this code: its sha256 against the stored one."""
    digest = hashlib.sha256(content).hexdigest()
    if verificatie.sha256 is not None and hmac.compare_digest(digest, verificatie.sha256):
        return Comparison(Outcome.GENUINE)
    other = (await session.scalars(select(Verificatie).where(Verificatie.sha256 == digest).limit(1))).first()
    return Comparison(Outcome.OTHER_CODE, other) if other is not None else Comparison(Outcome.CHANGED)
