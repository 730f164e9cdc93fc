#!/usr/bin/env python3
"""Generates the non-ASCII name vectors of tests/test_compile_unicode.c.

Writes tests/data/unicode_vectors.h and the exception files of tests/data/unicode/ with the bytes
hvmi's compiler makes of them (*.bin).  Nothing here runs or imports hvmi's code: the expected
values come from this Python's own str.lower() (what hvmi's compiler calls) and from an
independent model of the format written from spec/exceptions-binary-format.md:

  * the name hash of §4.1 (reflected CRC-32, register starting at 0, final XOR), checked against
    the worked examples of §4.5;
  * normalisation and encodings per field (§4.3, §4.4), the special-name tables (§3.5), the
    "X:\\" path test with str.isalpha(), \\xHH escapes;
  * record layouts (§2.4, §2.6), flags (§3.0, §5.6), signature IDs (§5.8), pruning in signature
    ID order with hvmi's skip (§5.9, §7 C2), sort keys and section order (§5.10, §2.8), header (§1.1).

Run from the repository root with Debian 12's python3 (Unicode 14.0.0, like the tables):
    /usr/bin/python3 tests/codegen/gen_unicode_vectors.py
SpecialCasing's unconditional entries are listed from this Python and, when Perl's copy of
SpecialCasing.txt (Unicode 14.0.0) is installed, checked against it.
"""
import json
import os
import random
import struct
import sys
import unicodedata

UNICODE_VERSION = "14.0.0"
HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")
HEADER = os.path.join(DATA, "unicode_vectors.h")
FILES = os.path.join(DATA, "unicode")
SPECIAL_CASING = "/usr/share/perl/5.36.0/unicore/SpecialCasing.txt"

# ---- §4.1 the name hash ------------------------------------------------------------------------------

CRC_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0xEDB88320 if _c & 1 else _c >> 1
    CRC_TABLE.append(_c)


