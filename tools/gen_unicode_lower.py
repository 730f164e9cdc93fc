#!/usr/bin/env python3
"""Generates tools/unicode_lower_table.h: the tables behind IgUnicodeLower (tools/unicode_lower.c).

hvmi's exceptions compiler lower-cases names with Python's str.lower() (spec §4.3).  That is the
full lower-case mapping of the Unicode Character Database Python was built with: UnicodeData's
simple mapping, the unconditional entries of SpecialCasing (U+0130 becomes two code points) and
the Final_Sigma rule, which looks at the case-ignorable and cased code points around a capital
sigma.  Everything here is read back from the running Python itself (str.lower, str.isalpha and
unicodedata), so no copy of the UCD files and no network is needed:

  * the mapping: chr(c).lower() for every code point;
  * case-ignorable / cased: three probes per code point c around U+03A3, whose outcome CPython's
    Final_Sigma test decides ("AΣc", "AcΣ", "cΣ"; see classify());
  * letters: chr(c).isalpha(), which hvmi's compiler uses to recognise a "X:\\" path.

The tables are then checked against str.lower() by a Python model of the C lookup: every code
point alone, every code point in the three sigma positions, and random strings.

One Unicode version is supported, the one of Debian 12's python3 (3.11.2): UNICODE_VERSION.
Run from the repository root with that interpreter:  /usr/bin/python3 tools/gen_unicode_lower.py
"""
import os
import random
import sys
import unicodedata

UNICODE_VERSION = "14.0.0"
HERE = os.path.dirname(os.path.abspath(__file__))
OUTPUT = os.path.join(HERE, "unicode_lower_table.h")
SIGMA = 0x3A3
MAX_CP = 0x110000


def scalar_values():
    return (c for c in range(MAX_CP) if not 0xD800 <= c <= 0xDFFF)


def classify(c):
    """'I' case-ignorable, 'C' cased (and not case-ignorable), '' neither.

    CPython gives U+03A3 its final form when the code points before it, skipping case-ignorable
    ones, end in a cased one, and the code points after it, skipping case-ignorable ones, do not
    start with a cased one.  So with a cased 'A' around it:
      "AΣc" is final unless c is cased and not case-ignorable;
      "AcΣ" is final when c is case-ignorable or cased;
      "cΣ"  is final when c is cased and not case-ignorable.
    A case-ignorable code point is skipped whatever else it is, so these three classes are all
    the rule can see.
    """
    ch = chr(c)
    after = ("A\u03a3" + ch).lower()[1] == "\u03c2"
    between = ("A" + ch + "\u03a3").lower()[-1] == "\u03c2"
    alone = (ch + "\u03a3").lower()[-1] == "\u03c2"
    if after and between and not alone:
        return "I"
    if alone and between and not after:
        return "C"
    if after and not between and not alone:
        return ""
    raise SystemExit("U+%04X: sigma probes disagree with the Final_Sigma rule this generator models" % c)


def ranges(pred):
    """Inclusive [first, last] runs of scalar values for which pred holds."""
    out = []
    start = None
    for c in range(MAX_CP + 1):
        v = c < MAX_CP and not 0xD800 <= c <= 0xDFFF and pred(c)
        if v and start is None:
            start = c
        elif not v and start is not None:
            out.append((start, c - 1))
            start = None
    return out


def lower_runs(simple):
    """Runs of code points First, First + Stride, ... whose lower case is the code point + Delta."""
    items = sorted(simple.items())
    runs = []
    i = 0
    while i < len(items):
        c, low = items[i]
        delta = low - c
        best = (1, 1)
        for stride in (1, 2):
            n = 1
            while (i + n < len(items) and items[i + n][0] == c + n * stride and items[i + n][1] - items[i + n][0] == delta
                   and n < 0xFFFF):
                n += 1
            if n > best[0]:
                best = (n, stride)
        runs.append((c, best[0], best[1], delta))
        i += best[0]
    return runs


