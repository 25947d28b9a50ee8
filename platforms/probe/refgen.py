#!/usr/bin/env python3
"""Generates platforms/reference/<arch>.json, the expected probe fingerprint of each architecture.

How each reference is obtained (docs/fidelity.md explains why):
  x86_64   captured natively on this machine (`probe-x86_64 fp`).
  i686     captured natively: `model-i686` is the i686 probe source compiled for x86_64 with
           -mfpmath=387, so it runs the same x87 instruction sequences on real hardware (this
           kernel cannot execute i686 binaries). libm excepted (see below).
  others   derived here from the architecture manuals: every IEEE result is computed exactly
           with rational arithmetic and rounded by IEEE 754 rules, then the architecture's
           documented choices (default NaN, NaN propagation, tininess, flush-to-zero,
           out-of-range conversion) are applied.
  libm     not derivable (glibc's per-CPU code paths): the guest's generic glibc path as run
           under qemu-<arch>-static, with that said in its source. libm never blocks.

The exact model is checked against the native x86_64 capture (with x86 rules) before anything
is written: a model that disagrees with real hardware must not produce references.

usage: refgen.py PROBE_DIR OUT_DIR   (PROBE_DIR holds probe-<arch> and model-i686)
"""
import json
import subprocess
import sys
from fractions import Fraction as Q

QEMU = {"x86_64": "x86_64", "i686": "i386", "aarch64": "aarch64", "armhf": "arm", "riscv64": "riscv64",
        "ppc64le": "ppc64le", "s390x": "s390x"}
RNE, RTZ, RUP, RDN = 0, 1, 2, 3
NV, DZ, OF, UF, NX = 1, 2, 4, 8, 16


class Fmt:
    def __init__(self, p, ebits):
        self.p, self.ebits, self.fbits = p, ebits, p - 1
        self.bias = (1 << (ebits - 1)) - 1
        self.emin, self.emax = 1 - self.bias, self.bias
        self.width = 1 + ebits + p - 1
        self.expmask = (1 << ebits) - 1
        self.min_normal = Q(2) ** self.emin


F32, F64 = Fmt(24, 8), Fmt(53, 11)

# ---- IEEE 754 values: ("num", sign, magnitude) | ("inf", sign) | ("nan", sign, fraction) ----


def decode(bits, f):
    sign = (bits >> (f.width - 1)) & 1
    e = (bits >> f.fbits) & f.expmask
    frac = bits & ((1 << f.fbits) - 1)
    if e == f.expmask:
        return ("inf", sign) if frac == 0 else ("nan", sign, frac)
    if e == 0:
        return ("num", sign, Q(frac) * Q(2) ** (f.emin - f.fbits))
    return ("num", sign, Q((1 << f.fbits) | frac) * Q(2) ** (e - f.bias - f.fbits))


def is_snan(v, f):
    return v[0] == "nan" and not (v[2] >> (f.fbits - 1)) & 1


def ilog2(q):
    """floor(log2(q)) for q > 0"""
    e = q.numerator.bit_length() - q.denominator.bit_length()
    while Q(2) ** e > q:
        e -= 1
    while Q(2) ** (e + 1) <= q:
        e += 1
    return e


def round_int(m, mode, sign):
    fl = m.numerator // m.denominator
    rem = m - fl
    if rem == 0:
        return fl
    if mode == RNE:
        return fl + 1 if rem > Q(1, 2) or (rem == Q(1, 2) and fl & 1) else fl
    if mode == RTZ:
        return fl
    return fl + 1 if (mode == RUP) == (sign == 0) else fl


def encode(f, sign, mag):
    s = sign << (f.width - 1)
    if mag == 0:
        return s
    if mag < f.min_normal:
        return s | int(mag / Q(2) ** (f.emin - f.fbits))
    e = ilog2(mag)
    return s | ((e + f.bias) << f.fbits) | (int(mag / Q(2) ** (e - f.fbits)) - (1 << f.fbits))


def round_value(f, sign, mag, mode, rules, ftz_out=False):
    """Rounds an exact nonzero magnitude; returns (bits, flags)."""
    e = max(ilog2(mag), f.emin)
    q = Q(2) ** (e - f.fbits)
    r = round_int(mag / q, mode, sign) * q
    inexact = r != mag
    if ftz_out and mag < f.min_normal:  # Arm FZ: tiny before rounding -> zero, UFC, no IXC
        return encode(f, sign, 0), UF
    if r >= Q(2) ** (f.emax + 1):
        to_inf = mode == RNE or (mode == RUP and sign == 0) or (mode == RDN and sign == 1)
        big = (f.expmask << f.fbits) if to_inf else encode(f, 0, (2 - Q(2) ** -f.fbits) * Q(2) ** f.emax)
        return (sign << (f.width - 1)) | big, OF | NX
    if rules["tininess"] == "before":
        tiny = mag < f.min_normal
    else:  # after rounding to p bits with an unbounded exponent range
        qu = Q(2) ** (ilog2(mag) - f.fbits)
        tiny = round_int(mag / qu, mode, sign) * qu < f.min_normal
    return encode(f, sign, r), (NX if inexact else 0) | (UF if tiny and inexact else 0)