def crc_update(reg, data):
    for b in data:
        reg = CRC_TABLE[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def name_hash(data):
    return crc_update(0, data) ^ 0xFFFFFFFF


def wide(text):
    return text.encode("utf-16-le")


for _text, _narrow, _wide in (("ntoskrnl.exe", 0xD520FF13, 0xE2D047AB), ("chrome.exe", 0x80689A87, 0x8EB0D21F),
                              ("NtCreateKey", 0xDA198B03, 0x3C5B5E9E), ("crc32", 0x9676DBBC, 0xAAD4A8AB)):
    assert name_hash(_text.encode()) == _narrow and name_hash(wide(_text)) == _wide, _text

# ---- §3.5, §4.3, §4.4 names --------------------------------------------------------------------------

KERNEL_NAMES = {"*": 0, "[own]": 1, "[kernel]": 2, "[hal]": 3, "-": 4}
USER_NAMES = {"*": 0, "[own]": 1, "[vdso]": 2, "[vsyscall]": 3, "-": 4}
SIGNATURE_NAMES = {"*": 0, "-": 4}


def hash_name(name, table, lower, is_wide, trim=0, escapes=False):
    """One name field: lower-case, \\xHH escapes, special name, trim, hash (§4.3)."""
    if not name:
        return 0xFFFFFFFF
    if lower:
        name = name.lower()
    if escapes and name[0] == "*" and "\\x" in name:
        assert not is_wide
        raw = b""
        i = 0
        while i < len(name):
            if name[i] == "\\" and name[i + 1] == "x":
                raw += bytes([int(name[i + 2:i + 4], 16)])
                i += 4
            else:
                raw += name[i].encode()
                i += 1
        return name_hash(raw[:trim] if trim else raw)
    if name in table:
        return table[name]
    if trim:
        name = name[:trim]
    return name_hash(wide(name) if is_wide else name.encode())


def strip_path(path):
    """The KM originator's file name (§4.3)."""
    is_path = len(path) >= 3 and (path[0] in "\\/" or (path[0].isalpha() and path[1] == ":" and path[2] == "\\"))
    if not is_path:
        return path
    last = path.rfind("\\")
    if last == -1:
        last = path.rfind("/")
    assert last != len(path) - 1
    return path[last + 1:]


# ---- §3.0, §5.6 flags and objects -------------------------------------------------------------------

EXC_FLAGS = {"32": 0x2, "64": 0x4, "return": 0x10, "linux": 0x80, "module-load": 0x4000, "user": 0x8000,
             "read": 0x10000000, "write": 0x20000000, "exec": 0x40000000}
KM_OBJECTS = {"any": 1, "driver": 2, "drvobj": 8, "idt": 14, "token-privs": 19, "sud-modification": 24}
UM_OBJECTS = {"any": 1, "process": 2, "module": 3, "nx_zone": 5, "thread-context": 7, "apc-thread": 10,
              "double-agent": 12}
KUM_OBJECTS = {"any": 1, "module": 2}
UM_PROCESS_ORIGINATOR = {"process", "thread-context", "peb32", "peb64", "apc-thread", "process-creation",
                         "process-creation-dpi", "instrumentation-callback"}
UM_PROCESS_VICTIM = UM_PROCESS_ORIGINATOR | {"double-agent"}
APC_PROCESS = {"process", "thread-context", "peb32", "peb64", "apc-thread", "double-agent", "instrumentation-callback"}


def exception_flags(kind, flags, obj):
    text = flags if flags is not None else "32 64"
    if "32" not in text and "64" not in text:
        text += " 32 64"
    words = text.split(" ")
    bits = 0
    for w in words:
        bits |= EXC_FLAGS[w]
    if not {"read", "write", "exec"} & set(words):
        if kind == "user" and obj in ("nx_zone", "process-creation", "process-creation-dpi"):
            bits |= EXC_FLAGS["exec"]
        elif kind == "user-apc" and obj == "nx_zone":
            bits |= EXC_FLAGS["exec"]
        else:
            bits |= EXC_FLAGS["write"]
    if kind in ("kernel", "kernel-user") and "return" in words:
        bits |= 0x200
    return bits


# ---- §2, §5 the records and the file -----------------------------------------------------------------

SIG_TYPES = {"version-os": (50, 11), "export": (100, 4), "idt": (300, 10)}


class Model:
    """hvmi's compiler over the subset of the format these files use."""

    def __init__(self):
        self.sigs = []  # (id, record type, body)
        self.sig_ids = {}
        self.excs = []  # (section, sort key, record type, body, sig ids)

    def signature(self, s):
        code, rtype = SIG_TYPES[s["sig_type"]]
        sid = (len(self.sig_ids) + 1) + (code << 22)
        assert s["sig_id"] not in self.sig_ids
        self.sig_ids[s["sig_id"]] = sid
        flags = 3
        if s["sig_type"] == "idt":
            body = struct.pack("<IIB3x", sid, flags, s["entry"])
        elif s["sig_type"] == "export":
            lib = hash_name(s["library"], USER_NAMES, False, True)
            body = struct.pack("<IIIB3x", sid, flags, lib, len(s["hashes"]))
            for h in s["hashes"]:
                body += struct.pack("<H2xI", h["delta"], hash_name(h["name"], SIGNATURE_NAMES, False, False))
        else:
            low = 0 if s["minimum"] == "*" else int(s["minimum"]) % 2 ** 32
            high = 0xFFFF if s["maximum"] == "*" else int(s["maximum"]) % 2 ** 32
            body = struct.pack("<IIQQ", sid, flags, low, high)
        self.sigs.append((sid, rtype, body))

    def exception(self, kind, e):
        obj, flags = e["object_type"], e.get("flags")
        linux = flags is not None and "linux" in flags
        lower = not linux
        bits = exception_flags(kind, flags, obj)
        ids = sorted(self.sig_ids[n] for n in e.get("signatures", []))
        o, v, p = e.get("originator"), e.get("victim") or "*", e.get("process")
        if kind == "kernel":
            orig = hash_name(strip_path(o), KERNEL_NAMES, lower, True)
            if obj == "sud-modification":
                vic = hash_name(v, KERNEL_NAMES, False, False)
            elif obj in ("token-privs", "security-descriptor", "acl-edit"):
                vic = hash_name(v, KERNEL_NAMES, lower, False, 14)
            else:
                vic = hash_name(v, KERNEL_NAMES, lower, True)
            obj_n = KM_OBJECTS[obj]
            head = struct.pack("<IIIIBBH", orig, 0xFFFFFFFF, vic, bits, 0, obj_n, len(ids))
            self.excs.append((0, (orig, obj_n, vic, bits), 1, head, ids))
            return
        if kind == "kernel-user":
            if "user" in flags.split(" ") if flags else False:
                orig = hash_name(o, USER_NAMES, lower, False, 14)
            else:
                orig = hash_name(o, KERNEL_NAMES, lower, True)
            vic = hash_name(v, USER_NAMES, lower, True)
            proc = hash_name(p or "*", USER_NAMES, lower, False, 14)
            obj_n = KUM_OBJECTS[obj]
            head = struct.pack("<IIIIBBH", orig, vic, proc, bits, 0, obj_n, len(ids))
            self.excs.append((2, (orig, proc, obj_n, vic, bits), 14, head, ids))
            return
        module_load = flags is not None and "module-load" in flags
        if kind == "user":
            trim = 15 if linux else 14
            narrow_o = obj in UM_PROCESS_ORIGINATOR and not module_load
            narrow_v = obj in UM_PROCESS_VICTIM
            rtype, escapes = 2, True
        else:
            trim = 14
            narrow_o = obj in APC_PROCESS and not module_load
            narrow_v = obj in APC_PROCESS
            rtype, escapes = 9, False
        orig = hash_name(o, USER_NAMES, lower, not narrow_o, 0 if not narrow_o else trim, escapes)
        vic = hash_name(v, USER_NAMES, lower, not narrow_v, 0 if not narrow_v else trim, escapes)
        proc = hash_name(p, USER_NAMES, lower, False, 14, escapes) if p else 0
        obj_n = UM_OBJECTS[obj]
        head = struct.pack("<IIIIBBH", orig, vic, proc, bits, 0, obj_n, len(ids))
        self.excs.append((1, (orig, obj_n, vic, proc, bits), rtype, head, ids))

    def read(self, doc):
        if "Signatures" in doc:
            for s in doc["Signatures"]:
                self.signature(s)
        else:
            for e in doc["Exceptions"]:
                self.exception(doc["Type"], e)

    def output(self, hvmi_pruning):
        used = {i for x in self.excs for i in x[4]}
        sigs = sorted(self.sigs)  # by ID: type, then sequence (§2.8, §5.9)
        if hvmi_pruning:
            kept, i = [], 0
            while i < len(sigs):  # a removal makes the walk skip the next one (C2)
                kept.append(sigs[i])
                if sigs[i][0] not in used:
                    kept.pop()
                    if i + 1 < len(sigs):
                        kept.append(sigs[i + 1])
                    i += 1
                i += 1
        else:
            kept = [s for s in sigs if s[0] in used]
        excs = sorted(self.excs, key=lambda x: (x[0], x[1]))  # stable: ties keep parse order
        counts = [sum(1 for x in excs if x[0] == k) for k in range(3)]
        out = struct.pack("<IHHIIIIIII", 0x414E5845, 2, 2, counts[0], counts[1], len(kept), 0, 0, counts[2], 0)
        for _, _, rtype, head, ids in excs:
            body = head + b"".join(struct.pack("<I", i) for i in ids)
            out += struct.pack("<BH", rtype, len(body)) + body
        for _, rtype, body in kept:
            out += struct.pack("<BH", rtype, len(body)) + body
        return out, len(kept)


# ---- Name vectors ------------------------------------------------------------------------------------

def special_casing():
    """Code points with an unconditional SpecialCasing entry (some full mapping is several code points)."""
    mine = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF and any(
        len(f(chr(c))) > 1 for f in (str.lower, str.upper, str.title))]
    if os.path.exists(SPECIAL_CASING):
        listed = {}
        with open(SPECIAL_CASING, encoding="utf-8") as f:
            assert UNICODE_VERSION in f.readline()
            for line in f:
                fields = [x.strip() for x in line.split("#")[0].split(";")]
                if len(fields) >= 4 and not (len(fields) >= 5 and fields[4]):
                    listed[int(fields[0], 16)] = "".join(chr(int(x, 16)) for x in fields[1].split())
        assert sorted(listed) == mine, "SpecialCasing.txt and str.lower() disagree on the entries"
        assert all(chr(c).lower() == low for c, low in listed.items())
    return mine


