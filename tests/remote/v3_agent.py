#!/usr/bin/env python3
"""An agent of protocol 3, as tailprune was before detached sessions (docs/agent-protocol.md, version 3):
hello answers "protocol": 3 with the nonce; the session_* commands and heartbeat are unknown to it.
Used by tst_remote_sessions to check that a newer client says to upgrade (or --no-detach) instead of
failing obscurely. Started as v4_agent.py (a link to this file) it answers "protocol": 4, as tailprune
was before batch sessions (--sbatch) and the Jetson clock commands (protocol 5)."""
import json
import os
import sys

PROTOCOL = 4 if os.path.basename(sys.argv[0]).startswith("v4") else 3

for line in sys.stdin:
    try:
        req = json.loads(line)
    except ValueError:
        print(json.dumps({"v": 3, "id": None, "event": "error", "code": "parse", "message": "not a JSON object"}), flush=True)
        continue
    rid = req.get("id")
    if req.get("cmd") == "hello":
        result = {"protocol": PROTOCOL, "protocol_min": 1, "agent": "tailprune 0.2.0"}
        if "nonce" in req:
            result["nonce"] = req["nonce"]
        print(json.dumps({"v": PROTOCOL, "id": rid, "event": "done", "result": result}), flush=True)
    else:
        print(json.dumps({"v": 3, "id": rid, "event": "error", "code": "unknown_command",
                          "message": "unknown command '%s' (known: hello, profile, measure, evaluate, describe, cancel)"
                          % req.get("cmd")}), flush=True)
