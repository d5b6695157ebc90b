"""A small OpenID Connect provider on the loopback interface, standing in for a DigiD or eHerkenning broker in tests:
discovery, JWKS with an RSA key, an authorize endpoint that sends the browser straight back with a code, and a token
endpoint that checks the client, the code, the redirect URI and the PKCE verifier and answers with an RS256
id_token. Knobs on the instance make it answer wrongly on purpose."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "broker-key-1"


@dataclass
class Grant:
    client_id: str
    redirect_uri: str
    nonce: str
    challenge: str
    challenge_method: str
    scope: str


@dataclass
class FakeBroker:
    """The provider; start() serves it in a thread, stop() ends it."""

    client_id: str = "plein-test"
    client_secret: str = "broker-secret-for-tests"
    claims: dict[str, Any] = field(default_factory=dict)  # what the id_token says about who logged in
    # knobs that make the answer wrong
    nonce: str | None = None  # put this nonce in the id_token instead of the one asked for
    audience: str | None = None  # sign for another client
    authorized_party: str | None = None  # an azp claim
    issuer_claim: str | None = None  # claim another issuer
    sign_with_other_key: bool = False  # same key id, another key: a bad signature
    expired: bool = False
    without_id_token: bool = False
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.grants: dict[str, Grant] = {}
        self.server: ThreadingHTTPServer | None = None

    @property
    def issuer(self) -> str:
        assert self.server is not None, "start the broker first"
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def start(self) -> FakeBroker:
        broker = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                broker.handle_get(self)

            def do_POST(self) -> None:
                broker.handle_post(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- endpoints ---------------------------------------------------------------------------------------------

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def jwks(self) -> dict[str, Any]:
        key = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**key, "kid": KID, "use": "sig", "alg": "RS256"}]}

    def handle_get(self, request: BaseHTTPRequestHandler) -> None:
        url = urlsplit(request.path)
        if url.path == "/.well-known/openid-configuration":
            _json(request, 200, self.discovery())
        elif url.path == "/jwks":
            _json(request, 200, self.jwks())
        elif url.path == "/authorize":
            self.authorize(request, {name: values[-1] for name, values in parse_qs(url.query).items()})
        else:
            _json(request, 404, {"error": "not_found"})

    def authorize(self, request: BaseHTTPRequestHandler, params: dict[str, str]) -> None:
        """Every login succeeds at once: back to the client with a code (a real broker shows DigiD first)."""
        self.authorize_requests.append(params)
        if params.get("client_id") != self.client_id or params.get("response_type") != "code":
            _json(request, 400, {"error": "invalid_request"})
            return
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(params["client_id"], params["redirect_uri"], params.get("nonce", ""),
                                  params.get("code_challenge", ""), params.get("code_challenge_method", ""),
                                  params.get("scope", ""))
        target = params["redirect_uri"] + "?" + urlencode({"code": code, "state": params.get("state", "")})
        request.send_response(302)
        request.send_header("Location", target)
        request.end_headers()

    def handle_post(self, request: BaseHTTPRequestHandler) -> None:
        if urlsplit(request.path).path != "/token":
            _json(request, 404, {"error": "not_found"})
            return
        body = request.rfile.read(int(request.headers.get("Content-Length", "0"))).decode()
        form = {name: values[-1] for name, values in parse_qs(body).items()}
        self.token_requests.append(form)
        problem = self.check_token_request(request, form)
        if problem:
            _json(request, 400, {"error": problem})
            return
        grant = self.grants.pop(form["code"])
        answer: dict[str, Any] = {"access_token": secrets.token_urlsafe(16), "token_type": "Bearer",
                                  "expires_in": 300}
        if not self.without_id_token:
            answer["id_token"] = self.id_token(grant)
        _json(request, 200, answer)

    def check_token_request(self, request: BaseHTTPRequestHandler, form: dict[str, str]) -> str | None:
        client_id, secret = _basic_auth(request.headers.get("Authorization", ""))
        if (client_id, secret) != (self.client_id, self.client_secret):
            return "invalid_client"
        grant = self.grants.get(form.get("code", ""))
        if grant is None or form.get("grant_type") != "authorization_code":
            return "invalid_grant"
        if form.get("redirect_uri") != grant.redirect_uri:
            return "invalid_grant"
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if grant.challenge_method != "S256" or not verifier or digest != grant.challenge:
            return "invalid_grant"  # PKCE
        return None

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {
            "iss": self.issuer_claim or self.issuer, "sub": secrets.token_hex(8),
            "aud": self.audience or grant.client_id, "iat": now, "exp": now - 600 if self.expired else now + 300,
            "nonce": self.nonce if self.nonce is not None else grant.nonce, **self.claims,
        }
        if self.authorized_party:
            claims["azp"] = self.authorized_party
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID})


def _json(request: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    request.send_response(status)
    request.send_header("Content-Type", "application/json")
    request.send_header("Content-Length", str(len(data)))
    request.end_headers()
    request.wfile.write(data)


def _basic_auth(header: str) -> tuple[str, str]:
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return "", ""
    client_id, _, secret = base64.b64decode(value).decode().partition(":")
    return client_id, secret