def sigma_names(rng):
    names = ["\u03a3", "\u03a3\u0391", "\u0391\u03a3", "\u0391\u03a3\u0391", "\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3",
             "\u0391\u03a3.EXE", "\u0391\u03a3-1", "\u0391'\u03a3", "\u0391\u03a3'", "\u0391\u03a3'\u0391",
             "\u0391\u0301\u03a3", "\u0391\u03a3\u0301", "\u0391\u03a3\u0301\u0392", "1\u03a3", "\u0391\u03a31",
             "\u03a3.", "\u0391\u03a3 \u0392\u03a3", "\u0130\u03a3", "\u0391\u03a3\U00010400", "\U00010400\u03a3",
             "\u03a3\u03a3", "a\u03a3", "a\u03a3b", "\u00ad\u03a3", "a\u00ad\u03a3", "a\u03a3\u00ad",
             "\u1f88\u03a3", "\u0345\u03a3", "a\u0345\u03a3", "\u03a3\u0345"]
    pool = ["\u03a3", "\u03a3", "\u03a3", "\u0391", "a", "1", ".", "'", "-", " ", "\u0301", "\u0345", "\u00ad", "\u02bc",
            "\u0130", "\u03c3", "\U00010400", "_"]
    while len(names) < 330:
        text = "".join(rng.choice(pool) for _ in range(rng.randint(2, 9)))
        if "\u03a3" in text and text not in names:
            names.append(text)
    return names


