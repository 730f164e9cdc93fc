#!/usr/bin/env python3
"""Writes the seed corpus of fuzz/fuzz_alert_exception.c from real alerts.

The alerts come from the replay of tests/traces/alert-learn.jsonl (every kind the protection
pipeline raises: kernel, user and kernel-user EPT writes, MSR, CR4, IDTR, one with code blocks):

    introguard compile tests/traces/alert-rules.json -o RULES.bin
    introguard replay tests/traces/alert-learn.jsonl -e RULES.bin --alerts ALERTS.jsonl
    python3 fuzz/seeds/make_alert_seeds.py ALERTS.jsonl

For each alert: a whole-alert seed (header byte: event index | whole | fit), cut to the 8192 bytes
scripts/fuzz.sh lets an input have (the target pads it to its structure), and a blob seed (its
255-byte exception blob).  Run from the repository root.
"""
import base64
import json
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
EVENTS = ["ept", "msr", "cr", "integrity", "injection", "dtr", "process-creation", "module-load"]
EXCEPTION_OFFSET = 0x7AC  # INTRO_VIOLATION_HEADER.Exception
BLOB_SIZE = 255
MAX_LEN = 8192  # scripts/fuzz.sh's -max_len


def write(name, data):
    path = os.path.join(HERE, "alert_exception")
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def main(alerts_path):
    with open(alerts_path) as f:
        for line in f:
            alert = json.loads(line)
            index = EVENTS.index(alert["event"])
            data = base64.b64decode(alert["alert"])
            context = struct.pack("<Q", alert["seq"])
            name = "seq%d-%s" % (alert["seq"], alert["event"])
            write(name + "-alert.bin", (bytes([index | 0x30]) + context + data)[:MAX_LEN])
            write(name + "-blob.bin", bytes([index]) + context + data[EXCEPTION_OFFSET:EXCEPTION_OFFSET + BLOB_SIZE])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: make_alert_seeds.py ALERTS.jsonl (from introguard replay --alerts)")
    main(sys.argv[1])
