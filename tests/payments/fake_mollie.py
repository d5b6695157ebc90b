"""A fake of Mollie's Payments API (v2) on the loopback interface, for testing the Mollie provider with Mollie's real
SDK pointed at it: create a payment (with idempotency keys) and get one, in Mollie's JSON shapes, with the API key
checked. The test changes a payment's status or amount as Mollie would, and can make the next answers fail."""

from __future__ import annotations

import datetime as dt
import json
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

API_KEY = "test_plein0fake0mollie0key0000000"
DOCS = {"documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}}


@dataclass
class FakeMollie:
    """The fake API; start() serves it in a thread, stop() ends it."""

    api_key: str = API_KEY
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)  # method, path, headers, body
    failures: list[int] = field(default_factory=list)  # status codes to answer with before answering normally

    def __post_init__(self) -> None:
        self.by_key: dict[str, str] = {}
        self.server: ThreadingHTTPServer | None = None
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeMollie:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                fake.answer(self, "POST")

            def do_GET(self) -> None:
                fake.answer(self, "GET")

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, name="fake-mollie", daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    # --- what Mollie does on its side -------------------------------------------------------------------------

    def set_status(self, payment_id: str, status: str) -> None:
        with self.lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            if status == "paid":
                payment["paidAt"] = _now()
                payment["method"] = "ideal"
            if status != "open":
                payment["_links"].pop("checkout", None)
                payment.pop("expiresAt", None)

    def set_amount(self, payment_id: str, value: str, currency: str = "EUR") -> None:
        with self.lock:
            self.payments[payment_id]["amount"] = {"value": value, "currency": currency}

    def only(self) -> dict[str, Any]:
        """The one payment made (most tests make one)."""
        assert len(self.payments) == 1, self.payments
        return next(iter(self.payments.values()))

    # --- the API ----------------------------------------------------------------------------------------------

    def answer(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        headers = {name.lower(): value for name, value in handler.headers.items()}
        with self.lock:
            self.requests.append((method, handler.path, headers, body))
            status, document = self._route(method, handler.path, headers, body)
        data = json.dumps(document).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/hal+json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def _route(self, method: str, path: str, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        if self.failures:
            code = self.failures.pop(0)
            return code, _error(code, "Service Unavailable", "The fake is down on purpose.")
        if headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate")
        if method == "POST" and path == "/v2/payments":
            return self._create(headers, body)
        if method == "GET" and path.startswith("/v2/payments/"):
            payment = self.payments.get(path.removeprefix("/v2/payments/").split("?")[0])
            if payment is None:
                return 404, _error(404, "Not Found", "No payment exists with token tr_unknown.")
            return 200, payment
        return 404, _error(404, "Not Found", f"No route {method} {path}")

    def _create(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any]]:
        key = headers.get("idempotency-key", "")
        if key and key in self.by_key:
            return 201, self.payments[self.by_key[key]]
        amount = body.get("amount") or {}
        if amount.get("currency") != "EUR" or not isinstance(amount.get("value"), str):
            return 422, {**_error(422, "Unprocessable Entity", "The amount is invalid"), "field": "amount"}
        payment_id = f"tr_{secrets.token_hex(5)}"
        now = dt.datetime.now(dt.UTC).replace(microsecond=0)
        self.payments[payment_id] = {
            "resource": "payment", "id": payment_id, "mode": "test", "description": body["description"],
            "amount": amount, "sequenceType": "oneoff", "profileId": "pfl_fake00001", "status": "open",
            "createdAt": now.isoformat(), "expiresAt": (now + dt.timedelta(minutes=15)).isoformat(),
            "redirectUrl": body.get("redirectUrl"), "webhookUrl": body.get("webhookUrl"),
            "metadata": body.get("metadata"), "isCancelable": True,
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}", "type": "application/hal+json"},
                "dashboard": {"href": f"https://my.mollie.example/payments/{payment_id}", "type": "text/html"},
                "checkout": {"href": f"https://checkout.mollie.example/select-method/{payment_id}",
                             "type": "text/html"},
            },
        }
        if key:
            self.by_key[key] = payment_id
        return 201, self.payments[payment_id]


def _error(status: int, title: str, detail: str) -> dict[str, Any]:
    return {"status": status, "title": title, "detail": detail, "_links": DOCS}


def _now() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()