def localized_names():
    return ["\u00c4PFEL.EXE", "Stra\u00dfe.exe", "STRASSE.EXE", "\u041f\u0420\u041e\u0412\u041e\u0414\u041d\u0418\u041a.EXE",
            "\u0421\u043b\u0443\u0436\u0431\u0430.dll", "\u03a3\u03cd\u03c3\u03c4\u03b7\u03bc\u03b1.EXE",
            "\u0130STANBUL.EXE", "\u0131sparta.exe", "\u30e1\u30e2\u5e33.exe", "\uff2d\uff25\uff2d\uff2f.EXE",
            "\u8a18\u4e8b\u672c.exe", "\u00c9DITEUR-\u00c0-\u00c9T\u00c9.EXE", "ABCDEFGHIJKLM\u0130X.EXE",
            "ABCDEFGHIJKL\u0130\u0130.EXE", "\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130.EXE", "\U0001f600.exe",
            "\U00020000\U00010400.DLL", "\u212aernel.sys", "\u212b\u2126.exe", "\u023a\u023e.exe"]


def c_string(text):
    """A C string literal of text's UTF-8 bytes (octal escapes: never read into a following digit)."""
    out = []
    for b in text.encode():
        out.append(chr(b) if 0x20 <= b < 0x7F and chr(b) not in "\"\\?" else "\\%03o" % b)
    return '"' + "".join(out) + '"'


def name_vectors():
    rng = random.Random(13)
    groups = [("SpecialCasing", [chr(c) + "X" for c in special_casing()]),
              ("Final_Sigma", sigma_names(rng)),
              ("UTF-8 length", [chr(c) + "A" + chr(c) for c in range(0x110000)
                                if not 0xD800 <= c <= 0xDFFF and len(chr(c).lower().encode()) != len(chr(c).encode())]),
              ("astral", [chr(c) + ".EXE" for c in range(0x10000, 0x110000) if chr(c).lower() != chr(c)]
               + ["\U0001f600\U0001f601", "\U00020000", "\U0010fffd"]),
              ("localized", localized_names())]
    vectors = []
    for why, names in groups:
        for name in names:
            assert not any(ch in name for ch in "\"\\") and all(ch >= " " for ch in name)
            low = name.lower()
            vectors.append((name, low, len(low), hash_name(name, USER_NAMES, True, False, 14),
                            hash_name(name, USER_NAMES, True, True), why))
    return vectors


