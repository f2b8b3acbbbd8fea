"""Validates Airbyte messages (one JSON object a line on stdin) with the official protocol models.

Every line must parse as an AirbyteMessage and carry the member its type names; records must match
the json_schema of their stream in the catalog given as argv[1] (a CATALOG message), when given.
Prints a one-line JSON summary. Exit status 1 on the first invalid message.
"""
import json
import sys

import jsonschema
from airbyte_protocol.models import (
    AirbyteCatalog,
    AirbyteMessage,
    ConfiguredAirbyteCatalog,
    Type,
)

MEMBER = {
    Type.RECORD: "record",
    Type.STATE: "state",
    Type.LOG: "log",
    Type.SPEC: "spec",
    Type.CONNECTION_STATUS: "connectionStatus",
    Type.CATALOG: "catalog",
    Type.TRACE: "trace",
}


def fail(n, line, why):
    print(f"invalid Airbyte message on line {n}: {why}\n{line[:500]}", file=sys.stderr)
    sys.exit(1)


def main():
    validators = {}
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            cat = AirbyteMessage.parse_obj(json.load(f)).catalog
        for s in cat.streams:
            jsonschema.Draft4Validator.check_schema(s.json_schema)
            validators[s.name] = jsonschema.Draft4Validator(s.json_schema)
    if len(sys.argv) > 2:
        with open(sys.argv[2]) as f:
            ConfiguredAirbyteCatalog.parse_obj(json.load(f))
    summary = {"messages": 0, "records": {}, "types": {}}
    for n, line in enumerate(sys.stdin, 1):
        if not line.strip():
            fail(n, line, "empty line")
        try:
            m = AirbyteMessage.parse_obj(json.loads(line))
        except Exception as e:  # noqa: BLE001 - any failure is the finding
            fail(n, line, e)
        member = MEMBER.get(m.type)
        if member is None or getattr(m, member) is None:
            fail(n, line, f"type {m.type} without its {member} member")
        t = m.type.value
        summary["types"][t] = summary["types"].get(t, 0) + 1
        summary["messages"] += 1
        if m.type == Type.RECORD:
            v = validators.get(m.record.stream)
            if validators and v is None:
                fail(n, line, f"record of a stream not in the catalog: {m.record.stream}")
            if v is not None:
                errors = [e.message for e in v.iter_errors(m.record.data)]
                if errors:
                    fail(n, line, errors)
            summary["records"][m.record.stream] = summary["records"].get(m.record.stream, 0) + 1
        if m.type == Type.STATE:
            if m.state.type is None or m.state.type.value != "STREAM" or m.state.stream is None:
                fail(n, line, "not a per-stream STATE")
        if m.type == Type.TRACE:
            inner = {"ERROR": m.trace.error, "STREAM_STATUS": m.trace.stream_status}.get(m.trace.type.value)
            if inner is None:
                fail(n, line, "trace without its member")
        if m.type == Type.CATALOG:
            AirbyteCatalog.parse_obj(m.catalog.dict(exclude_unset=True))
    print(json.dumps(summary))


main()
