"""Scripted local HTTP servers speaking the OpenAI chat-completions and Anthropic Messages protocols.

Each server listens on 127.0.0.1 (ephemeral port) in a background thread, records every request
(headers and JSON body) and answers from a script: a queue of `Reply`s, then `on_request`, then a
default success.  Fixtures `openai_server` and `anthropic_server` start one per test and stop it at
teardown, releasing any reply still waiting out its `delay` so a simulated hang never blocks the suite.

    def test_retry(openai_server):
        openai_server.script(openai_server.error(429, "slow down", headers={"Retry-After": "1"}),
                             openai_server.ok("```lean\\ntheorem t : True := trivial\\n```"))
        ...  # point a client at openai_server.base_url
        assert len(openai_server.requests) == 2
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal

import pytest

__all__ = [
    "ModelServer",
    "RecordedRequest",
    "Reply",
    "anthropic_server",
    "openai_server",
    "start_model_server",
]

Protocol = Literal["openai", "anthropic"]
ENDPOINTS: dict[str, str] = {"openai": "/v1/chat/completions", "anthropic": "/v1/messages"}
MAX_BODY = 8 * 1024 * 1024


@dataclass
class Reply:
    """One scripted answer: status, extra headers, body (dict → JSON, str/bytes sent as is), delay in seconds."""

    status: int = 200
    body: dict[str, Any] | list[Any] | str | bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str = "application/json"


@dataclass
class RecordedRequest:
    """What the server received: method, path, headers (lower-cased names), raw body, parsed JSON."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    json: Any
    time: float

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The chat messages of the request (empty when the body was not a chat request)."""
        return list(self.json.get("messages", [])) if isinstance(self.json, dict) else []


class ModelServer:
    """A scripted model server; `base_url` is what a client (or a `[providers.NAME]` entry) should use."""

    def __init__(self, protocol: Protocol, *, api_key: str | None = None) -> None:
        self.protocol: Protocol = protocol
        # when set, requests with another key get a 401 that echoes the key, as a careless server would
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self.on_request: Callable[[RecordedRequest], Reply] | None = None
        self._queue: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    # -- addresses -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self._httpd.server_address[1]

    @property
    def base_url(self) -> str:
        """OpenAI clients expect the `/v1` prefix in the base URL; Anthropic clients add it themselves."""
        root = f"http://127.0.0.1:{self.port}"
        return root + "/v1" if self.protocol == "openai" else root

    # -- scripting -----------------------------------------------------------------------------

    def script(self, *replies: Reply) -> None:
        """Queue replies, answered in order; after the queue, `on_request` or a default success."""
        with self._lock:
            self._queue.extend(replies)

    def ok(
        self,
        text: str = "ok",
        *,
        finish: str | None = None,
        tokens_in: int = 11,
        tokens_out: int = 7,
        model: str = "test-model",
        headers: dict[str, str] | None = None,
        delay: float = 0.0,
    ) -> Reply:
        """A successful reply in this server's protocol (finish defaults to "stop" / "end_turn")."""
        if self.protocol == "openai":
            body: dict[str, Any] = {
                "id": "chatcmpl-test",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": model,
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": text},
                        "finish_reason": finish or "stop",
                    }
                ],
                "usage": {
                    "prompt_tokens": tokens_in,
                    "completion_tokens": tokens_out,
                    "total_tokens": tokens_in + tokens_out,
                },
            }
        else:
            body = {
                "id": "msg_test",
                "type": "message",
                "role": "assistant",
                "model": model,
                "content": [{"type": "text", "text": text}],
                "stop_reason": finish or "end_turn",
                "stop_sequence": None,
                "usage": {"input_tokens": tokens_in, "output_tokens": tokens_out},
            }
        return Reply(200, body, dict(headers or {}), delay)

    def error(self, status: int, message: str = "error", *, headers: dict[str, str] | None = None) -> Reply:
        """An error reply shaped as this protocol's error object."""
        if self.protocol == "openai":
            body: dict[str, Any] = {"error": {"message": message, "type": "test_error", "code": None}}
        else:
            body = {"type": "error", "error": {"type": "test_error", "message": message}}
        return Reply(status, body, dict(headers or {}))

    def hang(self, seconds: float = 30.0) -> Reply:
        """A reply that waits `seconds` before answering (released early when the server stops)."""
        return self.ok("too late", delay=seconds)

    # -- lifecycle -----------------------------------------------------------------------------

    def close(self) -> None:
        """Stop serving; waiting replies are released and the listening socket closed."""
        self._stop.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ModelServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- serving -------------------------------------------------------------------------------

    def _decide(self, request: RecordedRequest) -> Reply:
        if request.method != "POST" or request.path.split("?")[0] != ENDPOINTS[self.protocol]:
            return self.error(404, f"no route for {request.method} {request.path}")
        problem = self._auth_problem(request)
        if problem is not None:
            return problem
        with self._lock:
            if self._queue:
                return self._queue.popleft()
        if self.on_request is not None:
            return self.on_request(request)
        return self.ok()

    def _auth_problem(self, request: RecordedRequest) -> Reply | None:
        if self.protocol == "anthropic":
            if "anthropic-version" not in request.headers:
                return self.error(400, "anthropic-version header is required")
            given = request.headers.get("x-api-key")
            if not given:
                return self.error(401, "x-api-key header is required")
        else:
            auth = request.headers.get("authorization", "")
            given = auth[len("Bearer ") :] if auth.startswith("Bearer ") else None
            if not given:
                return self.error(401, "missing bearer token")
        if self.api_key is not None and given != self.api_key:
            return self.error(401, f"Incorrect API key provided: {given}")
        return None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: nothing lingers at teardown
            timeout = 10  # socket timeout: a silent client cannot pin a handler thread

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

            def _handle(self) -> None:
                length = min(int(self.headers.get("Content-Length") or 0), MAX_BODY)
                raw = self.rfile.read(length) if length else b""
                try:
                    parsed = json.loads(raw) if raw else None
                except ValueError:
                    parsed = None
                request = RecordedRequest(
                    method=self.command,
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=raw,
                    json=parsed,
                    time=time.monotonic(),
                )
                with server._lock:
                    server.requests.append(request)
                reply = server._decide(request)
                if reply.delay and server._stop.wait(reply.delay):
                    return  # the server is stopping: drop the connection without answering
                body = reply.body
                if isinstance(body, (dict, list)):
                    data = json.dumps(body).encode()
                elif isinstance(body, str):
                    data = body.encode()
                else:
                    data = body or b""
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", reply.content_type)
                    self.send_header("Content-Length", str(len(data)))
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:
                    pass  # the client gave up (timeout) and closed the connection

            do_POST = _handle
            do_GET = _handle

        return Handler


def start_model_server(protocol: Protocol, *, api_key: str | None = None) -> ModelServer:
    """Start a server outside pytest (a notebook, a demo); call `.close()` or use it as a context manager."""
    return ModelServer(protocol, api_key=api_key)


@pytest.fixture
def openai_server() -> Iterator[ModelServer]:
    """An OpenAI-compatible chat-completions server on 127.0.0.1; `base_url` ends in `/v1`."""
    with ModelServer("openai") as server:
        yield server


@pytest.fixture
def anthropic_server() -> Iterator[ModelServer]:
    """An Anthropic Messages server on 127.0.0.1; checks `x-api-key` and `anthropic-version`."""
    with ModelServer("anthropic") as server:
        yield server
