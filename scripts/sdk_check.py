#!/usr/bin/env python3
"""The official OpenAI Python SDK against the example gateway: what a real client
sees. Starts the gateway (target/debug/gateway, as `cargo test` builds it; built here if it
is missing) with its built-in keys and echo upstream, then checks what the SDK returns for
models, chat completions and completions (streamed and not, with and without the usage
chunk), responses (streamed and not), embeddings, a wrong key, bad requests and a model the
key's allow list refuses, and that usage is billed under the resolved model. Exits non-zero,
saying which check failed, on the first that does.

    python3 -m venv target/sdk-venv && target/sdk-venv/bin/pip install -r scripts/sdk-requirements.txt
    target/sdk-venv/bin/python scripts/sdk_check.py
"""

import json
import os
import subprocess
import sys
import tempfile
import urllib.request

import openai

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GATEWAY = os.path.join(ROOT, "target", "debug", "gateway")
ADMIN = "sdk-check-admin-token"


def start_gateway():
    if not os.path.exists(GATEWAY):
        subprocess.run(["cargo", "build", "-p", "model-alias-gateway", "--bin", "gateway"], cwd=ROOT, check=True)
    database = "sqlite://" + os.path.join(tempfile.mkdtemp(prefix="model-alias-sdk-"), "gateway.db")
    env = dict(os.environ, MODEL_ALIAS_ADMIN_TOKEN=ADMIN)
    gw = subprocess.Popen([GATEWAY, "--listen", "127.0.0.1:0", "--database", database, "--demo"], stdout=subprocess.PIPE, text=True, env=env)
    line = gw.stdout.readline()
    url = next((w for w in line.split() if w.startswith("http://")), None)
    if url is None:
        gw.kill()
        sys.exit(f"the gateway did not say where it listens: {line!r}")
    return gw, url


def check(what, ok):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        raise SystemExit(1)


def raises(error, call):
    try:
        call()
    except error as e:
        return e
    except openai.OpenAIError as e:
        check(f"expected {error.__name__}, got {type(e).__name__}: {e}", False)
    check(f"expected {error.__name__}, got no error", False)


def admin(url, method, path, body=None):
    """An admin API call: the answer's JSON."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url + path, data=data, method=method)
    request.add_header("Authorization", "Bearer " + ADMIN)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.load(answer)


def main():
    gw, url = start_gateway()
    try:
        client = openai.OpenAI(base_url=url + "/v1", api_key="sk-demo", max_retries=0, timeout=30)

        ids = [m.id for m in client.models.list()]
        check("models.list() lists the key's aliases, then the catalog", ids[:3] == ["cross-model-basic", "cross-model-pro", "claude-opus"] and "anthropic/claude-opus-4-8" in ids)
        model = client.models.retrieve("claude-opus")
        check("models.retrieve(alias) gives its entry", model.id == "claude-opus" and model.owned_by == "anthropic" and isinstance(model.created, int))
        raises(openai.NotFoundError, lambda: client.models.retrieve("no-such-model"))
        check("models.retrieve(unknown) raises NotFoundError", True)

        chat = client.chat.completions.create(model="claude-opus-4-9", messages=[{"role": "user", "content": "Hello"}])
        check("chat.completions.create resolves the prefix alias", chat.model == "anthropic/claude-opus-4-8")
        check("a chat completion has its choice, finish_reason and usage", chat.choices[0].message.content.startswith("echo:") and chat.choices[0].finish_reason == "stop" and chat.usage.total_tokens > 0)

        stream = client.chat.completions.create(model="cross-model-basic", messages=[{"role": "user", "content": "Hi"}], stream=True)
        chunks = list(stream)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        check("a streamed chat completion arrives chunk by chunk", text == "Hello from the echo upstream" and all(c.model == "deepseek/deepseek-chat" for c in chunks))
        check("the stream ends with finish_reason stop", chunks[-1].choices[0].finish_reason == "stop")

        stream = client.chat.completions.create(model="cross-model-basic", messages=[{"role": "user", "content": "Hi"}], stream=True, stream_options={"include_usage": True})
        chunks = list(stream)
        check("a chat stream asked for its usage ends with the usage chunk", chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == 5 and all(c.usage is None for c in chunks[:-1]))

        completion = client.completions.create(model="cross-model-basic", prompt="Say hello")
        check("completions.create gives its text", completion.choices[0].text.startswith("echo:") and completion.model == "deepseek/deepseek-chat")
        parts = list(client.completions.create(model="cross-model-basic", prompt="Say hello", stream=True))
        text = "".join(c.choices[0].text for c in parts if c.choices)
        check("a streamed completion has text in every chunk", text == "Hello from the echo upstream" and all(c.usage is None for c in parts))

        response = client.responses.create(model="claude-opus-4-9", input="Hello")
        check("responses.create resolves and gives output_text", response.model == "anthropic/claude-opus-4-8" and response.output_text.startswith("echo:"))
        with client.responses.stream(model="claude-opus-4-9", input="Hello") as events:
            deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
            final = events.get_final_response()
        check("responses.stream gives its deltas and final response", "".join(deltas) == "Hello from the echo upstream" and final.output_text == "Hello from the echo upstream" and final.model == "anthropic/claude-opus-4-8" and final.usage.output_tokens == 5)

        emb = client.embeddings.create(model="cross-model-basic", input=["one", "two"])
        check("embeddings.create gives one embedding an input", len(emb.data) == 2 and len(emb.data[0].embedding) > 0 and emb.model == "deepseek/deepseek-chat")

        wrong = openai.OpenAI(base_url=url + "/v1", api_key="sk-wrong", max_retries=0)
        e = raises(openai.AuthenticationError, lambda: wrong.models.list())
        check("a wrong key raises AuthenticationError with the gateway's code", e.code == "invalid_api_key")
        e = raises(openai.BadRequestError, lambda: client.chat.completions.create(model=4, messages=[]))
        check("a model that is not a string raises BadRequestError naming the field", e.param == "model" and "not a string" in e.message)
        e = raises(openai.BadRequestError, lambda: client.post("/chat/completions", body={"messages": []}, cast_to=object))
        check("a body without a model raises BadRequestError", "no \"model\" field" in e.message)

        usage = {m["model"]: m for m in admin(url, "GET", "/admin/keys/team-demo/usage")["models"]}
        check("usage is billed under the resolved models, never the alias", "cross-model-basic" not in usage and usage["anthropic/claude-opus-4-8"]["requests"] >= 3 and usage["deepseek/deepseek-chat"]["output_tokens"] > 0)
        check("a stream's usage is counted though the client did not ask for it", usage["anthropic/claude-opus-4-8"]["output_tokens"] >= 5)

        admin(url, "PUT", "/admin/keys/team-demo/allow", {"allow": ["deepseek/*", "anthropic/claude-opus-4-8"]})
        e = raises(openai.PermissionDeniedError, lambda: client.chat.completions.create(model="openai/gpt-4o", messages=[{"role": "user", "content": "Hi"}]))
        check("a model the key's allow list refuses raises PermissionDeniedError", e.code == "model_not_allowed")
        check("an alias to an allowed model still works", client.chat.completions.create(model="claude-opus-4-9", messages=[{"role": "user", "content": "Hi"}]).model == "anthropic/claude-opus-4-8")
        ids = [m.id for m in client.models.list()]
        check("models.list() shows only what the key may use", "claude-opus" in ids and "anthropic/claude-opus-4-8" in ids and not any(i.startswith("openai/") for i in ids))
    finally:
        gw.kill()
        gw.wait()


if __name__ == "__main__":
    main()