# ---- Whole files ---------------------------------------------------------------------------------------

def localized_files():
    sigs = {"Type": "user", "Signatures": [
        {"sig_type": "export", "sig_id": "sig-export-\u00fc", "library": "\u00dcBER.dll",
         "hashes": [{"name": "\u00dcberpr\u00fcfen", "delta": 5}, {"name": "*", "delta": 0}]},
        {"sig_type": "idt", "sig_id": "sig-idt-\u03c3", "entry": 3},
        {"sig_type": "version-os", "sig_id": "sig-os-\u0416", "minimum": "7600", "maximum": "*"}]}
    km = {"Type": "kernel", "Exceptions": [
        {"originator": "\u00c4:\\Treiber\\\u00dcBER.SYS", "object_type": "driver", "victim": "\u041f\u0420\u041e.SYS"},
        {"originator": "\u03a9:\\x\\\u0391\u03a3.SYS", "object_type": "any"},
        {"originator": "\\\u00e9", "object_type": "any"},
        {"originator": "\u00b2:\\a\\B.SYS", "object_type": "any"},
        {"originator": "[\u212aERNEL]", "object_type": "drvobj", "victim": "\\DRIVER\\\u0394\u03a1\u0391\u03a3"},
        {"originator": "\u30c9\u30e9\u30a4\u30d0.sys", "object_type": "token-privs",
         "victim": "ABCDEFGHIJKLM\u0130X.EXE", "flags": "read"},
        {"originator": "x.sys", "object_type": "sud-modification", "victim": "\u00c4nderung", "flags": "read"},
        {"originator": "\u00c4.SYS", "object_type": "driver", "victim": "\u00d6.SYS", "flags": "linux"},
        {"originator": "\u0130.sys", "object_type": "idt", "signatures": ["sig-idt-\u03c3", "sig-os-\u0416"]}]}
    um = {"Type": "user", "Exceptions": [
        {"originator": "\u041f\u0420\u041e\u0412\u041e\u0414\u041d\u0418\u041a.EXE", "object_type": "process",
         "victim": "\u00c4PFEL.EXE"},
        {"originator": "\u00dcBER.DLL", "object_type": "module", "victim": "\u039f\u0394\u039f\u03a3.DLL",
         "process": "\u30e1\u30e2\u5e33.exe", "signatures": ["sig-export-\u00fc"]},
        {"originator": "\u00c4.dll", "object_type": "thread-context", "victim": "\u0130\u0130\u0130\u0130\u0130\u0130\u0130\u0130.EXE",
         "flags": "module-load"},
        {"originator": "*\\x41\u00c4\\XC4", "object_type": "thread-context", "victim": "*\\xC3\\xA4bcdefghijklmnop"},
        {"originator": "\u00c4\u00d6\u00dc\u00c4\u00d6\u00dc\u00c4\u00d6\u00dc\u00c4\u00d6\u00dc\u00c4\u00d6\u00dc",
         "object_type": "process", "victim": "\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394\u0394",
         "flags": "linux"},
        {"originator": "\U00010400\U00010401.EXE", "object_type": "nx_zone", "flags": "exec"},
        {"originator": "[\u212aERNEL]", "object_type": "module", "victim": "[VDSO]", "process": "\u00c4"}]}
    apc = {"Type": "user-apc", "Exceptions": [
        {"originator": "\u0130STANBUL.EXE", "object_type": "double-agent", "victim": "\u0391\u03a3\u03a3.EXE"},
        {"originator": "\u0130STANBUL.DLL", "object_type": "module", "victim": "\u0391\u03a3.DLL", "process": "\u0391\u03a3"}]}
    kum = {"Type": "kernel-user", "Exceptions": [
        {"originator": "\u00c4PFEL.EXE", "object_type": "module", "victim": "\u00dcBER.DLL", "flags": "user"},
        {"originator": "\u00c4PFEL.SYS", "object_type": "module", "victim": "\u00dcBER.DLL",
         "process": "ABCDEFGHIJKLM\u0130X.EXE"}]}
    return [("localized-signatures.json", sigs), ("localized-kernel.json", km), ("localized-user.json", um),
            ("localized-apc.json", apc), ("localized-kernel-user.json", kum)]


