"""Chat-model providers over HTTP (OpenAI-compatible and Anthropic Messages): config, client, reply parsing."""

from __future__ import annotations

import json
import math
import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workbench.errors import ProviderError, ProviderUnreachableError, UsageError, ValidationFailed

Protocol = Literal["openai", "anthropic"]

DEFAULT_MODELS: dict[str, str] = {"openai": "gpt-5.5", "anthropic": "claude-sonnet-4-6"}
DEFAULT_KEY_ENV: dict[str, str] = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
BASE_URL_ENV: dict[str, str] = {"openai": "OPENAI_BASE_URL", "anthropic": "ANTHROPIC_BASE_URL"}
DEFAULT_BASE_URLS: dict[str, str] = {"openai": "https://api.openai.com/v1", "anthropic": "https://api.anthropic.com"}
ANTHROPIC_VERSION = "2023-06-01"  # sent by the SDK; listed here for the record
MAX_RETRY_AFTER_S = 120.0  # a server asking for a longer wait gets no retry: the caller sees a 429 instead
NO_KEY_PLACEHOLDER = "no-key"  # sent when api_key_env = "" (local servers that ignore the key)
TRUNCATION_REASONS = frozenset({"length", "max_tokens", "model_context_window_exceeded"})

_ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_KEYLIKE_RE = re.compile(r"(?:\bsk-[A-Za-z0-9_\-*.]{6,})|(?:(?i:bearer)\s+[A-Za-z0-9_\-.=*]{8,})")


# -- configuration --------------------------------------------------------------------------------

#: Model families cross-family review tells apart (`family` of a provider entry, `--author-family`).
KNOWN_FAMILIES = (
    "anthropic", "cohere", "deepseek", "google", "meta", "microsoft", "mistral", "moonshot", "nvidia", "openai",
    "qwen", "xai", "zhipu",
)


def check_family(value: str) -> str:
    """`value` as a known family name (lower case); ValueError naming the known ones otherwise."""
    family = value.strip().lower()
    if family not in KNOWN_FAMILIES:
        raise ValueError(f"unknown family '{value}': use one of {', '.join(KNOWN_FAMILIES)}")
    return family



class ProviderConfig(BaseModel):
    """One named entry of `[providers.NAME]` in workbench.toml, or a built-in default; holds no key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    protocol: Protocol
    model: str = Field(min_length=1)
    base_url: str | None = None
    api_key_env: str  # the env var holding the key; "" means no key (a local server)
    family: str | None = None  # model family ("openai", "anthropic", "deepseek", "qwen", ...) for cross-family review
    max_tokens: int = Field(4096, ge=1)
    temperature: float | None = Field(None, ge=0.0, le=2.0)
    concurrency: int = Field(4, ge=1)
    price_in_per_mtok: float = Field(0.0, ge=0.0)
    price_out_per_mtok: float = Field(0.0, ge=0.0)
    timeout_s: float = Field(600, gt=0)
    max_retries: int = Field(5, ge=0, le=20)
    requests_per_minute: int | None = Field(None, ge=1)
    tokens_per_minute: int | None = Field(None, ge=1)

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str) -> str:
        if value and not _ENV_NAME_RE.match(value):
            # never echo the value: it may be a pasted key
            raise ValueError("must name an environment variable (e.g. DEEPSEEK_API_KEY), not hold the key itself")
        return value

    @field_validator("family")
    @classmethod
    def _family(cls, value: str | None) -> str | None:
        return None if value is None else check_family(value)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = value.strip()
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL")
        if parts.username or parts.password:
            raise ValueError("must not carry credentials; put the key in the variable named by api_key_env")
        return value.rstrip("/")

    def cost_usd(self, tokens_in: int, tokens_out: int) -> float:
        """What a call with these token counts costs at this entry's prices."""
        return (tokens_in * self.price_in_per_mtok + tokens_out * self.price_out_per_mtok) / 1_000_000


def infer_family(model: str) -> str | None:
    """The model family a model name plainly belongs to, or None when the name does not say."""
    m = model.lower().rsplit("/", 1)[-1]
    for needle, family in (
        ("claude", "anthropic"),
        ("deepseek", "deepseek"),
        ("qwen", "qwen"),
        ("gemini", "google"),
        ("gemma", "google"),
        ("llama", "meta"),
        ("mistral", "mistral"),
        ("mixtral", "mistral"),
    ):
        if needle in m:
            return family
    if re.match(r"^(gpt-|o\d\b|o\d-|chatgpt)", m):
        return "openai"
    return None