def isqrt_exact(mag, k=1300):
    """sqrt(mag) as an exact Fraction or as a value strictly inside (S, S+1)/2^k (S + 1/2):
    k is large enough that every rounding boundary of binary64 is an integer multiple."""
    scaled = mag * Q(4) ** k
    n = scaled.numerator // scaled.denominator
    s = _isqrt(n)
    if s * s == scaled:
        return Q(s, 1) / Q(2) ** k
    return (Q(s) + Q(1, 2)) / Q(2) ** k


def _isqrt(n):
    import math
    return math.isqrt(n)


# ---- architecture rules ------------------------------------------------------------------

RULES = {
    "x86_64": {"default_nan_sign": 1, "nan": "first", "tininess": "after", "conv": "x86"},
    "aarch64": {"default_nan_sign": 0, "nan": "snan_first", "tininess": "before", "conv": "arm"},
    "armhf": {"default_nan_sign": 0, "nan": "snan_first", "tininess": "before", "conv": "armhf"},
    "riscv64": {"default_nan_sign": 0, "nan": "canonical", "tininess": "after", "conv": "riscv"},
    "ppc64le": {"default_nan_sign": 0, "nan": "first", "tininess": "before", "conv": "ppc"},
    "s390x": {"default_nan_sign": 0, "nan": "snan_first", "tininess": "before", "conv": "s390"},
}


def default_nan(f, sign):
    return (sign << (f.width - 1)) | (f.expmask << f.fbits) | (1 << (f.fbits - 1))


def quiet(v, f):
    return (v[1] << (f.width - 1)) | (f.expmask << f.fbits) | (1 << (f.fbits - 1)) | v[2]


def propagate(ops, f, rules, dn=False):
    """The NaN result of an operation with NaN operands (in operand order)."""
    if rules["nan"] == "canonical" or dn:
        return default_nan(f, 0 if dn else rules["default_nan_sign"])
    nans = [v for v in ops if v[0] == "nan"]
    if rules["nan"] == "snan_first" and any(is_snan(v, f) for v in nans):
        nans = [v for v in nans if is_snan(v, f)]
    return quiet(nans[0], f)