def prune_file(count):
    """Signatures of three types in random order, each used by some exception or by none."""
    rng = random.Random(1000)
    types = list(SIG_TYPES)
    sigs, names = [], []
    for i in range(1, 601):
        t = rng.choice(types)
        name = "s%d" % i
        if t == "idt":
            sigs.append({"sig_type": "idt", "sig_id": name, "entry": i % 256})
        elif t == "export":
            sigs.append({"sig_type": "export", "sig_id": name, "library": "l%d.dll" % i,
                         "hashes": [{"name": "F%d" % i, "delta": i}]})
        else:
            sigs.append({"sig_type": "version-os", "sig_id": name, "minimum": str(i), "maximum": "*"})
        names.append(name)
    excs = []
    for i in range(count):
        e = {"originator": "p%d.exe" % (i % 97), "object_type": "any"}
        if rng.random() < 0.35:
            e["signatures"] = [rng.choice(names)]
        excs.append(e)
    return {"Type": "user", "Signatures": sigs}, {"Type": "user", "Exceptions": excs}


def compact_json(doc, key):
    """One entry a line: small enough to commit, readable enough to diff."""
    lines = ",\n".join("    " + json.dumps(x, ensure_ascii=False) for x in doc[key])
    return '{"Type": "%s", "%s": [\n%s\n]}\n' % (doc["Type"], key, lines)


def compile_files(files, hvmi_pruning):
    model = Model()
    for _, doc in files:
        model.read(doc)
    return model.output(hvmi_pruning)


def seq_order_kept(sigs_doc, exc_doc):
    """What pruning keeps when it walks by sequence number only (the old --hvmi-compat)."""
    used = {n for e in exc_doc["Exceptions"] for n in e.get("signatures", [])}
    order = [s["sig_id"] for s in sigs_doc["Signatures"]]
    kept, i = 0, 0
    while i < len(order):
        if order[i] in used:
            kept += 1
        elif i + 1 < len(order):
            kept += 1
            i += 1
        i += 1
    return kept, len(used)


