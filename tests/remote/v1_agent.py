#!/usr/bin/env python3
"""An agent that speaks only protocol 1, as tailprune 0.1.0 before protocol 2 did (docs/agent-protocol.md,
version 1): a request whose "v" is not 1 gets unsupported_version; hello answers "protocol": 1. Used by
tst_remote_ssh to check that a newer client tells the user to upgrade the agent instead of hanging."""
import json
import sys

for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        print(json.dumps({"v": 1, "id": None, "event": "error", "code": "parse", "message": "not a JSON object"}), flush=True)
        continue
    rid = req.get("id")
    if "v" in req and req["v"] != 1:
        print(json.dumps({"v": 1, "id": rid, "event": "error", "code": "unsupported_version",
                          "message": "protocol version %s is not supported (this agent speaks 1)" % req["v"]}), flush=True)
        continue
    if req.get("cmd") == "hello":
        print(json.dumps({"v": 1, "id": rid, "event": "done", "result": {"protocol": 1, "agent": "tailprune 0.0.9"}}), flush=True)
    else:
        print(json.dumps({"v": 1, "id": rid, "event": "error", "code": "unknown_command", "message": "?"}), flush=True)