def builtin_provider(name: str, model: str | None = None) -> ProviderConfig:
    """The built-in `openai` or `anthropic` provider: base URL and key from the usual environment variables."""
    if name not in DEFAULT_MODELS:
        raise UsageError(
            f"unknown built-in provider '{name}'",
            hint="use 'openai' or 'anthropic', or define [providers." + name + "] in workbench.toml",
        )
    protocol: Protocol = "openai" if name == "openai" else "anthropic"
    base_url = os.environ.get(BASE_URL_ENV[protocol]) or None
    chosen = model or DEFAULT_MODELS[protocol]
    family = infer_family(chosen) or (protocol if base_url is None else None)
    problem = None
    try:
        return ProviderConfig(
            name=name,
            protocol=protocol,
            model=chosen,
            base_url=base_url,
            api_key_env=DEFAULT_KEY_ENV[protocol],
            family=family,
        )
    except ValidationError as exc:
        problem = _first_problem(exc)
    raise ValidationFailed(f"{BASE_URL_ENV[protocol]} or --model: {problem}")  # outside except: no input echoed


def providers_from_config(table: Mapping[str, Any]) -> dict[str, ProviderConfig]:
    """Parse the `[providers]` table of workbench.toml; errors name the entry and the field."""
    if not isinstance(table, Mapping):
        raise ValidationFailed("workbench.toml: [providers] must be a table of [providers.NAME] tables")
    out: dict[str, ProviderConfig] = {}
    for name, entry in table.items():
        where = f"workbench.toml [providers.{name}]"
        if not isinstance(entry, Mapping):
            raise ValidationFailed(f"{where}: must be a table (base_url, model, api_key_env, ...)")
        data = dict(entry)
        for forbidden in ("api_key", "key", "token"):
            if forbidden in data:
                raise ValidationFailed(
                    f"{where}: field '{forbidden}': keys are never stored in files",
                    hint="put the key in an environment variable and name it with api_key_env",
                )
        if "name" in data and data["name"] != name:
            raise ValidationFailed(f"{where}: field 'name': must match the table name or be left out")
        data["name"] = name
        protocol = data.get("protocol") or (name if name in DEFAULT_MODELS else None)
        if protocol is None:
            raise ValidationFailed(f"{where}: field 'protocol': missing; use \"openai\" or \"anthropic\"")
        data["protocol"] = protocol
        if protocol in DEFAULT_MODELS:
            data.setdefault("api_key_env", DEFAULT_KEY_ENV[protocol])
            if name in DEFAULT_MODELS:
                data.setdefault("model", DEFAULT_MODELS[protocol])
        if "family" not in data and isinstance(data.get("model"), str):
            guessed = infer_family(data["model"])
            if guessed is None and protocol in DEFAULT_MODELS and not data.get("base_url"):
                guessed = protocol
            data["family"] = guessed
        problem = None
        try:
            out[name] = ProviderConfig.model_validate(data)
        except ValidationError as exc:
            problem = _first_problem(exc)
        if problem is not None:  # raised outside the except block: pydantic's error (with the input) stays behind
            raise ValidationFailed(f"{where}: {problem}")
    return out


def _first_problem(exc: ValidationError) -> str:
    """'field 'x': problem' from pydantic's first error, without echoing the input value."""
    err = exc.errors(include_url=False, include_input=False)[0]
    field = ".".join(str(p) for p in err["loc"]) or "?"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown field (check the spelling)"
    elif err["type"] == "missing":
        msg = "missing"
    elif err["type"] == "literal_error" and field == "protocol":
        msg = "must be \"openai\" or \"anthropic\""
    return f"field '{field}': {msg}"


# -- redaction and Lean extraction ------------------------------------------------------------------