def arith(case, rules, ctl="none", mode=None):
    """Value and flags of an arith case: (bits, flags)."""
    f = F64 if case["fmt"] == "f64" else F32
    mode = case["mode"] if mode is None else mode
    op = case["op"]
    fz, dn = ctl in ("fz", "fz_dn"), ctl in ("dn", "fz_dn")
    ops = [decode(case[x] & ((1 << f.width) - 1), f) for x in ("a", "b", "c")]
    nargs = {"sqrt": 1, "narrow": 1, "fma": 3}.get(op, 2)
    ops = ops[:nargs]
    if fz:  # FPUnpack with FZ: subnormal inputs read as signed zero
        ops = [("num", v[1], Q(0)) if v[0] == "num" and 0 < v[2] < f.min_normal else v for v in ops]
    out = F32 if op == "narrow" else f
    flags = NV if any(is_snan(v, f) for v in ops) else 0
    if any(v[0] == "nan" for v in ops):
        if op == "narrow":
            v = ops[0]
            if rules["nan"] == "canonical" or dn:
                return default_nan(F32, 0), flags
            return (v[1] << 31) | 0x7fc00000 | (v[2] >> 29), flags
        return propagate(ops, f, rules, dn), flags
    invalid = default_nan(out, 0 if dn else rules["default_nan_sign"]), NV
    inf = lambda s: (s << (out.width - 1)) | (out.expmask << out.fbits)
    val = lambda v: (-1 if v[1] else 1) * v[2]
    a = ops[0]
    if op in ("add", "sub"):
        b = ops[1] if op == "add" else (ops[1][0], 1 - ops[1][1]) + tuple(ops[1][2:])
        if a[0] == "inf" or b[0] == "inf":
            if a[0] == b[0] == "inf" and a[1] != b[1]:
                return invalid
            return inf(a[1] if a[0] == "inf" else b[1]), 0
        exact = val(a) + val(b)
        zero_sign = a[1] if (a[2] == 0 and b[2] == 0 and a[1] == b[1]) else (1 if mode == RDN else 0)
    elif op == "mul":
        b = ops[1]
        sign = a[1] ^ b[1]
        if a[0] == "inf" or b[0] == "inf":
            if (a[0] == "num" and a[2] == 0) or (b[0] == "num" and b[2] == 0):
                return invalid
            return inf(sign), 0
        exact, zero_sign = val(a) * val(b), sign
    elif op == "div":
        b = ops[1]
        sign = a[1] ^ b[1]
        if a[0] == "inf":
            return invalid if b[0] == "inf" else (inf(sign), 0)
        if b[0] == "inf":
            return encode(out, sign, 0), 0
        if b[2] == 0:
            return invalid if a[2] == 0 else (inf(sign), DZ)
        exact, zero_sign = val(a) / val(b), sign
    elif op == "sqrt":
        if a[0] == "inf":
            return invalid if a[1] else (inf(0), 0)
        if a[2] == 0:
            return encode(out, a[1], 0), 0
        if a[1]:
            return invalid
        return round_value(out, 0, isqrt_exact(a[2]), mode, rules, fz)[0:2]
    elif op == "fma":
        if any(v[0] == "inf" for v in ops):
            raise NotImplementedError("fma with infinities is not among the probe's cases")
        exact = val(a) * val(ops[1]) + val(ops[2])
        zero_sign = 1 if mode == RDN else 0
    elif op == "narrow":
        if a[0] == "inf":
            return inf(a[1]), 0
        exact, zero_sign = val(a), a[1]
    else:
        raise ValueError(op)
    if exact == 0:
        return encode(out, zero_sign, 0), 0
    bits, fl = round_value(out, 1 if exact < 0 else 0, abs(exact), mode, rules, fz)
    return bits, fl | flags


def conversion(case, rules):
    v = decode(case["a"], F64)
    sel = case["sel"]  # 0 i32, 1 i64, 2 u32
    lo, hi = {0: (-2 ** 31, 2 ** 31 - 1), 1: (-2 ** 63, 2 ** 63 - 1), 2: (0, 2 ** 32 - 1)}[sel]
    width = 64 if sel == 1 else 32
    mask = (1 << width) - 1
    nan = v[0] == "nan"
    t = None if nan or v[0] == "inf" else int((-1 if v[1] else 1) * v[2])  # truncates toward zero
    neg = v[1] == 1
    kind = rules["conv"]
    if kind == "x86":  # cvttsd2si: "integer indefinite"; uint32 is the low half of a 64-bit cvttsd2si
        if sel == 2:
            r = t if t is not None and -2 ** 63 <= t < 2 ** 63 else -2 ** 63
            return r & mask
        return (t if t is not None and lo <= t <= hi else lo) & mask
    if kind == "armhf" and sel == 1:  # libgcc __fixdfdi with saturating VCVT.U32.F64
        def u32(x):
            if x is None:
                return 0
            return max(0, min(2 ** 32 - 1, x))

        def fixuns(d):  # d: ("num"/"inf"/"nan", sign, mag)
            if d[0] == "nan":
                return 0
            if d[0] == "inf":
                return ((2 ** 32 - 1) << 32) | (2 ** 32 - 1)
            x = (-1 if d[1] else 1) * d[2]
            hi_ = u32(int(x / 2 ** 32))
            rest = x - hi_ * 2 ** 32  # exact here: both terms are multiples of 2^-1074
            lo_ = u32(int(rest)) if rest >= 0 else 0
            return ((hi_ << 32) | lo_) & ((1 << 64) - 1)
        if not nan and neg:
            return (-fixuns((v[0], 0) + tuple(v[2:]))) & mask
        return fixuns(v) & mask
    if nan:
        return {"arm": 0, "armhf": 0, "riscv": hi, "ppc": lo if sel != 2 else 0, "s390": lo if sel != 2 else 0}[kind] & mask
    if t is None:
        return (lo if neg else hi) & mask
    return max(lo, min(hi, t)) & mask


# ---- references ----------------------------------------------------------------------------

