"""Files uploaded for the document questions of an aanvraag: recognised by their contents (PDF, JPEG, PNG), held
to the question's size limit, stored under a key of the aanvraag, and given to the zaak at submission."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
import unicodedata

from sqlalchemy.ext.asyncio import AsyncSession

from plein.db import time_ordered_uuid
from plein.services.definition import DOCUMENT_FORMATS, Question
from plein.services.models import Aanvraag, Bestand
from plein.services.questions import Problem, kilobytes, name
from plein.storage import FileStorage

SIGNATURES = (("pdf", b"%PDF-"), ("jpeg", b"\xff\xd8\xff"), ("png", b"\x89PNG\r\n\x1a\n"))
FORMAT_NAMES = {"pdf": "PDF", "jpeg": "JPG", "png": "PNG"}
DEFAULT_MEGABYTES = 10


def recognise(content: bytes) -> str | None:
    """The format the contents are (pdf, jpeg or png), by their first bytes; whatever the file is called."""
    return next((kind for kind, signature in SIGNATURES if content.startswith(signature)), None)


def limit(question: Question) -> int:
    """The largest file the question takes, in bytes."""
    return int(float(question.spec.get("maxMegabytes") or DEFAULT_MEGABYTES) * 1024 * 1024)


def safe_filename(filename: str, kind: str) -> str:
    """The file's name without folders or odd characters, with the extension of what it is."""
    base = unicodedata.normalize("NFKC", filename.replace("\\", "/").rsplit("/", 1)[-1])
    stem = re.sub(r"[^\w .()-]+", "_", base.rsplit(".", 1)[0]).strip(" ._") or "bestand"
    return f"{stem[:150]}.{'jpg' if kind == 'jpeg' else kind}"


def problem(question: Question, filename: str, content: bytes) -> Problem | None:
    """Why the file cannot be taken: empty, too large, or not one of the formats the question takes."""
    allowed = list(question.spec.get("formats") or DOCUMENT_FORMATS)
    kinds = ", ".join(FORMAT_NAMES[kind] for kind in allowed)
    if not content:
        return Problem(question.id, f"Het bestand bij ‘{name(question)}’ is leeg. Kies een ander bestand.")
    if len(content) > limit(question):
        return Problem(question.id, f"Het bestand bij ‘{name(question)}’ is {kilobytes(len(content))}; het mag "
                                    f"hoogstens {kilobytes(limit(question))} zijn.")
    if recognise(content) not in allowed:
        return Problem(question.id, f"Het bestand ‘{filename[:80]}’ is geen {kinds}. Kies een {kinds}-bestand.")
    return None


async def store(session: AsyncSession, aanvraag: Aanvraag, question: Question, filename: str, content: bytes,
                storage: FileStorage) -> tuple[dict[str, object] | None, Problem | None]:
    """Keep the file (contents in the file storage, a Bestand row in the session) and give the answer that names
    it; or the problem. The caller commits."""
    bestand, answer, found = await keep(aanvraag, question, filename, content, storage)
    if bestand is not None:
        session.add(bestand)
    return answer, found


async def keep(aanvraag: Aanvraag, question: Question, filename: str, content: bytes, storage: FileStorage
               ) -> tuple[Bestand | None, dict[str, object] | None, Problem | None]:
    """Store the contents and make the Bestand row (not added to a session) and the answer; or the problem."""
    found = problem(question, filename, content)
    if found is not None:
        return None, None, found
    kind = recognise(content)
    assert kind is not None
    key = time_ordered_uuid()
    bestand = Bestand(id=key, aanvraag_id=aanvraag.id, question=question.id, filename=safe_filename(filename, kind),
                      formaat=DOCUMENT_FORMATS[kind], size=len(content), sha256=hashlib.sha256(content).hexdigest(),
                      storage_key=f"services/{aanvraag.id}/{key}")
    await storage.put(bestand.storage_key, content)
    return bestand, {"bestand": str(bestand.id), "naam": bestand.filename, "formaat": bestand.formaat,
                     "grootte": bestand.size}, None


def decode(value: object) -> tuple[str, bytes] | None:
    """A document answer of the API ({bestandsnaam, inhoud (base64)}) as file name and contents; None when it is
    not one."""
    if not isinstance(value, dict) or not isinstance(value.get("inhoud"), str):
        return None
    try:
        content = base64.b64decode(value["inhoud"], validate=True)
    except (binascii.Error, ValueError):
        return None
    return str(value.get("bestandsnaam") or "bestand"), content
