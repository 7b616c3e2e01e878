"""Chat providers against real local HTTP servers speaking the OpenAI and Anthropic protocols."""

from __future__ import annotations

import logging
import pickle
import re
import threading
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from _model_servers import ModelServer, Reply

from workbench.errors import ProviderError, UsageError, ValidationFailed
from workbench.provers.providers import (
    ChatClient,
    ChatReply,
    ProviderConfig,
    _RateLimiter,
    builtin_provider,
    extract_lean,
    providers_from_config,
    redact,
)

KEY = "sk-test-SECRET-abc123"
KEY_ENV = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
LEAN_REPLY = "Here is the proof.\n\n```lean\ntheorem t : 1 + 1 = 2 := by\n  norm_num\n```\n"
HELLO = [{"role": "user", "content": "Prove 1 + 1 = 2 in Lean 4."}]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only our fake keys; nothing from the developer's environment steers the SDKs."""
    for var in (
        "OPENAI_BASE_URL", "OPENAI_ORG_ID", "OPENAI_PROJECT_ID", "OPENAI_LOG",
        "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_LOG",
    ):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)


@pytest.fixture(params=["openai", "anthropic"])
def server(request: pytest.FixtureRequest) -> ModelServer:
    """Each protocol in turn."""
    return request.getfixturevalue(f"{request.param}_server")


def client_for(server: ModelServer, **overrides: object) -> ChatClient:
    fields: dict[str, object] = dict(
        name="local", protocol=server.protocol, model="test-model", base_url=server.base_url,
        api_key_env=KEY_ENV[server.protocol], max_retries=2, timeout_s=5,
    )  # fmt: skip
    fields.update(overrides)
    return ChatClient(ProviderConfig(**fields))


# -- success ----------------------------------------------------------------------------------------


def test_openai_success_counts_tokens_and_cost(openai_server: ModelServer) -> None:
    openai_server.script(openai_server.ok(LEAN_REPLY, tokens_in=1000, tokens_out=500, model="served-model"))
    client = client_for(openai_server, price_in_per_mtok=2.0, price_out_per_mtok=8.0, temperature=0.2, max_tokens=777)

    reply = client.chat(HELLO, system="You are a Lean prover.")

    assert reply.text == LEAN_REPLY
    assert (reply.tokens_in, reply.tokens_out) == (1000, 500)
    assert reply.cost_usd == pytest.approx(1000 * 2.0 / 1e6 + 500 * 8.0 / 1e6)
    assert reply.finish_reason == "stop" and not reply.truncated
    assert reply.model == "served-model" and reply.retries == 0 and reply.problem is None
    assert 0 <= reply.duration_s < 5
    assert extract_lean(reply.text) == "theorem t : 1 + 1 = 2 := by\n  norm_num"

    (sent,) = openai_server.requests
    assert sent.headers["authorization"] == f"Bearer {KEY}"
    assert sent.json["model"] == "test-model"
    assert sent.json["messages"] == [{"role": "system", "content": "You are a Lean prover."}, *HELLO]
    assert sent.json["max_tokens"] == 777 and sent.json["temperature"] == 0.2


def test_anthropic_success_counts_tokens_and_cost(anthropic_server: ModelServer) -> None:
    anthropic_server.script(anthropic_server.ok(LEAN_REPLY, tokens_in=2000, tokens_out=100))
    client = client_for(anthropic_server, price_in_per_mtok=3.0, price_out_per_mtok=15.0, max_tokens=1234)

    reply = client.chat(HELLO, system="You are a Lean prover.")

    assert reply.text == LEAN_REPLY
    assert (reply.tokens_in, reply.tokens_out) == (2000, 100)
    assert reply.cost_usd == pytest.approx(2000 * 3.0 / 1e6 + 100 * 15.0 / 1e6)
    assert reply.finish_reason == "end_turn" and not reply.truncated

    (sent,) = anthropic_server.requests
    assert sent.headers["x-api-key"] == KEY and "authorization" not in sent.headers
    assert sent.headers["anthropic-version"]
    assert sent.json["system"] == "You are a Lean prover."
    assert sent.json["messages"] == HELLO
    assert sent.json["max_tokens"] == 1234 and "temperature" not in sent.json


def test_conversation_is_sent_in_order(server: ModelServer) -> None:
    """A repair round: the second request carries the whole conversation, Lean's messages last."""
    conversation = [
        *HELLO,
        {"role": "assistant", "content": "```lean\ntheorem t : 1 + 1 = 2 := by simp\n```"},
        {"role": "user", "content": "Lean says: 1:30: error: simp made no progress"},
    ]
    client_for(server).chat(conversation)
    assert server.requests[-1].messages[-3:] == conversation


def test_local_server_needs_no_key(openai_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """api_key_env = "" is a server that wants no key (vLLM, Ollama on localhost)."""
    monkeypatch.delenv("OPENAI_API_KEY")
    reply = client_for(openai_server, api_key_env="").chat(HELLO)
    assert reply.text == "ok"


# -- retries ----------------------------------------------------------------------------------------


def test_429_waits_for_retry_after_then_succeeds(server: ModelServer) -> None:
    server.script(server.error(429, "slow down", headers={"Retry-After": "1"}), server.ok(LEAN_REPLY))

    reply = client_for(server).chat(HELLO)

    assert reply.text == LEAN_REPLY and reply.retries == 1
    first, second = server.requests
    assert 0.9 <= second.time - first.time < 2.0  # the SDK waited the server's 1 s, not its own backoff
    assert second.headers.get("x-stainless-retry-count") == "1"


def test_retry_after_beyond_two_minutes_is_not_retried(server: ModelServer) -> None:
    server.script(server.error(429, "come back tomorrow", headers={"Retry-After": "86400"}))

    start = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        client_for(server).chat(HELLO)

    assert time.monotonic() - start < 2
    assert caught.value.status == 429 and len(server.requests) == 1
    assert "rate limited" in str(caught.value) and "86400" in str(caught.value)


def test_500_backs_off_then_succeeds(server: ModelServer) -> None:
    server.script(server.error(500, "overloaded"), server.ok("fine"))

    reply = client_for(server).chat(HELLO)

    assert reply.text == "fine" and reply.retries == 1
    first, second = server.requests
    assert 0.3 <= second.time - first.time < 1.5  # 0.5 s backoff minus up to 25% jitter


def test_persistent_500_is_a_provider_error(server: ModelServer) -> None:
    server.script(*[server.error(503, "down for maintenance")] * 3)

    with pytest.raises(ProviderError) as caught:
        client_for(server, max_retries=1).chat(HELLO)

    assert caught.value.status == 503 and len(server.requests) == 2
    assert "down for maintenance" in str(caught.value)


# -- failures ---------------------------------------------------------------------------------------


def test_401_is_one_line_with_status_and_hint_and_no_key(server: ModelServer) -> None:
    server.api_key = "the-right-key"  # the server refuses ours and echoes it back, as careless servers do

    with pytest.raises(ProviderError) as caught:
        client_for(server).chat(HELLO)

    err = caught.value
    assert err.status == 401 and len(server.requests) == 1  # not retried
    assert "401" in err.message and "\n" not in str(err)
    assert KEY_ENV[server.protocol] in (err.hint or "")
    assert KEY not in str(err) and KEY not in repr(err) and "SECRET" not in str(err)
    assert err.__context__ is None and err.__cause__ is None  # no SDK exception (holding the request) rides along


def test_403_is_a_provider_error(server: ModelServer) -> None:
    server.script(server.error(403, "model not available to this organisation"))
    with pytest.raises(ProviderError) as caught:
        client_for(server).chat(HELLO)
    assert caught.value.status == 403 and "model not available" in str(caught.value)


def test_missing_key_is_one_line_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY")
    with pytest.raises(ProviderError) as caught:
        ChatClient(builtin_provider("openai"))
    assert caught.value.message == "no API key: set OPENAI_API_KEY" and caught.value.status is None


def test_hanging_server_times_out_within_the_timeout(server: ModelServer) -> None:
    server.script(server.hang(30))

    start = time.monotonic()
    with pytest.raises(ProviderError) as caught:
        client_for(server, timeout_s=1, max_retries=0).chat(HELLO)

    assert 0.9 <= time.monotonic() - start < 3
    assert "within 1 s" in str(caught.value) and caught.value.status is None


def test_timeouts_are_retried_up_to_max_retries(openai_server: ModelServer) -> None:
    openai_server.script(openai_server.hang(30), openai_server.ok("second try"))
    reply = client_for(openai_server, timeout_s=0.5, max_retries=1).chat(HELLO)
    assert reply.text == "second try" and len(openai_server.requests) == 2


def test_unreachable_server(server: ModelServer) -> None:
    base_url = server.base_url
    server.close()
    with pytest.raises(ProviderError) as caught:
        client_for(server, base_url=base_url, max_retries=0).chat(HELLO)
    assert "cannot reach" in str(caught.value) and "connection refused" in str(caught.value)
    assert caught.value.exit_code == 2  # a set-up problem, found at once: no retries


# -- odd replies ------------------------------------------------------------------------------------


def test_reply_without_code(server: ModelServer) -> None:
    server.script(server.ok("I am not sure this is provable; it looks false for n = 0."))
    reply = client_for(server).chat(HELLO)
    assert reply.text and extract_lean(reply.text) is None


def test_truncated_reply(server: ModelServer) -> None:
    finish = "length" if server.protocol == "openai" else "max_tokens"
    server.script(server.ok("```lean\ntheorem t : 1 + 1 = 2 := by\n  nor", finish=finish))

    reply = client_for(server).chat(HELLO)

    assert reply.truncated and reply.finish_reason == finish
    assert extract_lean(reply.text) == "theorem t : 1 + 1 = 2 := by\n  nor"


@pytest.mark.parametrize(
    "body",
    ["<html>Bad gateway</html>", "{not json", "[1, 2]", {"unexpected": True}, {"choices": [], "content": None}],
    ids=["html", "broken-json", "array", "wrong-object", "empty"],
)
def test_garbage_200_is_an_empty_reply_not_a_crash(server: ModelServer, body: object) -> None:
    server.script(Reply(200, body))  # type: ignore[arg-type]
    reply = client_for(server).chat(HELLO)
    assert isinstance(reply, ChatReply) and reply.text == "" and reply.problem
    assert extract_lean(reply.text) is None


def test_null_content_is_an_empty_reply(openai_server: ModelServer) -> None:
    body = openai_server.ok("x").body
    body["choices"][0]["message"]["content"] = None  # type: ignore[index]
    openai_server.script(Reply(200, body))
    reply = client_for(openai_server).chat(HELLO)
    assert reply.text == "" and reply.problem == "reply has no text" and reply.tokens_in == 11


def test_garbage_error_body_is_still_a_provider_error(server: ModelServer) -> None:
    server.script(Reply(502, "<html><body>502 Bad Gateway</body></html>", content_type="text/html"))
    with pytest.raises(ProviderError) as caught:
        client_for(server, max_retries=0).chat(HELLO)
    assert caught.value.status == 502 and "<html>" not in str(caught.value)


def test_malformed_messages_are_a_usage_error(openai_server: ModelServer) -> None:
    with pytest.raises(UsageError):
        client_for(openai_server).chat([{"role": "system", "content": "x"}])
    assert openai_server.requests == []


# -- pacing -----------------------------------------------------------------------------------------


def test_concurrency_bounds_requests_in_flight(openai_server: ModelServer) -> None:
    lock, in_flight, peak = threading.Lock(), [0], [0]

    def slow(_request: object) -> Reply:
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1
        return openai_server.ok("done")

    openai_server.on_request = slow
    client = client_for(openai_server, concurrency=2)
    with ThreadPoolExecutor(max_workers=6) as pool:
        replies = list(pool.map(lambda _: client.chat(HELLO), range(6)))
    assert [r.text for r in replies] == ["done"] * 6 and peak[0] == 2


def test_rate_limiter_paces_requests_and_tokens() -> None:
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = _RateLimiter(rpm=2, tpm=None, clock=lambda: now[0], sleep=sleep)
    limiter.acquire(); limiter.acquire(); limiter.acquire()  # noqa: E702
    assert slept == [60.0]

    limiter = _RateLimiter(rpm=None, tpm=1000, clock=lambda: now[0], sleep=sleep)
    slept.clear()
    limiter.acquire(); limiter.record(1500); now[0] += 10; limiter.acquire()  # noqa: E702
    assert slept == [50.0]


# -- keys never leak --------------------------------------------------------------------------------


def test_key_appears_nowhere(
    server: ModelServer, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # the SDKs and httpx log at DEBUG; none of it may carry the key
    seen: list[str] = []
    client = client_for(server, timeout_s=0.5, max_retries=1)
    seen += [repr(client), repr(client.config), client.config.model_dump_json()]

    server.script(server.error(429, f"slow down {KEY}", headers={"Retry-After": "0.1"}), server.ok(f"echo {KEY}"))
    reply = client.chat(HELLO)
    seen += [reply.model_dump_json(), repr(reply)]

    for scripted in (
        server.error(401, f"Incorrect API key provided: {KEY}"),
        server.error(400, f"bad request from Bearer {KEY}"),
        Reply(500, f"Traceback: key={KEY}", content_type="text/plain"),
    ):
        server.script(*[scripted] * (2 if scripted.status >= 500 else 1))  # 5xx is retried once
        with pytest.raises(ProviderError) as caught:
            client.chat(HELLO)
        seen += [str(caught.value), repr(caught.value), caught.value.hint or ""]

    server.script(server.hang(30), server.hang(30))
    with pytest.raises(ProviderError) as caught:
        client.chat(HELLO)
    seen += [str(caught.value), repr(caught.value)]

    seen.append(pickle.dumps(client).decode("latin-1"))  # pickling ships the config, not the key
    out, err = capsys.readouterr()
    seen += [out, err, caplog.text, *(r.getMessage() for r in caplog.records)]
    assert len(server.requests) == 8
    assert "Retrying request" in caplog.text  # the SDKs' own logging was captured and inspected
    leaks = [text for text in seen if KEY in text or "SECRET-abc" in text]
    assert leaks == []


def test_redact() -> None:
    assert redact(f"key {KEY} and again {KEY}", [KEY]) == "key [redacted] and again [redacted]"
    assert "sk-proj-" not in redact("Incorrect API key provided: sk-proj-****abcd1234", [])
    assert redact("Authorization: Bearer abcdefghijklmnop", []) == "Authorization: [redacted]"
    assert redact("nothing to hide", ["", None, KEY]) == "nothing to hide"


# -- configuration ----------------------------------------------------------------------------------


def test_builtin_providers_honour_the_usual_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    cfg = builtin_provider("openai", model="qwen2.5-coder:7b")
    assert (cfg.protocol, cfg.base_url, cfg.api_key_env, cfg.model, cfg.family) == (
        "openai", "http://localhost:11434/v1", "OPENAI_API_KEY", "qwen2.5-coder:7b", "qwen",
    )  # fmt: skip
    cfg = builtin_provider("anthropic")
    assert (cfg.protocol, cfg.base_url, cfg.api_key_env) == ("anthropic", None, "ANTHROPIC_API_KEY")
    assert cfg.family == "anthropic"
    with pytest.raises(UsageError):
        builtin_provider("gemini")


def test_builtin_openai_talks_to_openai_base_url(openai_server: ModelServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.base_url)
    assert ChatClient(builtin_provider("openai")).chat(HELLO).text == "ok"


def test_providers_from_config() -> None:
    table = {
        "deepseek": {
            "protocol": "openai", "base_url": "https://api.deepseek.com", "model": "deepseek-reasoner",
            "api_key_env": "DEEPSEEK_API_KEY", "max_tokens": 8192, "temperature": 0.6, "concurrency": 8,
            "price_in_per_mtok": 0.55, "price_out_per_mtok": 2.19, "requests_per_minute": 60,
        },
        "local": {
            "protocol": "openai", "base_url": "http://localhost:8000/v1",
            "model": "Goedel-LM/Goedel-Prover-V2-8B", "api_key_env": "",
        },
        "anthropic": {"model": "claude-opus-4-8"},
    }  # fmt: skip
    providers = providers_from_config(table)
    assert providers["deepseek"].family == "deepseek" and providers["deepseek"].requests_per_minute == 60
    assert providers["local"].family is None and providers["local"].api_key_env == ""
    assert providers["anthropic"].protocol == "anthropic" and providers["anthropic"].api_key_env == "ANTHROPIC_API_KEY"
    assert providers["anthropic"].family == "anthropic" and providers["anthropic"].max_tokens == 4096


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ({"model": "m"}, "[providers.x]: field 'protocol': missing"),
        ({"protocol": "gemini", "model": "m"}, "field 'protocol': must be \"openai\" or \"anthropic\""),
        ({"protocol": "openai"}, "field 'model': missing"),
        ({"protocol": "openai", "model": "m", "base-url": "http://h"}, "field 'base-url': unknown field"),
        ({"protocol": "openai", "model": "m", "concurrency": 0}, "field 'concurrency'"),
        ({"protocol": "openai", "model": "m", "base_url": "localhost:8000"}, "field 'base_url'"),
        ({"protocol": "openai", "model": "m", "api_key": KEY}, "field 'api_key': keys are never stored"),
        ({"protocol": "openai", "model": "m", "api_key_env": KEY}, "field 'api_key_env': must name an environment"),
    ],
)
def test_provider_config_errors_name_entry_and_field(entry: dict[str, object], expected: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        providers_from_config({"x": entry})
    assert expected in str(caught.value) and "[providers.x]" in str(caught.value)
    assert KEY not in str(caught.value) and caught.value.__context__ is None


# -- extracting Lean --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        ("```lean\ntheorem a : True := trivial\n```", "theorem a : True := trivial"),
        ("First:\n```lean4\nlemma a : True := trivial\n```\nBetter:\n```lean4\nlemma b : True := by trivial\n```\n",
         "lemma b : True := by trivial"),
        ("```lean\ntheorem a : True := trivial\n```\nCheck with:\n```bash\nlake build\n```",
         "theorem a : True := trivial"),
        ("```\ntheorem a : True := trivial\n```", "theorem a : True := trivial"),
        ("```Lean\nexample : True := trivial\n```", "example : True := trivial"),
        ("~~~lean\ntheorem a : True := trivial\n~~~", "theorem a : True := trivial"),
        ("  ```lean\n  theorem a : True := by\n    trivial\n  ```", "  theorem a : True := by\n    trivial"),
        ("````lean\n/-- Uses ```code``` in a doc. -/\ntheorem a : True := trivial\n````",
         "/-- Uses ```code``` in a doc. -/\ntheorem a : True := trivial"),
        ("<think>\nTry:\n```lean\nsorry\n```\n</think>\n```lean\ntheorem a : True := trivial\n```",
         "theorem a : True := trivial"),
        ("Sure!\n```lean\nimport Mathlib\n\ntheorem a (n : ℕ) : n + 0 = n := by\n  simp",
         "import Mathlib\n\ntheorem a (n : ℕ) : n + 0 = n := by\n  simp"),
        ("theorem a : True := trivial", "theorem a : True := trivial"),
        ("  by simp [foo] ; exact h := rfl\n", "by simp [foo] ; exact h := rfl"),
        ("I cannot prove this.", None),
        ("", None),
        ("```lean\n```", None),
        ("```lean\n\n```\n```lean\ntheorem a : True := trivial\n```", "theorem a : True := trivial"),
    ],
    ids=[
        "lean", "last-lean4", "lean-before-bash", "untagged", "tag-case", "tilde", "indented", "long-fence",
        "think-then-answer", "truncated", "bare-theorem", "bare-assign", "prose", "empty", "empty-block", "skip-empty",
    ],
)  # fmt: skip
def test_extract_lean(reply: str, expected: str | None) -> None:
    assert extract_lean(reply) == expected


def test_documented_provider_tables_are_valid() -> None:
    """Every ```toml block of the README that defines [providers.*] parses into valid provider entries."""
    doc = (Path(__file__).parents[1] / "README.md").read_text()
    blocks = re.findall(r"```toml\n(.*?)```", doc, flags=re.S)
    providers: dict[str, ProviderConfig] = {}
    for block in blocks:
        if "[providers." in block:
            providers.update(providers_from_config(tomllib.loads(block)["providers"]))
    assert set(providers) == {"deepseek", "prover-local", "ollama"}
    assert providers["ollama"].api_key_env == "" and providers["deepseek"].family == "deepseek"
