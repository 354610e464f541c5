"""The LiteLLM proxy hook of python/examples/litellm end to end: a real LiteLLM proxy
(the pinned litellm[proxy]) started with the example's config and hook, in front of a stub
upstream that records what it is sent, called with the OpenAI SDK.

LiteLLM's virtual keys live in its Prisma database; here two keys come from a custom_auth
function instead (keys.py, written below), which hands the hook the same UserAPIKeyAuth
fields, metadata and models, that a virtual key carries."""

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import openai
import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "litellm"
ROWS = [
    {"name": "fast", "target": "deepseek/deepseek-chat"},
    {"name": "claude-opus", "target": "anthropic/claude-opus-4-8", "match": "prefix"},
    {"name": "oai/", "target": "openai/*", "match": "prefix"},
]
KEYS = f'''
import hashlib
from litellm.proxy._types import UserAPIKeyAuth

KEYS = {{
    "sk-team-a": {{"metadata": {{"model_aliases": {ROWS!r}}}}},
    "sk-team-b": {{"models": ["openai/gpt-4o-mini", "fast"], "metadata": {{"model_aliases": {ROWS!r}}}}},
    "sk-broken": {{"metadata": {{"model_aliases": [{{"name": "Fast", "target": "x"}}]}}}},
    "sk-plain": {{}},
}}


async def user_api_key_auth(request, api_key):
    if api_key not in KEYS:
        raise Exception("unknown key")
    token = hashlib.sha256(api_key.encode()).hexdigest()
    return UserAPIKeyAuth(api_key=api_key, token=token, **KEYS[api_key])
'''


class Upstream(BaseHTTPRequestHandler):
    """An OpenAI-compatible chat endpoint that records the model of every request."""

    seen = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Upstream.seen.append(body["model"])
        answer = json.dumps({
            "id": "chatcmpl-stub", "object": "chat.completion", "created": 0, "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "ok"}}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    upstream = ThreadingHTTPServer(("127.0.0.1", 0), Upstream)
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    home = tmp_path_factory.mktemp("litellm")
    shutil.copy(EXAMPLE / "model_alias_hook.py", home)
    (home / "keys.py").write_text(KEYS)
    config = yaml.safe_load((EXAMPLE / "config.yaml").read_text())
    config["general_settings"]["custom_auth"] = "keys.user_api_key_auth"
    (home / "config.yaml").write_text(yaml.safe_dump(config))
    port = free_port()
    env = dict(
        os.environ,
        UPSTREAM_API_BASE=f"http://127.0.0.1:{upstream.server_address[1]}/v1",
        UPSTREAM_API_KEY="sk-upstream",
        LITELLM_MASTER_KEY="sk-master",
        LITELLM_LOCAL_MODEL_COST_MAP="True",
    )
    litellm = Path(sys.executable).parent / "litellm"
    log = open(home / "proxy.log", "w")
    process = subprocess.Popen(
        [str(litellm), "--config", "config.yaml", "--host", "127.0.0.1", "--port", str(port)],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/health/liveliness", timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    raise RuntimeError("the LiteLLM proxy did not start:\n" + (home / "proxy.log").read_text()[-4000:])
                time.sleep(0.25)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()
        upstream.shutdown()
        upstream.server_close()


def ask(url, key, model):
    """A chat request for `model` with `key`, through the OpenAI SDK."""
    with openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0) as client:
        return client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])


def sent(url, key, model):
    """What the upstream received for a request for `model` with `key`, and what the client got."""
    Upstream.seen.clear()
    answer = ask(url, key, model)
    assert len(Upstream.seen) == 1
    return Upstream.seen[0], answer


def test_the_upstream_receives_the_model_the_keys_aliases_resolve_to(proxy):
    for model, want in [
        ("fast", "deepseek/deepseek-chat"),
        ("claude-opus-4-9", "anthropic/claude-opus-4-8"),
        ("oai/gpt-4o", "openai/gpt-4o"),
        ("gpt-4o-mini", "gpt-4o-mini"),
    ]:
        received, answer = sent(proxy, "sk-team-a", model)
        assert received == want, model
        assert answer.choices[0].message.content == "ok"


def test_a_key_without_aliases_sends_the_model_unchanged(proxy):
    assert sent(proxy, "sk-plain", "fast")[0] == "fast"


def test_an_alias_cannot_reach_a_model_the_key_may_not_use(proxy):
    assert sent(proxy, "sk-team-b", "oai/gpt-4o-mini")[0] == "openai/gpt-4o-mini"
    Upstream.seen.clear()
    with pytest.raises(openai.APIStatusError) as refused:
        ask(proxy, "sk-team-b", "fast")
    assert refused.value.status_code in (401, 403)
    assert "deepseek/deepseek-chat" in str(refused.value)
    assert Upstream.seen == [], "nothing was forwarded"


def test_a_key_with_invalid_aliases_is_told_and_nothing_is_sent(proxy):
    Upstream.seen.clear()
    with pytest.raises(openai.APIStatusError) as refused:
        ask(proxy, "sk-broken", "fast")
    message = str(refused.value)
    assert refused.value.status_code == 500
    assert "metadata.model_aliases" in message and 'alias name "Fast"' in message, message
    assert Upstream.seen == []
