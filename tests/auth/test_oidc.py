"""DigiD and eHerkenning through an OpenID Connect broker, end to end over real HTTP against a fake broker on loopback,
with the real Authlib client: the code flow with PKCE, state and nonce, the id_token's checks, and the claims."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from plein.auth.assurance import ACR_VALUES
from plein.settings import Settings
from tests.auth.fake_broker import FakeBroker
from tests.auth.helpers import cookie_contents, stored_logins, through_broker
from tests.factories import SEALING_KEY

BSN = "999993653"  # passes the 11-check
KVK_CLAIM = "urn:etoegang:core:LegalSubjectID"
BRANCH_CLAIM = "urn:etoegang:1.9:ServiceRestriction:Vestigingsnr"
ACTING_CLAIM = "urn:etoegang:core:ActingSubjectID"


@pytest.fixture
def settings(database_url: str, tmp_path: Path, broker: FakeBroker) -> Settings:
    brokers = {f"{scheme}_{name}": value for scheme in ("digid", "eherkenning") for name, value in (
        ("issuer", broker.issuer), ("client_id", broker.client_id),
        ("client_secret", SecretStr(broker.client_secret)))}
    return Settings(env="test", database_url=database_url, data_dir=tmp_path / "data", **brokers)


async def test_a_citizen_logs_in_with_digid(client: httpx.AsyncClient, session: AsyncSession, broker: FakeBroker,
                                            whoami: str) -> None:
    broker.claims = {"bsn": BSN, "acr": ACR_VALUES["substantieel"]}
    response = await through_broker(client, "/inloggen/digid?next=/apps/verhuizing-doorgeven&niveau=substantieel")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/apps/verhuizing-doorgeven"
    me = (await client.get(whoami)).json()
    assert me == {"kind": "citizen", "id": BSN, "name": f"BSN {BSN}", "loa": "substantieel", "branch": None,
                  "actingPerson": None, "roles": []}
    [login] = await stored_logins(session)
    assert (login.kind, login.subject, login.loa, login.provider) == ("citizen", BSN, "substantieel", "digid")
    assert set(cookie_contents(client)) <= {"login", "csrf", "flash"}
    [asked] = broker.authorize_requests
    assert asked["acr_values"] == ACR_VALUES["substantieel"] and "openid" in asked["scope"].split()
    assert asked["code_challenge_method"] == "S256" and asked["code_challenge"] and asked["nonce"] and asked["state"]
    assert asked["redirect_uri"] == "http://127.0.0.1:8000/inloggen/digid/callback"
    assert broker.token_requests[0]["code_verifier"]  # the broker checked it against the challenge
    assert "U bent ingelogd met DigiD Substantieel." in (await client.get("/")).text


async def test_an_answer_with_another_nonce_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                       broker: FakeBroker, whoami: str) -> None:
    broker.claims, broker.nonce = {"bsn": BSN}, "a-nonce-from-another-login"
    await _refused(client, session, whoami, "/inloggen/digid", "Het antwoord van DigiD klopt niet")


async def test_an_answer_to_another_state_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                     broker: FakeBroker, whoami: str) -> None:
    broker.claims = {"bsn": BSN}
    response = await through_broker(client, "/inloggen/digid", tamper_state=True)
    assert response.status_code == 400
    assert "Deze inlogpoging is verlopen of is niet op deze site begonnen" in response.text
    assert await stored_logins(session) == [] and (await client.get(whoami)).json() is None
    assert broker.token_requests == []  # the code was never exchanged


@pytest.mark.parametrize("knob", ["sign_with_other_key", "audience", "issuer_claim", "expired", "without_id_token"])
async def test_an_id_token_that_does_not_check_out_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                              broker: FakeBroker, whoami: str, knob: str) -> None:
    broker.claims = {"bsn": BSN}
    value = {"audience": "another-client", "issuer_claim": "https://another-broker.example"}.get(knob, True)
    setattr(broker, knob, value)
    if knob == "audience":  # for another client, though naming this one as the authorized party
        broker.authorized_party = broker.client_id
    expected = "DigiD gaf niet door wie er inlogde" if knob == "without_id_token" else "klopt niet en is geweigerd"
    await _refused(client, session, whoami, "/inloggen/digid", expected)


async def test_a_bsn_that_fails_the_11_check_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                        broker: FakeBroker, whoami: str) -> None:
    broker.claims = {"bsn": "123456789", "acr": ACR_VALUES["hoog"]}
    await _refused(client, session, whoami, "/inloggen/digid", "geen geldig BSN")
    broker.claims = {"acr": ACR_VALUES["hoog"]}
    await _refused(client, session, whoami, "/inloggen/digid", "DigiD gaf geen burgerservicenummer door")


async def test_a_level_below_the_required_one_is_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                         broker: FakeBroker, whoami: str) -> None:
    broker.claims = {"bsn": BSN, "acr": ACR_VALUES["midden"]}
    response = await _refused(client, session, whoami, "/inloggen/digid?niveau=substantieel&next=/mijn",
                              "Hiervoor is DigiD Substantieel of hoger nodig. U logde in met DigiD Midden.", 403)
    assert 'href="/inloggen/digid?next=%2Fmijn&amp;niveau=substantieel"' in response.text  # try again, same terms
    broker.claims = {"bsn": BSN}  # no level at all
    await _refused(client, session, whoami, "/inloggen/digid?niveau=basis", "Er is geen betrouwbaarheidsniveau", 403)
    broker.claims = {"bsn": BSN, "acr": ACR_VALUES["hoog"]}
    assert (await through_broker(client, "/inloggen/digid?niveau=substantieel")).status_code == 303


async def test_a_business_logs_in_with_eherkenning(client: httpx.AsyncClient, session: AsyncSession,
                                                   broker: FakeBroker, whoami: str) -> None:
    broker.claims = {KVK_CLAIM: "68750110", BRANCH_CLAIM: "000037146588", ACTING_CLAIM: "4B75A0EA@2D8FF1EF",
                     "acr": ACR_VALUES["EH3"]}
    response = await through_broker(client, "/inloggen/eherkenning?niveau=EH2%2B&next=/zakelijk")
    assert response.status_code == 303 and response.headers["location"] == "/zakelijk"
    me = (await client.get(whoami)).json()
    assert me == {"kind": "business", "id": "68750110", "name": "KvK-nummer 68750110", "loa": "EH3",
                  "branch": "000037146588", "actingPerson": "4B75A0EA@2D8FF1EF", "roles": []}
    assert broker.authorize_requests[0]["acr_values"] == "urn:etoegang:core:assurance-class:loa2plus"
    assert (await stored_logins(session))[0].provider == "eherkenning"


async def test_bad_business_identifiers_and_levels_are_refused(client: httpx.AsyncClient, session: AsyncSession,
                                                               broker: FakeBroker, whoami: str) -> None:
    for claims, expected in (({KVK_CLAIM: "1234567"}, "KvK-nummer dat eHerkenning doorgaf bestaat niet uit 8"),
                             ({KVK_CLAIM: "68750110", BRANCH_CLAIM: "12345"}, "vestigingsnummer"),
                             ({}, "eHerkenning gaf geen KvK-nummer door")):
        broker.claims = {**claims, "acr": ACR_VALUES["EH3"]}
        await _refused(client, session, whoami, "/inloggen/eherkenning", expected)
    broker.claims = {KVK_CLAIM: "68750110", "acr": ACR_VALUES["EH2"]}
    await _refused(client, session, whoami, "/inloggen/eherkenning?niveau=EH3", "eHerkenning niveau EH3", 403)


async def test_the_broker_answers_once_and_next_stays_on_this_site(client: httpx.AsyncClient, session: AsyncSession,
                                                                   broker: FakeBroker, whoami: str) -> None:
    broker.claims = {"bsn": BSN, "acr": ACR_VALUES["basis"]}
    first = await client.get("/inloggen/digid?next=https://evil.example/")
    async with httpx.AsyncClient() as browser:
        back = urlsplit((await browser.get(first.headers["location"])).headers["location"])
    done = await client.get(f"{back.path}?{back.query}")
    assert done.status_code == 303 and done.headers["location"] == "/"
    replay = await client.get(f"{back.path}?{back.query}")
    assert replay.status_code == 400 and "verlopen" in replay.text
    assert len(await stored_logins(session)) == 1


async def test_a_cancelled_or_unreachable_login(client: httpx.AsyncClient, session: AsyncSession,
                                                broker: FakeBroker, app: FastAPI) -> None:
    first = await client.get("/inloggen/digid")
    state = parse_qs(urlsplit(first.headers["location"]).query)["state"][0]
    cancelled = await client.get(f"/inloggen/digid/callback?error=access_denied&state={state}")
    assert cancelled.status_code == 400 and "Inloggen met DigiD is afgebroken of niet gelukt" in cancelled.text
    broker.stop()
    app.state.oidc = None  # forget the discovery document read so far
    unreachable = await client.get("/inloggen/eherkenning")
    assert unreachable.status_code == 400 and "eHerkenning is nu niet bereikbaar" in unreachable.text
    assert await stored_logins(session) == []


async def test_an_unknown_level_is_a_clear_error(client: httpx.AsyncClient, broker: FakeBroker) -> None:
    response = await client.get("/inloggen/digid?niveau=EH3")
    assert response.status_code == 400
    assert "Het betrouwbaarheidsniveau &#39;EH3&#39; bestaat niet voor DigiD" in response.text
    assert broker.authorize_requests == []


async def _refused(client: httpx.AsyncClient, session: AsyncSession, whoami: str, start: str, message: str,
                   status: int = 400) -> httpx.Response:
    response = await through_broker(client, start)
    assert response.status_code == status, response.text
    assert message in response.text
    assert await stored_logins(session) == []
    assert (await client.get(whoami)).json() is None
    return response


def test_broker_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="PLEIN_DIGID_CLIENT_ID must be set"):
        Settings(digid_issuer="https://broker.example")
    with pytest.raises(ValueError, match="PLEIN_EHERKENNING_ISSUER must be an http"):
        Settings(eherkenning_issuer="broker.example", eherkenning_client_id="plein")
    with pytest.raises(ValueError, match="PLEIN_DIGID_ISSUER must be an https:// URL"):
        Settings(env="production", secret_key=SecretStr("s" * 48), login_simulator=False, session_cookie_secure=True,
                 client_secret_keys=SecretStr(SEALING_KEY), digid_issuer="http://broker.example",
                 digid_client_id="plein")
    shown = {name: value for name, value, _ in Settings(digid_client_secret=SecretStr("geheim")).describe()}
    assert shown["PLEIN_DIGID_CLIENT_SECRET"] == "********" and shown["PLEIN_EHERKENNING_CLIENT_SECRET"] == "(not set)"
