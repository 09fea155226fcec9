"""A local stand-in for an SMS gateway's HTTP API, started by the test (never the internet)."""

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> dict:
        return json.loads(self.text)


@dataclass
class FakeGateway:
    """Answers each POST with the next scripted (status, JSON) reply, then `default`.

    `hold()` makes the next request wait inside the gateway until `release()`: a send caught
    in flight. A held request is then dropped unanswered (the gateway accepted nothing).
    `accepted` lists the requests answered with a 2xx.

    Like Unifonic with `dedupe_field="CorrelationID"`: a form post whose field value was
    accepted before is refused with 409 "This message is duplicate". `hold_answer_after(n)`:
    after n acceptances the next message is accepted (it will reach her phone) and its answer
    held until `release()`, then dropped — the sender never learns it was accepted.
    """

    default: tuple[int, dict] = (200, {})
    replies: list = field(default_factory=list)
    received: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    dedupe_field: str = ""

    def __post_init__(self) -> None:
        self._held = threading.Event()
        self._hold_next = False
        self._hold_answer_after: int | None = None
        self.duplicates_refused = 0
        self.request_arrived = threading.Event()
        self.answer_held = threading.Event()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/send"

    def start(self) -> "FakeGateway":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._held.set()
        self.server.shutdown()
        self.server.server_close()

    def hold(self) -> None:
        self._held.clear()
        self._hold_next = True

    def hold_answer_after(self, accepted: int) -> None:
        self._held.clear()
        self._hold_answer_after = accepted

    def reference_of(self, received: Received) -> str:
        return urllib.parse.parse_qs(received.text).get(self.dedupe_field, [""])[0]

    def _is_duplicate(self, received: Received) -> bool:
        reference = self.reference_of(received) if self.dedupe_field else ""
        return bool(reference) and any(self.reference_of(r) == reference for r in self.accepted)

    def release(self) -> None:
        self._held.set()

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received = Received(self.path, dict(self.headers), self.rfile.read(length))
                hold_answer = False
                with gateway.lock:
                    gateway.received.append(received)
                    hold, gateway._hold_next = gateway._hold_next, False
                    status, payload = gateway.replies.pop(0) if gateway.replies else gateway.default
                    if gateway._is_duplicate(received):
                        gateway.duplicates_refused += 1
                        status, payload = 409, {"success": False, "message": "duplicate"}
                    elif 200 <= status < 300 and len(gateway.accepted) == (
                        gateway._hold_answer_after
                    ):
                        gateway.accepted.append(received)
                        gateway._hold_answer_after = None
                        hold_answer = True
                gateway.request_arrived.set()
                if hold_answer:
                    gateway.answer_held.set()
                    gateway._held.wait(timeout=120)
                    self.close_connection = True
                    return  # accepted, but the sender never hears so
                if hold:
                    gateway._held.wait(timeout=60)
                    self.close_connection = True
                    return  # dropped: the sender never hears back, nothing was accepted
                if 200 <= status < 300:
                    # Accepted before answering, as a gateway does: a test that reads
                    # `accepted` once the sender has its answer must find it there.
                    with gateway.lock:
                        gateway.accepted.append(received)
                body = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler
