#!/usr/bin/env python3
"""The official OpenAI Python SDK against the example gateway: what a real client
sees. Starts the gateway (target/debug/gateway, as `cargo test` builds it; built here if it
is missing) with its built-in keys and echo upstream, then checks what the SDK returns for
models, chat completions (streamed and not), embeddings, a wrong key and bad requests. Exits
non-zero, saying which check failed, on the first that does.

    python3 -m venv target/sdk-venv && target/sdk-venv/bin/pip install -r scripts/sdk-requirements.txt
    target/sdk-venv/bin/python scripts/sdk_check.py
"""

import os
import subprocess
import sys
import tempfile

import openai

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
GATEWAY = os.path.join(ROOT, "target", "debug", "gateway")


def start_gateway():
    if not os.path.exists(GATEWAY):
        subprocess.run(["cargo", "build", "-p", "model-alias-gateway", "--bin", "gateway"], cwd=ROOT, check=True)
    database = "sqlite://" + os.path.join(tempfile.mkdtemp(prefix="model-alias-sdk-"), "gateway.db")
    gw = subprocess.Popen([GATEWAY, "--listen", "127.0.0.1:0", "--database", database, "--demo"], stdout=subprocess.PIPE, text=True)
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

        emb = client.embeddings.create(model="cross-model-basic", input=["one", "two"])
        check("embeddings.create gives one embedding an input", len(emb.data) == 2 and len(emb.data[0].embedding) > 0 and emb.model == "deepseek/deepseek-chat")

        wrong = openai.OpenAI(base_url=url + "/v1", api_key="sk-wrong", max_retries=0)
        e = raises(openai.AuthenticationError, lambda: wrong.models.list())
        check("a wrong key raises AuthenticationError with the gateway's code", e.code == "invalid_api_key")
        e = raises(openai.BadRequestError, lambda: client.chat.completions.create(model=4, messages=[]))
        check("a model that is not a string raises BadRequestError naming the field", e.param == "model" and "not a string" in e.message)
        e = raises(openai.BadRequestError, lambda: client.post("/chat/completions", body={"messages": []}, cast_to=object))
        check("a body without a model raises BadRequestError", "no \"model\" field" in e.message)
    finally:
        gw.kill()
        gw.wait()


if __name__ == "__main__":
    main()