def main():
    if unicodedata.unidata_version != UNICODE_VERSION:
        raise SystemExit("this Python has Unicode %s; the vectors are for %s (Debian 12's python3 3.11)"
                         % (unicodedata.unidata_version, UNICODE_VERSION))
    os.makedirs(FILES, exist_ok=True)
    vectors = name_vectors()

    # Exhaustive digests the C test recomputes with IgUnicodeLower and IgUnicodeIsAlpha.
    every = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    lower_all = crc_update(0, b"".join(ch.lower().encode() for ch in every)) ^ 0xFFFFFFFF
    probes = b"".join((("A\u03a3" + ch).lower() + ("A" + ch + "\u03a3").lower() + (ch + "\u03a3").lower()).encode()
                      for ch in every)
    sigma_all = crc_update(0, probes) ^ 0xFFFFFFFF
    alpha_all = crc_update(0, bytes(1 if ch.isalpha() else 0 for ch in every)) ^ 0xFFFFFFFF

    files = localized_files()
    for name, doc in files:
        with open(os.path.join(FILES, name), "w", encoding="utf-8") as f:
            f.write(compact_json(doc, "Signatures" if "Signatures" in doc else "Exceptions"))
    localized, localized_sigs = compile_files(files, False)
    assert compile_files(files, True)[0] == localized  # every signature is used: both modes agree
    with open(os.path.join(FILES, "localized.bin"), "wb") as f:
        f.write(localized)

    sigs_doc, exc_doc = prune_file(1000)
    prune = [("prune-signatures.json", sigs_doc), ("prune-exceptions.json", exc_doc)]
    for name, doc in prune:
        with open(os.path.join(FILES, name), "w", encoding="utf-8") as f:
            f.write(compact_json(doc, "Signatures" if "Signatures" in doc else "Exceptions"))
    pruned, kept_hvmi = compile_files(prune, True)
    with open(os.path.join(FILES, "prune-hvmi.bin"), "wb") as f:
        f.write(pruned)
    kept_seq, used = seq_order_kept(sigs_doc, exc_doc)

    out = ["/*",
           " * Generated by tests/codegen/gen_unicode_vectors.py with Python %d.%d.%d (Unicode %s); do not edit."
           % (sys.version_info[:3] + (UNICODE_VERSION,)),
           " * Expected values come from that Python's str.lower() and an independent model of the format",
           " * written from spec/exceptions-binary-format.md (§4 hashing, §2 records, §5 the compiler).",
           " */",
           "#ifndef INTROGUARD_TEST_UNICODE_VECTORS_H",
           "#define INTROGUARD_TEST_UNICODE_VECTORS_H",
           "",
           "#include <stddef.h>",
           "#include <stdint.h>",
           "",
           '#define UV_UNICODE_VERSION "%s"' % UNICODE_VERSION,
           "",
           "/* hvmi's hash over every scalar value lower-cased, in order; over \"A<S>c\", \"Ac<S>\", \"c<S>\" lower-cased",
           " * for every scalar value c (S = U+03A3); over one byte per scalar value, 1 for a letter. */",
           "#define UV_LOWER_ALL_HASH 0x%08Xu" % lower_all,
           "#define UV_SIGMA_PROBES_HASH 0x%08Xu" % sigma_all,
           "#define UV_ALPHA_HASH 0x%08Xu" % alpha_all,
           "",
           "/* tests/data/unicode/: localized-*.json compile to localized.bin (%d signatures); prune-*.json, with"
           % localized_sigs,
           " * hvmi's pruning, to prune-hvmi.bin.  Kept signatures: walking by signature ID (hvmi), by sequence",
           " * number only, and every unused one removed. */",
           "#define UV_PRUNE_SIGNATURES %d" % len(sigs_doc["Signatures"]),
           "#define UV_PRUNE_EXCEPTIONS %d" % len(exc_doc["Exceptions"]),
           "#define UV_PRUNE_KEPT_BY_ID %d" % kept_hvmi,
           "#define UV_PRUNE_KEPT_BY_SEQUENCE %d" % kept_seq,
           "#define UV_PRUNE_USED %d" % used,
           "",
           "typedef struct UV_NAME",
           "{",
           "    const char *Text;  /* as written in JSON */",
           "    const char *Lower; /* str.lower() */",
           "    size_t CodePoints; /* of Lower */",
           "    uint32_t Narrow14; /* lower-cased, first 14 code points, UTF-8 (user process-type fields) */",
           "    uint32_t Wide;     /* lower-cased, UTF-16LE (user module fields) */",
           "    const char *Why;",
           "} UV_NAME;",
           "",
           "/* clang-format off */",
           "static const UV_NAME kUvNames[%d] = {" % len(vectors)]
    for text, low, cps, n14, w, why in vectors:
        out.append("    {%s, %s, %d, 0x%08Xu, 0x%08Xu, \"%s\"}," % (c_string(text), c_string(low), cps, n14, w, why))
    out += ["};", "/* clang-format on */", "", "#endif /* INTROGUARD_TEST_UNICODE_VECTORS_H */", ""]
    with open(HEADER, "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    counts = {}
    for v in vectors:
        counts[v[5]] = counts.get(v[5], 0) + 1
    print("%s: %d names (%s); localized.bin %d bytes; prune: %d signatures, %d used, kept %d by ID, %d by sequence"
          % (os.path.relpath(HEADER), len(vectors), ", ".join("%s %d" % kv for kv in counts.items()), len(localized),
             len(sigs_doc["Signatures"]), used, kept_hvmi, kept_seq))


if __name__ == "__main__":
    main()