def in_ranges(table, c):
    lo, hi = 0, len(table)
    while lo < hi:
        mid = (lo + hi) // 2
        if table[mid][1] < c:
            lo = mid + 1
        elif table[mid][0] > c:
            hi = mid
        else:
            return True
    return False


class Model:
    """The C lookup of tools/unicode_lower.c, in Python, to check the tables."""

    def __init__(self, runs, special, ignorable, cased):
        self.map = {}
        for first, count, stride, delta in runs:
            for k in range(count):
                self.map[first + k * stride] = [first + k * stride + delta]
        for c, seq in special.items():
            self.map[c] = list(seq)
        self.ignorable = ignorable
        self.cased = cased

    def lower(self, text):
        cps = [ord(x) for x in text]
        out = []
        for i, c in enumerate(cps):
            if c == SIGMA:
                j = i - 1
                while j >= 0 and in_ranges(self.ignorable, cps[j]):
                    j -= 1
                final = j >= 0 and in_ranges(self.cased, cps[j])
                j = i + 1
                while final and j < len(cps) and in_ranges(self.ignorable, cps[j]):
                    j += 1
                final = final and (j == len(cps) or not in_ranges(self.cased, cps[j]))
                out.append(0x3C2 if final else 0x3C3)
            else:
                out.extend(self.map.get(c, [c]))
        return "".join(chr(c) for c in out)


def check(model, alpha):
    sample = [chr(c) for c in scalar_values()]
    for ch in sample:
        c = ord(ch)
        for text in (ch, "A\u03a3" + ch, "A" + ch + "\u03a3", ch + "\u03a3"):
            if model.lower(text) != text.lower():
                raise SystemExit("model differs from str.lower() on %r (U+%04X)" % (text, c))
        if in_ranges(alpha, c) != ch.isalpha():
            raise SystemExit("U+%04X: letter table differs from str.isalpha()" % c)
        if ch.lower().lower() != ch.lower():
            raise SystemExit("U+%04X: lower() is not idempotent; tools/compile_excs.c assumes it is" % c)
        if c >= 0x80 and any(x < "\x80" and not x.isalpha() for x in ch.lower()):
            raise SystemExit("U+%04X lowers to ASCII punctuation; the compiler's '*' and '-' tests assume not" % c)
        if 2 * len(ch.lower().encode()) > 3 * len(ch.encode()):
            raise SystemExit("U+%04X: grows by more than 3/2 in UTF-8; IG_UNICODE_LOWER_MAX_BYTES assumes not" % c)
    rng = random.Random(14)
    pool = [chr(c) for c in (0x41, 0x3A3, 0x3A3, 0x3A3, 0x2E, 0x27, 0x20, 0x301, 0x345, 0x130, 0x3C3, 0x1F88, 0x10400,
                             0x5F, 0x31, 0xAD, 0x2BC)] + rng.sample(sample, 64)
    for _ in range(200000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 8)))
        if model.lower(text) != text.lower():
            raise SystemExit("model differs from str.lower() on %r" % text)


def hex_list(values, per_line):
    lines = []
    for k in range(0, len(values), per_line):
        lines.append("    " + ", ".join("0x%06X" % v for v in values[k:k + per_line]) + ",")
    return "\n".join(lines)