def redact(text: str, secrets: Iterable[str | None]) -> str:
    """`text` with every secret (and anything shaped like an API key or bearer token) replaced by `[redacted]`."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return _KEYLIKE_RE.sub("[redacted]", text)


_FENCE_OPEN_RE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^\s`]*)[^`]*$")
_LEANISH_RE = re.compile(r"\b(?:theorem|lemma)\b|:=")


def extract_lean(reply_text: str) -> str | None:
    """The last ```lean/```lean4 block of a reply (else the last fenced block, else the reply if it looks like Lean).

    An unclosed final fence (a truncated reply) counts as a block holding what is there.
    Returns None when nothing looks like Lean.
    """
    if not reply_text or not reply_text.strip():
        return None
    blocks = fenced_blocks(reply_text)
    lean = [content for tag, content in blocks if tag in ("lean", "lean4")]
    if lean:
        return lean[-1]
    if blocks:
        return blocks[-1][1]
    if _LEANISH_RE.search(reply_text):
        return reply_text.strip()
    return None


def fenced_blocks(reply_text: str) -> list[tuple[str, str]]:
    """The non-empty fenced code blocks of a reply as (info tag, content), in order; an unclosed final
    fence (a truncated reply) counts as a block holding what is there."""
    blocks: list[tuple[str, str]] = []  # (info tag, content)
    fence: str | None = None
    info = ""
    body: list[str] = []
    for line in reply_text.splitlines():
        if fence is None:
            m = _FENCE_OPEN_RE.match(line)
            if m:
                fence, info, body = m["fence"], m["info"].lower(), []
            continue
        stripped = line.strip()
        if stripped and stripped[0] == fence[0] and set(stripped) == {fence[0]} and len(stripped) >= len(fence):
            blocks.append((info, "\n".join(body)))
            fence = None
            continue
        body.append(line)
    if fence is not None:
        blocks.append((info, "\n".join(body)))  # truncated reply: take what is there
    blocks = [(tag, content.strip("\n").rstrip()) for tag, content in blocks]
    return [(tag, content) for tag, content in blocks if content.strip()]


# -- replies and the client -------------------------------------------------------------------------


class ChatReply(BaseModel):
    """What one chat call produced; `text` is "" when the reply was empty or unreadable (see `problem`)."""

    text: str
    tokens_in: int
    tokens_out: int
    cost_usd: float
    finish_reason: str | None
    truncated: bool
    model: str
    duration_s: float
    retries: int = 0
    problem: str | None = None  # why text is "" when the body could not be read ("reply body is not JSON", ...)


class _RateLimiter:
    """Client-side pacing: at most `rpm` request starts and roughly `tpm` tokens per sliding minute."""

    WINDOW_S = 60.0

    def __init__(
        self,
        rpm: int | None,
        tpm: int | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rpm, self.tpm = rpm, tpm
        self._clock, self._sleep = clock, sleep
        self._starts: deque[float] = deque()
        self._tokens: deque[tuple[float, int]] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        """Block until a request may start, then count it."""
        if self.rpm is None and self.tpm is None:
            return
        while True:
            with self._lock:
                now = self._clock()
                horizon = now - self.WINDOW_S
                while self._starts and self._starts[0] <= horizon:
                    self._starts.popleft()
                while self._tokens and self._tokens[0][0] <= horizon:
                    self._tokens.popleft()
                wait = 0.0
                if self.rpm is not None and len(self._starts) >= self.rpm:
                    wait = self._starts[0] + self.WINDOW_S - now
                if self.tpm is not None and self._tokens and sum(n for _, n in self._tokens) >= self.tpm:
                    wait = max(wait, self._tokens[0][0] + self.WINDOW_S - now)
                if wait <= 0:
                    self._starts.append(now)
                    return
            self._sleep(min(max(wait, 0.01), self.WINDOW_S))

    def record(self, tokens: int) -> None:
        """Count the tokens a finished request used."""
        if self.tpm is not None and tokens > 0:
            with self._lock:
                self._tokens.append((self._clock(), tokens))


def _sdk_module(protocol: str) -> Any:
    if protocol == "openai":
        import openai

        return openai
    import anthropic

    return anthropic


@lru_cache(maxsize=None)
def _sdk_client_class(protocol: str) -> type:
    """The SDK client class; for Anthropic, one that sends the key as `x-api-key` and bounds Retry-After.

    openai's SDK already refuses to retry when Retry-After exceeds two minutes; anthropic's sleeps
    for whatever the server asks (up to ~50 days).  The `_should_retry` override keeps both at the
    same bound and falls back to the SDK's own behaviour should the private hook ever be renamed.
    """
    if protocol == "openai":
        import openai

        return openai.OpenAI
    import anthropic

    class _BoundedAnthropic(anthropic.Anthropic):
        @property
        def auth_headers(self) -> dict[str, str]:
            # The Messages API authenticates API keys with `x-api-key`; the installed SDK sends them
            # as `Authorization: Bearer`, which api.anthropic.com refuses for API keys.
            if self.api_key:
                return {"X-Api-Key": self.api_key}
            return super().auth_headers

        def _should_retry(self, response: Any) -> bool:
            wait = _retry_after_s(response.headers)
            if wait is not None and wait > MAX_RETRY_AFTER_S:
                return False
            return super()._should_retry(response)

    return _BoundedAnthropic


def _retry_after_s(headers: Mapping[str, str]) -> float | None:
    """Seconds a response asks us to wait (retry-after-ms, then retry-after in seconds or as an HTTP date)."""
    import email.utils

    for header, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue
        return seconds if math.isfinite(seconds) else MAX_RETRY_AFTER_S * 1000
    value = headers.get("retry-after")
    if value:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        return when.timestamp() - time.time()
    return None


class ChatClient:
    """A chat client for one provider config: thread-safe, paced (concurrency, rpm, tpm), retrying, key-safe.

    Retries (429, 408, 409, 5xx, connection errors, timeouts) are the SDK's: exponential backoff
    from 0.5 s doubling to at most 8 s, minus up to 25% jitter, or exactly the server's
    Retry-After / retry-after-ms when it is 0 < wait <= 120 s; a longer Retry-After is not retried.
    `timeout_s` bounds each attempt, so a server that never answers costs up to
    (max_retries + 1) * timeout_s plus backoff.
    """

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config
        env = config.api_key_env
        if env:
            key = os.environ.get(env, "").strip()
            if not key:
                raise ProviderError(
                    f"no API key: set {env}",
                    hint=f"provider '{config.name}' reads its key from the environment variable {env}",
                )
        else:
            key = NO_KEY_PLACEHOLDER
        self._secrets = (key,) if env else ()
        protocol = config.protocol
        self.base_url = config.base_url or os.environ.get(BASE_URL_ENV[protocol]) or DEFAULT_BASE_URLS[protocol]
        self._official = urlsplit(self.base_url).hostname == urlsplit(DEFAULT_BASE_URLS[config.protocol]).hostname
        self._slots = threading.BoundedSemaphore(config.concurrency)
        self._limiter = _RateLimiter(config.requests_per_minute, config.tokens_per_minute)
        cls = _sdk_client_class(config.protocol)
        self._sdk = cls(
            api_key=key, base_url=self.base_url, timeout=float(config.timeout_s), max_retries=config.max_retries
        )
        self._reachable = False

    def __repr__(self) -> str:
        c = self.config
        return f"ChatClient(name={c.name!r}, protocol={c.protocol!r}, model={c.model!r}, base_url={self.base_url!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling (thread or process pools, Ray) ships the config only; the receiver reads its own environment.
        return (ChatClient, (self.config,))

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._sdk.close()

    def __enter__(self) -> ChatClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the call ------------------------------------------------------------------------------

    def chat(self, messages: list[dict[str, str]], *, system: str | None = None) -> ChatReply:
        """Send a conversation ([{"role": "user"|"assistant", "content": str}, ...]) and return the reply.

        Raises ProviderError (with `status` when the server answered) once retries are exhausted;
        an empty or unreadable 200 reply is a ChatReply with text "" and `problem` set.
        """
        _check_messages(messages)
        self.check_reachable()
        with self._slots:
            self._limiter.acquire()
            started = time.monotonic()
            failure: ProviderError | None = None
            raw: Any = None
            try:
                raw = self._send(messages, system)
            except Exception as exc:  # noqa: BLE001 - every failure below the SDK becomes a ProviderError
                failure = self._translate(exc)
            if failure is not None:
                raise failure  # raised outside the except block: no SDK exception (or request) rides along
            reply = self._parse(raw, time.monotonic() - started)
            self._limiter.record(reply.tokens_in + reply.tokens_out)
            return reply

    def check_reachable(self) -> None:
        """Raise ProviderUnreachableError (a set-up error, exit 2) when the server cannot be reached at all: its
        host name does not resolve, or nothing listens on its port. One TCP connection, once per client, so a
        wrong base_url fails in a moment instead of after the SDK's retries; skipped behind a proxy."""
        if self._reachable:
            return
        import socket
        import urllib.request

        parts = urlsplit(self.base_url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        proxied = urllib.request.getproxies().get(parts.scheme) and not urllib.request.proxy_bypass(host)
        c = self.config
        who = f"provider '{c.name}' ({c.protocol}, {c.model})"
        problem = None
        if host and not proxied:
            try:
                with socket.create_connection((host, port), timeout=min(5.0, float(c.timeout_s))):
                    pass
            except socket.gaierror:
                problem = f"the host name '{host}' does not resolve"
            except ConnectionRefusedError:
                problem = f"connection refused (nothing listens on port {port} of {host})"
            except OSError:
                pass  # slow or filtered: the request itself times out (and is retried) as usual
        if problem:
            raise ProviderUnreachableError(f"{who}: cannot reach {self._where()}: {problem}",
                                           hint="is the server running, and is base_url right?")
        self._reachable = True

    def _send(self, messages: list[dict[str, str]], system: str | None) -> Any:
        c = self.config
        if c.protocol == "openai":
            wire = ([{"role": "system", "content": system}] if system else []) + [
                {"role": m["role"], "content": m["content"]} for m in messages
            ]
            params: dict[str, Any] = {"model": c.model, "messages": wire}
            # OpenAI's own API wants max_completion_tokens (reasoning models refuse max_tokens);
            # compatible servers (vLLM, Ollama, DeepSeek) know max_tokens.
            params["max_completion_tokens" if self._official else "max_tokens"] = c.max_tokens
            if c.temperature is not None:
                params["temperature"] = c.temperature
            return self._sdk.chat.completions.with_raw_response.create(**params)
        params = {
            "model": c.model,
            "max_tokens": c.max_tokens,
            "messages": [{"role": m["role"], "content": m["content"]} for m in messages],
        }
        if system:
            params["system"] = system
        if c.temperature is not None:
            params["temperature"] = c.temperature
        return self._sdk.messages.with_raw_response.create(**params)

    def _parse(self, raw: Any, duration: float) -> ChatReply:
        retries = int(getattr(raw, "retries_taken", 0) or 0)
        reply = dict(
            text="", tokens_in=0, tokens_out=0, cost_usd=0.0, finish_reason=None, truncated=False,
            model=self.config.model, duration_s=round(duration, 3), retries=retries,
        )  # fmt: skip
        try:
            body = json.loads(raw.http_response.content)
        except (ValueError, AttributeError):
            return ChatReply(**reply, problem="reply body is not JSON")
        if not isinstance(body, dict):
            return ChatReply(**reply, problem="reply body is not a JSON object")
        if self.config.protocol == "openai":
            fields, problem = _parse_openai(body)
        else:
            fields, problem = _parse_anthropic(body)
        reply.update(fields)
        if isinstance(body.get("model"), str) and body["model"]:
            reply["model"] = body["model"]
        reply["text"] = redact(reply["text"], self._secrets) if self._secrets else reply["text"]
        reply["truncated"] = reply["finish_reason"] in TRUNCATION_REASONS
        reply["cost_usd"] = self.config.cost_usd(reply["tokens_in"], reply["tokens_out"])
        if problem is None and not reply["text"].strip():
            problem = "reply has no text"
        return ChatReply(**reply, problem=problem)

    # -- errors --------------------------------------------------------------------------------

    def _translate(self, exc: Exception) -> ProviderError:
        """Our one-line ProviderError for whatever the SDK (or the network) raised; never carries the key."""
        c = self.config
        who = f"provider '{c.name}' ({c.protocol}, {c.model})"
        sdk = _sdk_module(c.protocol)
        kind = type(exc).__name__
        if isinstance(exc, sdk.APIStatusError):
            return self._status_error(who, exc.status_code, self._reason(exc.response), exc.response)
        if isinstance(exc, sdk.APITimeoutError):
            return ProviderError(
                f"{who}: no reply from {self._where()} within {c.timeout_s:g} s"
                + (f" (tried {c.max_retries + 1} times)" if c.max_retries else ""),
                hint="raise timeout_s for slow models, or check that the server is not stuck",
            )
        if isinstance(exc, sdk.APIConnectionError):
            return ProviderError(
                f"{who}: cannot connect to {self._where()}",
                hint="is the server running and base_url right?",
            )
        detail = self._clean(str(exc)) or kind
        return ProviderError(f"{who}: {kind}: {detail}")

    def _status_error(self, who: str, status: int, reason: str, response: Any) -> ProviderError:
        c = self.config
        said = f": {reason}" if reason else ""
        if status == 401:
            return ProviderError(
                f"{who}: HTTP 401 unauthorized{said}",
                status=status,
                hint=f"{self._where()} refused the key in {c.api_key_env or '(none)'}; check it is valid there",
            )
        if status == 403:
            return ProviderError(
                f"{who}: HTTP 403 forbidden{said}",
                status=status,
                hint=f"the key in {c.api_key_env or '(none)'} may lack access to model '{c.model}' or this endpoint",
            )
        if status == 429:
            wait = _retry_after_s(response.headers)
            asks = f" (server asks to wait {wait:.0f} s)" if wait and wait > 0 else ""
            return ProviderError(
                f"{who}: HTTP 429 rate limited{asks}{said}",
                status=status,
                hint="lower concurrency or set requests_per_minute / tokens_per_minute for this provider",
            )
        if status == 404:
            return ProviderError(
                f"{who}: HTTP 404 not found{said}",
                status=status,
                hint=f"check the model name and base_url ({self._where()})",
            )
        if status >= 500:
            return ProviderError(
                f"{who}: HTTP {status} server error after {c.max_retries} retries{said}",
                status=status,
                hint="the service is failing; try again later",
            )
        return ProviderError(f"{who}: HTTP {status}{said}", status=status)

    def _reason(self, response: Any) -> str:
        """A short reason from an error body ({"error": {"message"}}, {"message"}, {"detail"}), or ""."""
        try:
            text = response.text
        except Exception:  # noqa: BLE001 - an unreadable body has no reason to give
            return ""
        reason: Any = None
        try:
            body = json.loads(text)
        except ValueError:
            body = None
        if isinstance(body, dict):
            err = body.get("error")
            if isinstance(err, dict):
                reason = err.get("message") or err.get("type")
            elif isinstance(err, str):
                reason = err
            reason = reason or body.get("message") or body.get("detail")
        elif text and "<" not in text[:20]:
            reason = text
        return self._clean(reason if isinstance(reason, str) else (json.dumps(reason) if reason else ""))

    def _clean(self, text: str, limit: int = 200) -> str:
        one_line = " ".join(redact(text, self._secrets).split())
        return one_line if len(one_line) <= limit else one_line[: limit - 1] + "…"

    def _where(self) -> str:
        return redact(self.base_url, self._secrets)


def _check_messages(messages: list[dict[str, str]]) -> None:
    if not messages:
        raise UsageError("chat needs at least one message")
    for i, m in enumerate(messages):
        ok = isinstance(m, Mapping) and m.get("role") in ("user", "assistant") and isinstance(m.get("content"), str)
        if not ok:
            raise UsageError(
                f"message {i}: must be {{'role': 'user' | 'assistant', 'content': str}}",
                hint="pass the system prompt with system=...",
            )


def _int(value: Any) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _parse_openai(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    fields: dict[str, Any] = {
        "tokens_in": _int(usage.get("prompt_tokens")),
        "tokens_out": _int(usage.get("completion_tokens")),
    }
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        return fields, "reply has no choices"
    choice = choices[0]
    finish = choice.get("finish_reason")
    fields["finish_reason"] = finish if isinstance(finish, str) else None
    message = choice.get("message") if isinstance(choice.get("message"), dict) else {}
    content = message.get("content")
    if isinstance(content, list):  # some servers send content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict) and isinstance(p.get("text"), str))
    fields["text"] = content if isinstance(content, str) else ""
    return fields, None


def _parse_anthropic(body: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    usage = body.get("usage") if isinstance(body.get("usage"), dict) else {}
    input_kinds = ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
    tokens_in = sum(_int(usage.get(k)) for k in input_kinds)
    fields: dict[str, Any] = {"tokens_in": tokens_in, "tokens_out": _int(usage.get("output_tokens"))}
    stop = body.get("stop_reason")
    fields["finish_reason"] = stop if isinstance(stop, str) else None
    content = body.get("content")
    if not isinstance(content, list):
        return fields, "reply has no content"
    fields["text"] = "".join(
        b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
    )
    return fields, None
