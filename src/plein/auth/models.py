"""Tables of the auth domain: staff users, their roles per organisation, API clients and web logins."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from plein.db import Base, JSONType, UTCDateTime, new_uuid, utcnow
from plein.organisations.models import Organisation


class User(Base):
    """A staff member with a local account (production adds SSO through OIDC)."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    roles: Mapped[list[UserRole]] = relationship(back_populates="user", lazy="selectin", cascade="all, delete-orphan")


class UserRole(Base):
    """One role of a user for one organisation (beheerder, publisher, curator)."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    role: Mapped[str] = mapped_column(String(30))
    user: Mapped[User] = relationship(back_populates="roles")
    organisation: Mapped[Organisation] = relationship(lazy="joined")


class ApiClient(Base):
    """A system that calls Plein's APIs with HS256 JWTs signed with its secret."""

    __tablename__ = "api_clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    client_id: Mapped[str] = mapped_column(String(200), unique=True)
    secret: Mapped[str] = mapped_column(String(500))  # sealed (plein.auth.sealing), never the secret itself
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSONType, default=list)
    all_rights: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    organisation: Mapped[Organisation | None] = relationship(lazy="joined")


class WebLogin(Base):
    """A login in a browser (staff, citizen or business), kept server-side: the session cookie holds only a random
    token whose sha256 is the id here, so ending the login here ends it for every copy of the cookie."""

    __tablename__ = "web_logins"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 (hex) of the token in the cookie
    kind: Mapped[str] = mapped_column(String(20))  # staff, citizen or business
    subject: Mapped[str] = mapped_column(String(200))  # staff: the user's id; citizen: BSN; business: KvK number
    display_name: Mapped[str] = mapped_column(String(200))
    loa: Mapped[str | None] = mapped_column(String(20))  # level of assurance (plein.auth.assurance)
    branch: Mapped[str | None] = mapped_column(String(12))  # eHerkenning: vestigingsnummer
    acting_person: Mapped[str | None] = mapped_column(String(200))  # eHerkenning: who acts for the company
    # eHerkenning: the services (app ids) the acting person holds a machtiging for with this login
    mandates: Mapped[list[str]] = mapped_column(JSONType, default=list, server_default="[]")
    provider: Mapped[str] = mapped_column(String(20))  # password, digid, eherkenning or simulator
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # logout, idle, max-age, replaced, account