def emit(runs, special, ignorable, cased, alpha):
    def bounds(table):
        flat = []
        for first, last in table:
            flat += [first, last + 1]
        return flat

    python = "%d.%d.%d" % sys.version_info[:3]
    out = []
    out.append("""/*
 * Generated by tools/gen_unicode_lower.py from Python %s (Unicode %s): str.lower(), str.isalpha()
 * and the Final_Sigma rule as that Python applies them.  Do not edit; run the script instead.
 *
 * Range tables are flat lists of boundaries: code point c is in the set when the number of
 * boundaries <= c is odd (first, last + 1, first, last + 1, ...).
 */
#ifndef INTROGUARD_TOOLS_UNICODE_LOWER_TABLE_H
#define INTROGUARD_TOOLS_UNICODE_LOWER_TABLE_H

#include <stdint.h>

/* The Unicode Character Database these tables come from. */
#define IG_UNICODE_VERSION "%s"

/* Code points First, First + Stride, ... (Count of them) lower-case to themselves plus Delta. */
typedef struct IG_LOWER_RUN
{
    uint32_t First;
    uint16_t Count;
    uint8_t Stride;
    int32_t Delta;
} IG_LOWER_RUN;

/* A code point whose lower case is several code points (SpecialCasing, unconditional). */
typedef struct IG_LOWER_SPECIAL
{
    uint32_t CodePoint;
    uint32_t Lower[3]; /* 0-terminated when shorter */
} IG_LOWER_SPECIAL;

/* The data is laid out by this script, one entry or ten boundaries a line. */
/* clang-format off */
""" % (python, UNICODE_VERSION, UNICODE_VERSION))
    out.append("static const IG_LOWER_RUN gIgLowerRuns[%d] = {" % len(runs))
    for first, count, stride, delta in runs:
        out.append("    {0x%06X, %d, %d, %d}," % (first, count, stride, delta))
    out.append("};\n")
    out.append("static const IG_LOWER_SPECIAL gIgLowerSpecial[%d] = {" % len(special))
    for c, seq in sorted(special.items()):
        padded = list(seq) + [0] * (3 - len(seq))
        out.append("    {0x%06X, {%s}}," % (c, ", ".join("0x%06X" % v for v in padded)))
    out.append("};\n")
    for name, what, table in (("gIgCaseIgnorable", "Case-ignorable code points (Final_Sigma skips them).", ignorable),
                              ("gIgCased", "Cased code points that are not case-ignorable (Final_Sigma).", cased),
                              ("gIgAlpha", "Letters (str.isalpha(): categories Lu, Ll, Lt, Lm, Lo).", alpha)):
        flat = bounds(table)
        out.append("/* %s */" % what)
        out.append("static const uint32_t %s[%d] = {" % (name, len(flat)))
        out.append(hex_list(flat, 10))
        out.append("};\n")
    out.append("/* clang-format on */\n")
    out.append("#endif /* INTROGUARD_TOOLS_UNICODE_LOWER_TABLE_H */")
    return "\n".join(out) + "\n"


def main():
    if unicodedata.unidata_version != UNICODE_VERSION:
        raise SystemExit("this Python has Unicode %s; the tables are for %s (Debian 12's python3 3.11)"
                         % (unicodedata.unidata_version, UNICODE_VERSION))
    simple = {}
    special = {}
    for c in scalar_values():
        if c == SIGMA:
            simple[c] = 0x3C3  # the non-final form; Final_Sigma is decided in code
            continue
        low = chr(c).lower()
        if len(low) > 1:
            special[c] = [ord(x) for x in low]
        elif ord(low) != c:
            simple[c] = ord(low)
    if any(len(v) > 3 for v in special.values()):
        raise SystemExit("a lower case longer than 3 code points")
    classes = {c: classify(c) for c in scalar_values()}
    if classes[SIGMA] != "C":
        raise SystemExit("U+03A3 is expected to be cased")
    ignorable = ranges(lambda c: classes[c] == "I")
    cased = ranges(lambda c: classes[c] == "C")
    alpha = ranges(lambda c: chr(c).isalpha())
    runs = lower_runs(simple)
    check(Model(runs, special, ignorable, cased), alpha)
    with open(OUTPUT, "w", encoding="ascii") as f:
        f.write(emit(runs, special, ignorable, cased, alpha))
    print("%s: Unicode %s, %d lower-case runs (%d code points), %d special, %d case-ignorable ranges, %d cased "
          "ranges, %d letter ranges" % (os.path.relpath(OUTPUT), UNICODE_VERSION, len(runs), len(simple), len(special),
                                        len(ignorable), len(cased), len(alpha)))


if __name__ == "__main__":
    main()
