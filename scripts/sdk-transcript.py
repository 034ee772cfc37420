#!/usr/bin/env python3
"""Drives the demo (scripts/demo.sh) with the official `openai` Python SDK, as a new user would.

Every call goes through maas-proxy on 127.0.0.1:8080 with alice's token: models.list,
models.retrieve (an id holding '/'), chat (plain and streamed, with usage), embeddings and an audio
transcription (multipart, routed by its `model` field). Prints a transcript; exits non-zero on any
failure. Needs `pip install openai`. Usage: scripts/sdk-transcript.py [base-url]
"""
import io
import sys

import openai

base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/v1"
client = openai.OpenAI(base_url=base, api_key="alice-token", max_retries=0)
print(f"openai {openai.__version__} -> {base}")


def step(title, call):
    try:
        result = call()
        print(f"ok   {title}: {result}")
    except Exception as error:  # noqa: BLE001 - a transcript reports every failure
        print(f"FAIL {title}: {type(error).__name__}: {error}")
        step.failed += 1


step.failed = 0

listed = []
step("models.list", lambda: listed.extend(m.id for m in client.models.list()) or listed)
model = "facebook/opt-125m"
step("models.retrieve", lambda: (lambda m: f"{m.id} owned_by={m.owned_by}")(client.models.retrieve(model)))


def retrieve_unknown():
    try:
        client.models.retrieve("no-such-model")
    except openai.NotFoundError as error:
        return f"404 {error.body.get('code') if isinstance(error.body, dict) else error.body}"
    raise AssertionError("expected a 404")


step("models.retrieve unknown", retrieve_unknown)
step(
    "chat.completions.create",
    lambda: (lambda r: f"{r.choices[0].message.content!r} usage={r.usage.prompt_tokens}+{r.usage.completion_tokens}")(
        client.chat.completions.create(model=model, messages=[{"role": "user", "content": "Say hi"}])
    ),
)


def streamed():
    pieces, usage = [], None
    stream = client.chat.completions.create(
        model=model,
        messages=[{"role": "user", "content": "Count"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    for chunk in stream:
        if chunk.choices:
            pieces.append(chunk.choices[0].delta.content or "")
        if chunk.usage:
            usage = chunk.usage
    return f"{len(pieces)} chunks {''.join(pieces)!r} usage={usage.prompt_tokens}+{usage.completion_tokens}"


step("chat.completions.create stream", streamed)
step(
    "embeddings.create",
    lambda: (lambda r: f"{len(r.data)} vectors of {len(r.data[0].embedding)} usage={r.usage.prompt_tokens}")(
        client.embeddings.create(model=model, input=["a", "b"])
    ),
)
audio = io.BytesIO(b"RIFF" + bytes(64 * 1024))
audio.name = "speech.wav"
step(
    "audio.transcriptions.create",
    lambda: repr(client.audio.transcriptions.create(model=model, file=audio).text),
)
print("transcript:", "all calls passed" if step.failed == 0 else f"{step.failed} failed")
sys.exit(1 if step.failed else 0)