SOURCES = {
    "native": "captured natively on x86_64 (Debian 12, AMD Zen)",
    "x87-native": "captured natively: the i686 probe's x87 code run on x86_64 (model-i686, -mfpmath=387)",
    "ieee": "derived: IEEE 754-2019 correctly rounded result in the case's rounding mode, computed exactly "
            "(rational arithmetic) by platforms/probe/refgen.py",
    "arm-flags": "derived: IEEE 754 flags; Arm ARM DDI0487 FPRound: underflow = tiny BEFORE rounding and inexact",
    "arm-nan": "Arm ARM DDI0487 FPProcessNaNs: first signalling NaN, else first quiet NaN, quietened; "
               "FPDefaultNaN is +qNaN 0x7ff8000000000000 / 0x7fc00000",
    "arm-fz": "Arm ARM DDI0487 FPUnpack/FPRound with FZ=1: subnormal inputs read as zero; a result tiny before "
              "rounding becomes zero with UFC set and IXC clear; DN=1: every NaN result is the default NaN",
    "arm-conv": "Arm ARM DDI0487 FPToFixed (FCVTZS/FCVTZU): saturates to the integer range, NaN -> 0",
    "armhf-conv": "Arm ARM FPToFixed (VCVT.S32/U32.F64): saturates, NaN -> 0; int64 is libgcc's __aeabi_d2lz "
                  "(libgcc2.c __fixdfdi: negate around __fixunsdfdi, which converts x/2^32 and the remainder with "
                  "two saturating VCVT.U32.F64)",
    "neon": "Arm ARM (AArch32 Advanced SIMD uses the Standard FPSCR value): FZ=1, DN=1, round to nearest, "
            "whatever FPSCR holds",
    "riscv-flags": "derived: IEEE 754 flags; RISC-V unprivileged ISA, F extension 'Subnormal Arithmetic': "
                   "tininess is detected AFTER rounding",
    "riscv-nan": "RISC-V unprivileged ISA, F extension 'NaN Generation and Propagation': every NaN result is "
                 "the canonical NaN 0x7ff8000000000000 / 0x7fc00000",
    "riscv-conv": "RISC-V unprivileged ISA, F extension table 'Domains of float-to-integer conversions': "
                  "saturates; NaN and +inf give the maximum",
    "ppc-flags": "derived: IEEE 754 flags; Power ISA (Book I, Floating-Point Underflow Exception): tininess is "
                 "detected BEFORE rounding",
    "ppc-nan": "Power ISA Book I (Floating-Point Arithmetic, NaN operands): the result is frA if it is a NaN, "
               "else frB, quietened, with no sNaN precedence; default NaN +qNaN 0x7ff8000000000000",
    "ppc-conv": "Power ISA fctiwz/fctidz/fctiwuz: saturates; NaN -> 0x80000000 / 0x8000000000000000 / 0",
    "s390-flags": "derived: IEEE 754 flags; tininess detected BEFORE rounding (z/Architecture Principles of "
                  "Operation ch. 19; glibc uses its generic before-rounding tininess.h for s390, checked by "
                  "tst-tininess on hardware)",
    "s390-nan": "z/Architecture Principles of Operation ch. 19 (NaN operands): first SNaN in operand order, "
                "else first QNaN, quietened; default NaN +QNaN 0x7ff8000000000000",
    "s390-conv": "z/Architecture CONVERT TO FIXED (cfdbr/cgdbr) and CONVERT TO LOGICAL (clfdbr), M3=5: "
                 "saturates; NaN -> the maximum negative number (signed) / 0 (logical)",
}


def libm_source(arch):
    return (f"libm: observed under qemu-{QEMU[arch]}-static 7.2 on this machine: glibc's generic (not CPU-feature "
            f"selected) {arch} path; real hardware may differ; libm is warning-only")


def run(argv):
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def parse_fp(text):
    out = {}
    for line in text.splitlines():
        name, value = line.split(" ", 1)
        out[name] = value
    return out


def describe(probe_dir, arch):
    cases = []
    for line in run([f"{probe_dir}/probe-x86_64", "describe", arch]).splitlines():
        n, kind, op, fmt, mode, ctl, out, a, b, c, sel = line.split()
        cases.append(dict(name=n, kind=kind, op=op, fmt=fmt, mode=int(mode), ctl=ctl, out=out,
                          a=int(a, 16), b=int(b, 16), c=int(c, 16), sel=int(sel)))
    return cases


def hexbits(case, bits):
    narrow = case["op"] == "narrow" and case["kind"] == "arith"
    return f"{bits:08x}" if case["fmt"] == "f32" or narrow else f"{bits:016x}"


def flag_token(fl):
    names = [n for bit, n in ((NV, "NV"), (DZ, "DZ"), (OF, "OF"), (UF, "UF"), (NX, "NX")) if fl & bit]
    return "|".join(names) or "none"


