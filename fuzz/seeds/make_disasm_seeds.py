#!/usr/bin/env python3
"""Writes fuzz/seeds/disasm/: the spec/signatures.md 3.9 sequence and the compiled samples of
tests/data/code_samples.h, each prefixed with the mode byte fuzz_disasm.c reads (bit 0: 64-bit)."""
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
OUT = os.path.join(HERE, "disasm")

VECTOR = bytes([0xE8, 0, 0, 0, 0, 0x48, 0x89, 0x44, 0x24, 0x08, 0x74, 0x02, 0xEB, 0x00, 0x48, 0x8B, 0x04, 0x25,
                0, 0, 0, 0, 0xAB, 0x87, 0xC8, 0x0F, 0xA3, 0xC8, 0x9C, 0x89, 0xC8, 0xB8, 1, 0, 0, 0, 0xC3, 0x90])


def main():
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "vector-64.bin"), "wb") as f:
        f.write(bytes([1]) + VECTOR * 4)
    with open(os.path.join(ROOT, "tests", "data", "code_samples.h")) as f:
        header = f.read()
    pattern = r"/\* (\w+), (\d+)-bit:.*?static const uint8_t gSample\d+Code\[\] = \{(.*?)\};"
    for name, bits, body in re.findall(pattern, header, re.S):
        code = bytes(int(b, 16) for b in re.findall(r"0x([0-9A-Fa-f]{2})", body))
        path = os.path.join(OUT, "sample-%s-%s.bin" % (name.replace("sample_", ""), bits))
        with open(path, "wb") as f:
            f.write(bytes([1 if bits == "64" else 0]) + code)


if __name__ == "__main__":
    main()
