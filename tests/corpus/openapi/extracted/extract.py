#!/usr/bin/env python3
"""Extracts the JSON files in this folder from ../business-messaging-api_v23.0.yaml.

Run from the repository root:  python3 tests/corpus/openapi/extracted/extract.py
Needs python3 with PyYAML (`yaml`). CI does not run it: its output is committed.

- send_message_request_examples.json: the named request examples of
  POST /{Version}/{Phone-Number-ID}/messages
- send_message_response_examples.json: the named 200 examples of that endpoint
- webhook_examples.json: the named request examples of POST /whatsapp/webhooks
- send_message_schemas.json: the schemas that endpoint's request body needs, i.e.
  #/components/schemas/Message and everything it reaches through `$ref` and discriminator
  `mapping`, verbatim, under components.schemas so every `$ref` resolves in the file itself
"""

import json
import pathlib

import yaml

HERE = pathlib.Path(__file__).resolve().parent
SPEC = HERE.parent / "business-messaging-api_v23.0.yaml"
SEND = "/{Version}/{Phone-Number-ID}/messages"
WEBHOOKS = "/whatsapp/webhooks"
ROOT = "#/components/schemas/Message"
PREFIX = "#/components/schemas/"


def write(name, value):
    text = json.dumps(value, indent=1, ensure_ascii=False)
    (HERE / name).write_text(text, encoding="utf-8")


def named_examples(media):
    return {name: example["value"] for name, example in media["examples"].items()}


def references(node):
    """Every schema name `node` names through `$ref` or a discriminator's `mapping`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref":
                yield value
            elif key == "mapping" and isinstance(value, dict):
                yield from value.values()
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def closure(schemas, root):
    seen, todo = {}, [root]
    while todo:
        reference = todo.pop()
        if not reference.startswith(PREFIX):
            raise SystemExit(f"a reference outside components.schemas: {reference}")
        name = reference[len(PREFIX):]
        if name in seen:
            continue
        if name not in schemas:
            raise SystemExit(f"{reference} is not defined in the description")
        seen[name] = schemas[name]
        todo.extend(references(schemas[name]))
    return {name: seen[name] for name in sorted(seen)}


def main():
    spec = yaml.safe_load(SPEC.read_text(encoding="utf-8"))
    send = spec["paths"][SEND]["post"]
    request = send["requestBody"]["content"]["application/json"]
    write("send_message_request_examples.json", named_examples(request))
    write(
        "send_message_response_examples.json",
        named_examples(send["responses"]["200"]["content"]["application/json"]),
    )
    webhook = spec["paths"][WEBHOOKS]["post"]["requestBody"]["content"]["application/json"]
    write("webhook_examples.json", named_examples(webhook))
    if request["schema"] != {"$ref": ROOT}:
        raise SystemExit(f"the request body's schema is no longer {ROOT}: {request['schema']}")
    write(
        "send_message_schemas.json",
        {
            "info": {
                "source": "facebook/openapi business-messaging-api_v23.0.yaml "
                f"(openapi {spec['openapi']}, info.version {spec['info']['version']})",
                "root": ROOT,
                "extracted_by": "tests/corpus/openapi/extracted/extract.py",
            },
            "components": {"schemas": closure(spec["components"]["schemas"], ROOT)},
        },
    )


if __name__ == "__main__":
    main()