def model(arch, case):
    """(value, source key) of a case from the architecture rules, or None for libm."""
    rules = RULES[arch]
    family = {"x86_64": "x86", "aarch64": "arm", "armhf": "arm", "riscv64": "riscv", "ppc64le": "ppc",
              "s390x": "s390"}[arch]
    cat = case["name"].split(".")[0]
    kind = case["kind"]
    if kind == "libm":
        return None
    if kind == "conv":
        v = conversion(case, rules)
        return (f"{v:016x}" if case["sel"] == 1 else f"{v:08x}"), ("armhf" if arch == "armhf" else family) + "-conv"
    if kind == "neon":
        bits, _ = arith(case, rules, ctl="fz_dn", mode=RNE)
        return hexbits(case, bits), "neon"
    if kind in ("arith", "ordered"):
        bits, fl = arith(case, rules, ctl=case["ctl"])
        value = flag_token(fl) if case["out"] == "flags" else hexbits(case, bits)
        f = F64 if case["fmt"] == "f64" else F32
        nan_operand = any(decode(case[x] & ((1 << f.width) - 1), f)[0] == "nan" for x in ("a", "b"))
        if cat == "ftz":
            return value, "arm-fz"
        if case["out"] == "flags":
            return value, family + "-flags"
        if cat == "nan" or nan_operand:
            return value, family + "-nan"
        return value, "ieee"
    raise ValueError(f"{arch} has no model for {case['name']} ({kind})")


def validate_model(probe_dir, native):
    """The exact model with x86 rules must reproduce real x86_64 hardware."""
    bad = []
    for case in describe(probe_dir, "x86_64"):
        if case["kind"] in ("libm", "x87pc", "x87t") or case["name"].startswith("ftz."):
            continue
        got = model("x86_64", case)[0]
        if got != native[case["name"]]:
            bad.append(f"{case['name']}: model {got}, hardware {native[case['name']]}")
    if bad:
        sys.exit("refgen: the exact model disagrees with native x86_64:\n  " + "\n  ".join(bad))


def write(out_dir, arch, cases, how):
    sources = dict(SOURCES, libm=libm_source(arch))
    cases = {n: (v, "libm" if src == libm_source(arch) else src) for n, (v, src) in cases.items()}
    used = sorted({src for _, src in cases.values()})
    doc = {
        "_comment": f"Expected `probe-{arch} fp` output. Generated by platforms/probe/refgen.py ({how}); "
                    "do not edit by hand: see docs/fidelity.md.",
        "arch": arch,
        "probe_protocol": 1,
        "sources": {k: sources[k] for k in used},
        "cases": {name: {"value": v, "source": src} for name, (v, src) in cases.items()},
    }
    # One case per line, so that a regenerated reference diffs case by case.
    cases_doc = doc.pop("cases")
    head = json.dumps(doc, indent=2)[:-2]
    body = ",\n".join(f"    {json.dumps(n)}: {json.dumps(c)}" for n, c in cases_doc.items())
    with open(f"{out_dir}/{arch}.json", "w") as fh:
        fh.write(f'{head},\n  "cases": {{\n{body}\n  }}\n}}\n')
    json.load(open(f"{out_dir}/{arch}.json"))  # what we wrote must be JSON


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    probe_dir, out_dir = sys.argv[1:]
    native = parse_fp(run([f"{probe_dir}/probe-x86_64", "fp"]))
    validate_model(probe_dir, native)
    write(out_dir, "x86_64", {n: (v, "native") for n, v in native.items()}, "captured natively")

    names = [c["name"] for c in describe(probe_dir, "i686")]
    x87 = parse_fp(run([f"{probe_dir}/model-i686", "fp"]))
    guest = parse_fp(run([f"/usr/bin/qemu-i386-static", f"{probe_dir}/probe-i686", "fp"]))
    if list(x87) != names:
        sys.exit("refgen: model-i686 does not print the i686 case list")
    write(out_dir, "i686", {n: (guest[n], libm_source("i686")) if n.startswith("libm.") else (x87[n], "x87-native")
                            for n in names}, "x87 captured natively through model-i686")

    for arch in ("aarch64", "armhf", "riscv64", "ppc64le", "s390x"):
        guest = parse_fp(run([f"/usr/bin/qemu-{QEMU[arch]}-static", f"{probe_dir}/probe-{arch}", "fp"]))
        cases = {}
        for case in describe(probe_dir, arch):
            m = model(arch, case)
            cases[case["name"]] = m if m else (guest[case["name"]], libm_source(arch))
        write(out_dir, arch, cases, "derived from the architecture manuals")


if __name__ == "__main__":
    main()
