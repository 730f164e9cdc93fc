#!/usr/bin/env python3
"""Writes the seed corpora of fuzz/fuzz_codeblocks.c and fuzz/fuzz_pe_exports.c.

codeblocks/: the 38-byte sequence of spec/signatures.md section 3.9 repeated (as the test vector),
and the compiled sample functions of tests/data/code_samples.h, with mode/level/execute headers.
pe_exports/: DLL-shaped images with an export directory, built as tests/test_sig_code.c builds them.

Run from the repository root:  python3 fuzz/seeds/make_sig_seeds.py
"""
import os
import re
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")

VECTOR = bytes.fromhex("E800000000 4889442408 7402 EB00 488B042500000000 AB 87C8 0FA3C8 9C 89C8 B801000000 C3 90"
                       .replace(" ", ""))


def write(directory, name, data):
    path = os.path.join(HERE, directory)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def codeblocks():
    window = (VECTOR * 31 + b"\x90" * 0x49F)[:0x49F]
    page = window + b"\xCC" * (0x1000 - len(window))
    for flags, off, name in ((0x01, 0x123, "vector-64-normal"), (0x03, 0x123, "vector-64-medium"),
                             (0x05, 0x300, "vector-64-execute"), (0x0D, 0xF00, "vector-64-execute-cross"),
                             (0x00, 0xFFE, "vector-32-page-end")):
        write("codeblocks", name + ".bin", bytes([flags]) + struct.pack("<H", off) + page)
    header = open(os.path.join(ROOT, "tests", "data", "code_samples.h")).read()
    for bits in (32, 64):
        code = b""
        for m in re.finditer(r"/\* (\w+), (\d+)-bit:.*?static const uint8_t gSample\d+Code\[\] = \{(.*?)\};", header,
                             re.S):
            if int(m.group(2)) == bits:
                code += bytes(int(x, 16) for x in re.findall(r"0x[0-9A-F]{2}", m.group(3)))
        flags = (1 if bits == 64 else 0) | 2
        write("codeblocks", "samples-%d.bin" % bits, bytes([flags]) + struct.pack("<H", 0x40) + code)


def dll(pe64):
    """Image of 0x1800 bytes (seeds stay below libFuzzer's max_len): export directory at 0x1000."""
    img = bytearray(0x1800)
    oh = 0x80 + 24
    dir_off = 112 if pe64 else 96
    struct.pack_into("<H", img, 0, 0x5A4D)
    struct.pack_into("<I", img, 0x3C, 0x80)
    struct.pack_into("<I", img, 0x80, 0x4550)
    struct.pack_into("<H", img, 0x84, 0x8664 if pe64 else 0x14C)
    struct.pack_into("<H", img, 0x94, dir_off + 128)
    struct.pack_into("<H", img, oh, 0x20B if pe64 else 0x10B)
    struct.pack_into("<I", img, oh + 56, 0x1800)
    struct.pack_into("<I", img, oh + (108 if pe64 else 92), 16)
    struct.pack_into("<II", img, oh + dir_off, 0x1000, 0x400)
    names = ["NtClose", "NtCreateKey", "NtOpenKey", "ZwCreateKey", "LateFn"]
    ordinals = [2, 0, 1, 0, 3]
    functions = [0x400, 0x410, 0x420, 0x500]
    struct.pack_into("<IIIII", img, 0x1014, 4, 5, 0x1040, 0x1060, 0x1080)
    at = 0x1100
    for i, f in enumerate(functions):
        struct.pack_into("<I", img, 0x1040 + 4 * i, f)
    for i, n in enumerate(names):
        struct.pack_into("<I", img, 0x1060 + 4 * i, at)
        struct.pack_into("<H", img, 0x1080 + 2 * i, ordinals[i])
        img[at:at + len(n) + 1] = n.encode() + b"\0"
        at += len(n) + 1
    return bytes(img)


def pe_exports():
    for pe64 in (False, True):
        tag = "64" if pe64 else "32"
        write("pe_exports", "dll%s.bin" % tag, bytes([0]) + struct.pack("<H", 0x405) + dll(pe64))
        write("pe_exports", "dll%s-directory-unmapped.bin" % tag, bytes([0x02]) + struct.pack("<H", 0x405) + dll(pe64))


if __name__ == "__main__":
    codeblocks()
    pe_exports()
