"""Input and output shapes of the exchange and citizen insight APIs (camelCase JSON)."""

from __future__ import annotations

import datetime as dt

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plein.auth.models import ApiClient
from plein.exchange.checkpoints import Checkpoint, RecordProof
from plein.exchange.insight import OrganisationProcessing
from plein.exchange.models import Grant, ProcessingActivity


class Schema(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class ClientCreate(Schema):
    client_id: str = Field(max_length=200, description="The client's id: the `client_id` claim of its JWTs.")
    secret: str | None = Field(None, min_length=16, max_length=200,
                               description="The secret that signs its JWTs; a random one is made when left out.")
    organisation: str | None = Field(None, max_length=20, description="Code of the organisation it acts for.")
    roles: list[str] = Field(default_factory=list, description="Roles for its organisation (beheerder, publisher, "
                             "curator).")
    all_rights: bool = Field(False, description="All rights on every API (only an all-rights principal may set it).")


class ClientOut(Schema):
    client_id: str
    organisation: str | None = Field(description="Code of the organisation it acts for.")
    roles: list[str]
    all_rights: bool
    created_at: dt.datetime

    @classmethod
    def of(cls, client: ApiClient) -> ClientOut:
        code = client.organisation.code if client.organisation else None
        return cls(client_id=client.client_id, organisation=code, roles=list(client.roles),
                   all_rights=client.all_rights, created_at=client.created_at)


class ClientCreated(ClientOut):
    secret: str = Field(description="Shown once: store it now, Plein never shows it again.")


class ActivityCreate(Schema):
    id: str = Field(max_length=100, description="The activity's id, named in the X-Verwerkingsactiviteit header.")
    organisation: str = Field(max_length=20, description="Code of the organisation whose register this is.")
    name: str = Field(max_length=300)
    purpose: str = Field(max_length=2000, description="Why personal data is processed.")
    legal_basis: str = Field(max_length=500, description="The legal basis (law and article).")
    retention_period: str = Field("P1Y", max_length=30, description="How long the data is kept (ISO 8601 duration).")


class ActivityOut(Schema):
    id: str
    organisation: str
    name: str
    purpose: str
    legal_basis: str
    retention_period: str
    created_at: dt.datetime

    @classmethod
    def of(cls, activity: ProcessingActivity) -> ActivityOut:
        return cls(id=activity.code, organisation=activity.organisation.code, name=activity.name,
                   purpose=activity.purpose, legal_basis=activity.legal_basis,
                   retention_period=activity.retention_period, created_at=activity.created_at)


class GrantCreate(Schema):
    client: str = Field(max_length=200, description="The client_id of the client that gets the grant.")
    source: str = Field(alias="register", max_length=20, description="The source register: brp or bag.")
    fields: list[str] = Field(min_length=1, max_length=500, description="Field paths; `naam` covers `naam.voornamen`.")
    activity: str = Field(max_length=100, description="Id of a processing activity of the client's organisation.")
    municipality: str | None = Field(None, max_length=4,
                                     description="CBS code: only persons registered in this municipality are read.")
    valid_from: AwareDatetime | None = Field(None, description="From when it holds (default: now).")
    valid_until: AwareDatetime | None = Field(None, description="Until when it holds (default: no end).")


class GrantOut(Schema):
    id: str
    client: str
    organisation: str
    source: str = Field(alias="register", description="The source register: brp or bag.")
    fields: list[str]
    activity: str
    municipality: str | None
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    revoked_at: dt.datetime | None
    adoption: str | None = Field(description="The adoption this grant was issued for, if any.")
    live: bool = Field(description="Holds now: valid and not revoked.")
    created_at: dt.datetime

    @classmethod
    def of(cls, grant: Grant, now: dt.datetime) -> GrantOut:
        return cls(
            id=str(grant.id), client=grant.client.client_id, organisation=grant.activity.organisation.code,
            source=grant.register, fields=list(grant.fields), activity=grant.activity.code,
            municipality=grant.municipality, valid_from=grant.valid_from, valid_until=grant.valid_until,
            revoked_at=grant.revoked_at, adoption=str(grant.adoption_id) if grant.adoption_id else None,
            live=grant.is_live(now), created_at=grant.created_at,
        )


class ProcessingRecordOut(Schema):
    id: str
    processed_at: dt.datetime = Field(description="When the data was delivered.")
    source: str = Field(alias="register", description="The register read (brp, bag; log for a look at this log).")
    fields: list[str]
    transaction_id: str = Field(description="The transaction (trace) id of the request that read the data.")


class PurposeOut(Schema):
    activity: str
    purpose: str
    legal_basis: str
    fields: list[str] = Field(description="Every field delivered for this purpose in the period.")
    records: list[ProcessingRecordOut]


class OrganisationOut(Schema):
    organisation: str = Field(description="Code of the organisation (the CBS code of a municipality).")
    name: str
    purposes: list[PurposeOut]

    @classmethod
    def of(cls, item: OrganisationProcessing) -> OrganisationOut:
        purposes = [
            PurposeOut(activity=p.activity, purpose=p.purpose, legal_basis=p.legal_basis, fields=p.fields, records=[
                ProcessingRecordOut(id=str(r.id), processed_at=r.at, source=r.register, fields=list(r.fields),
                                    transaction_id=r.trace_id) for r in p.records])
            for p in item.purposes
        ]
        return cls(organisation=item.code, name=item.name, purposes=purposes)


class InsightOut(Schema):
    period_start: dt.date = Field(description="First day of the period (inclusive).")
    period_end: dt.date = Field(description="Last day of the period (inclusive).")
    organisations: list[OrganisationOut]


class CheckpointOut(Schema):
    tree_size: int = Field(description="How many records the checkpoint covers: records #1 up to this one.")
    root_hash: str = Field(description="The Merkle tree hash (RFC 9162) of those records, in hex.")
    head_hash: str = Field(description="The chain hash of the last of them, in hex.")
    timestamp: str = Field(description="When it was signed (UTC, ISO 8601 with microseconds and Z).")
    key_id: str = Field(description="The first 8 bytes of the SHA-256 of the public key that signed it, in hex.")
    signature: str = Field(description="Ed25519 signature (base64) over the checkpoint's note (docs/processing-log.md"
                           ").")

    @classmethod
    def of(cls, checkpoint: Checkpoint) -> CheckpointOut:
        return cls(tree_size=checkpoint.tree_size, root_hash=checkpoint.root_hash, head_hash=checkpoint.head_hash,
                   timestamp=checkpoint.timestamp, key_id=checkpoint.key_id, signature=checkpoint.signature)


class KeyOut(Schema):
    public_key: str = Field(description="An Ed25519 public key (32 bytes, base64).")
    key_id: str = Field(description="The first 8 bytes of its SHA-256, in hex: the keyId of what it signed.")


class CheckpointsOut(Schema):
    public_key: str = Field(description="The Ed25519 public key (32 bytes, base64) that signs the checkpoints.")
    key_id: str
    previous_keys: list[KeyOut] = Field(description="The keys that signed earlier checkpoints, before the signing "
                                        "key was replaced; each checkpoint's keyId says which.")
    checkpoints: list[CheckpointOut] = Field(description="The newest first.")


class ConsistencyOut(Schema):
    first: int = Field(alias="from", description="The size of the older tree.")
    second: int = Field(alias="to", description="The size of the newer tree.")
    proof: list[str] = Field(description="The consistency proof (RFC 9162 section 2.1.4): node hashes in hex.")


class InclusionOut(Schema):
    record: str = Field(description="The record's canonical JSON: its leaf hash is SHA-256 of 0x00 and these bytes "
                        "(UTF-8).")
    leaf_index: int = Field(description="The record's place in the tree, from 0 (its seq minus 1).")
    audit_path: list[str] = Field(description="The inclusion proof (RFC 9162 section 2.1.3): node hashes in hex, "
                                  "the leaf's sibling first.")
    checkpoint: CheckpointOut = Field(description="The signed checkpoint whose root the path leads to.")

    @classmethod
    def of(cls, proof: RecordProof) -> InclusionOut:
        return cls(record=proof.record, leaf_index=proof.leaf_index, audit_path=proof.audit_path,
                   checkpoint=CheckpointOut.of(proof.checkpoint))
