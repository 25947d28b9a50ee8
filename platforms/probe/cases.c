/* The fingerprint's cases, as data. Nothing here computes floating point: `probe cases ARCH`
 * lists any architecture's cases from any build, and `probe fp` computes the same list.
 * Category = the name up to the first dot; docs/fidelity.md says what each one shows.
 *
 * Operands are bit patterns so that every build starts from identical inputs whatever its
 * compiler does with decimal literals. They were chosen to be hard: results near rounding
 * ties, tiny results that round up to the smallest normal, NaNs with distinct payloads. */
#include <stdio.h>
#include <string.h>

#include "probe.h"

static const char* const ARCH_NAMES[ARCH_COUNT] = {"x86_64", "i686", "aarch64", "armhf", "riscv64", "ppc64le", "s390x"};

const char* arch_name(enum arch a) {
  return ARCH_NAMES[a];
}

int arch_from_name(const char* name) {
  for (int i = 0; i < ARCH_COUNT; i++)
    if (strcmp(name, ARCH_NAMES[i]) == 0) return i;
  return -1;
}

static int is_x86(enum arch a) {
  return a == ARCH_X86_64 || a == ARCH_I686;
}
static int is_arm(enum arch a) {
  return a == ARCH_AARCH64 || a == ARCH_ARMHF;
}

/* binary64 operands */
#define D_ONE 0x3ff0000000000000ull
#define D_ONE_P 0x3ff0000000000001ull /* 1 + 2^-52 */
#define D_HALF 0x3fe0000000000000ull
#define D_TWO 0x4000000000000000ull
#define D_TEN 0x4024000000000000ull
#define D_TENTH 0x3fb999999999999aull
#define D_THIRD 0x3fd5555555555555ull
#define D_NPI 0xc00921fb54442d18ull    /* -pi */
#define D_RSQRT2 0x3fe6a09e667f3bcdull /* 1/sqrt(2) */
#define D_HULP 0x3ca0000000000000ull   /* 2^-53: 1 + this is an exact tie */
#define D_HULP_P 0x3ca0000000000001ull /* just above the tie: x87 double rounding loses it */
#define D_MAX 0x7fefffffffffffffull
#define D_MIN_NORMAL 0x0010000000000000ull
#define D_MAX_SUB 0x000fffffffffffffull
#define D_MIN_SUB 0x0000000000000001ull
#define D_INF 0x7ff0000000000000ull
#define D_NINF 0xfff0000000000000ull
#define D_ZERO 0x0000000000000000ull
#define D_NEG_ONE 0xbff0000000000000ull
#define D_QNAN 0x7ff8000000000000ull
/* D_TINY_A * D_TINY_B = 2^-1022 * (1 - 4.4e-31): tiny before rounding, the smallest normal
 * after it (in round-to-nearest). Tininess detection alone decides the underflow flag.
 * Chosen as mantissas M1 = 2^52 + 3, M2 = floor(2^105 / M1), whose product is just below
 * 2^105, scaled so that the product lands just below 2^-1022. */
#define D_TINY_A 0x1ff0000000000003ull
#define D_TINY_B 0x200ffffffffffffaull
/* NaNs with distinct payloads: q = quiet, s = signalling, a/b = payload */
#define D_QA 0x7ff80000000000a1ull
#define D_QB 0x7ff80000000000b2ull
#define D_SA 0x7ff00000000000a1ull
#define D_SB 0x7ff00000000000b2ull
#define D_NQA 0xfff80000000000a1ull
#define D_SNAN_HI 0x7ff0123400000000ull /* payload in the bits that survive narrowing */
#define D_NQNAN_HI 0xfff8123400000000ull

/* binary32 operands, same roles */
#define S_ONE 0x3f800000u
#define S_ONE_P 0x3f800001u
#define S_HALF 0x3f000000u
#define S_TWO 0x40000000u
#define S_TEN 0x41200000u
#define S_TENTH 0x3dcccccdu
#define S_THIRD 0x3eaaaaabu
#define S_NPI 0xc0490fdbu
#define S_RSQRT2 0x3f3504f3u
#define S_HULP 0x33000000u
#define S_HULP_P 0x33000001u
#define S_MAX 0x7f7fffffu
#define S_MIN_NORMAL 0x00800000u
#define S_MAX_SUB 0x007fffffu
#define S_MIN_SUB 0x00000001u
#define S_INF 0x7f800000u
#define S_ZERO 0x00000000u
#define S_NEG_ONE 0xbf800000u
#define S_TINY_A 0x1f800003u /* the same for binary32: product 2^-126 * (1 - 1.3e-13) */
#define S_TINY_B 0x207ffffau
#define S_QA 0x7fc000a1u
#define S_QB 0x7fc000b2u
#define S_SA 0x7f8000a1u
#define S_SB 0x7f8000b2u
#define S_NQA 0xffc000a1u

static const char* const OP_NAMES[] = {"add", "sub", "mul", "div", "sqrt", "fma", "narrow"};
static const char* const FMT_NAMES[] = {"f32", "f64"};
static const char* const MODE_NAMES[] = {"rne", "rtz", "up", "down"};

struct emitter {
  case_fn fn;
  void* ctx;
  int count;
};

static void emit(struct emitter* e, struct pcase* c) {
  e->fn(c, e->ctx);
  e->count++;
}

static struct pcase mk(enum kind k, enum op op, enum fmt f, uint64_t a, uint64_t b, uint64_t c3) {
  struct pcase c;
  memset(&c, 0, sizeof c);
  c.kind = k;
  c.op = op;
  c.fmt = f;
  c.a = a;
  c.b = b;
  c.c = c3;
  return c;
}

/* Operand sets of the basic operations, per format: [fmt][set][operand]. */
static const uint64_t BIN_SETS[2][4][2] = {
    {{S_ONE, S_HULP}, {S_THIRD, S_ONE_P}, {S_NPI, S_RSQRT2}, {S_ONE, S_HULP_P}},
    {{D_ONE, D_HULP}, {D_THIRD, D_ONE_P}, {D_NPI, D_RSQRT2}, {D_ONE, D_HULP_P}},
};
static const uint64_t SQRT_SETS[2][3] = {{S_TWO, S_ONE_P, S_MAX}, {D_TWO, D_ONE_P, D_MAX}};
static const uint64_t FMA_SETS[2][3][3] = {
    {{S_ONE_P, S_ONE_P, 0xbf800002u}, {S_TENTH, S_TEN, S_NEG_ONE}, {S_THIRD, S_NPI, S_RSQRT2}},
    {{D_ONE_P, D_ONE_P, 0xbff0000000000002ull}, {D_TENTH, D_TEN, D_NEG_ONE}, {D_THIRD, D_NPI, D_RSQRT2}},
};

/* The basic operations in one rounding mode: category "basic" in RNE, "rounding" otherwise;
 * with out == OUT_FLAGS, category "flags" (RNE only). */
static void basic_ops(struct emitter* e, enum rmode m, enum out out) {
  const char* cat = out == OUT_FLAGS ? "flags" : (m == RNE ? "basic" : "rounding");
  char mode[8] = "";
  if (m != RNE) snprintf(mode, sizeof mode, ".%s", MODE_NAMES[m]);
  for (int f = F32; f <= F64; f++) {
    for (int op = OP_ADD; op <= OP_FMA; op++) {
      int sets = op == OP_SQRT || op == OP_FMA ? 3 : 4;
      for (int s = 0; s < sets; s++) {
        struct pcase c;
        if (op == OP_SQRT)
          c = mk(K_ARITH, op, f, SQRT_SETS[f][s], 0, 0);
        else if (op == OP_FMA)
          c = mk(K_ARITH, op, f, FMA_SETS[f][s][0], FMA_SETS[f][s][1], FMA_SETS[f][s][2]);
        else
          c = mk(K_ARITH, op, f, BIN_SETS[f][s][0], BIN_SETS[f][s][1], 0);
        c.mode = m;
        c.out = out;
        snprintf(c.name, sizeof c.name, "%s.%s.%s%s.p%d", cat, OP_NAMES[op], FMT_NAMES[f], mode, s);
        emit(e, &c);
      }
    }
  }
}

struct special {
  const char* name;
  enum op op;
  enum fmt fmt;
  uint64_t a, b;
};

/* Flags of the operations IEEE 754 singles out. */
static const struct special FLAG_CASES[] = {
    {"div.f64.by_zero", OP_DIV, F64, D_ONE, D_ZERO},
    {"div.f64.zero_by_zero", OP_DIV, F64, D_ZERO, D_ZERO},
    {"mul.f64.overflow", OP_MUL, F64, D_MAX, D_TWO},
    {"mul.f64.underflow_exact", OP_MUL, F64, D_MIN_NORMAL, D_HALF},
    {"mul.f64.underflow_inexact", OP_MUL, F64, D_MIN_SUB, D_HALF},
    {"sqrt.f64.negative", OP_SQRT, F64, D_NEG_ONE, 0},
    {"sub.f64.inf_minus_inf", OP_SUB, F64, D_INF, D_INF},
    {"add.f64.qnan", OP_ADD, F64, D_QA, D_ONE},
    {"add.f64.snan", OP_ADD, F64, D_SA, D_ONE},
    {"narrow.f64.overflow", OP_NARROW, F64, D_MAX, 0},
    {"narrow.f64.snan", OP_NARROW, F64, D_SNAN_HI, 0},
    {"div.f32.by_zero", OP_DIV, F32, S_ONE, S_ZERO},
    {"mul.f32.overflow", OP_MUL, F32, S_MAX, S_TWO},
    {"mul.f32.underflow_inexact", OP_MUL, F32, S_MIN_SUB, S_HALF},
    {"add.f32.snan", OP_ADD, F32, S_SA, S_ONE},
};

/* Results in the subnormal range, default controls. */
static const struct special SUBNORMAL_CASES[] = {
    {"mul.f64.min_sub_half", OP_MUL, F64, D_MIN_SUB, D_HALF},       /* tie between 0 and min_sub */
    {"mul.f64.min_normal_half", OP_MUL, F64, D_MIN_NORMAL, D_HALF}, /* exact subnormal */
    {"add.f64.max_sub_plus_min_sub", OP_ADD, F64, D_MAX_SUB, D_MIN_SUB},
    {"mul.f64.sub_times_big", OP_MUL, F64, 0x0000000000000003ull, 0x7e30000000000000ull},
    {"div.f64.to_sub", OP_DIV, F64, 0x01a56e1fc2f8f359ull /* 1e-300 */, 0x4202a05f20000000ull /* 1e10 */},
    {"sqrt.f64.min_sub", OP_SQRT, F64, D_MIN_SUB, 0},
    {"narrow.f64.to_f32_sub", OP_NARROW, F64, 0x37a16c262777579cull /* 1e-40 */, 0},
    {"narrow.f64.to_f32_zero", OP_NARROW, F64, 0x358dee7a4ad4b81full /* 1e-50 */, 0},
    {"mul.f32.min_sub_half", OP_MUL, F32, S_MIN_SUB, S_HALF},
    {"mul.f32.min_normal_half", OP_MUL, F32, S_MIN_NORMAL, S_HALF},
    {"add.f32.max_sub_plus_min_sub", OP_ADD, F32, S_MAX_SUB, S_MIN_SUB},
    {"div.f32.to_sub", OP_DIV, F32, 0x006ce3eeu /* 1e-38 */, S_TEN},
};

/* Invalid operations: the sign and payload of the default NaN. */
static const struct special NAN_DEFAULT_CASES[] = {
    {"f64.zero_div_zero", OP_DIV, F64, D_ZERO, D_ZERO}, {"f64.inf_minus_inf", OP_SUB, F64, D_INF, D_INF},
    {"f64.sqrt_neg", OP_SQRT, F64, D_NEG_ONE, 0},       {"f64.zero_mul_inf", OP_MUL, F64, D_ZERO, D_INF},
    {"f32.zero_div_zero", OP_DIV, F32, S_ZERO, S_ZERO}, {"f32.inf_minus_inf", OP_SUB, F32, S_INF, S_INF},
    {"f32.sqrt_neg", OP_SQRT, F32, S_NEG_ONE, 0},
};

/* NaN operands: which payload survives, in which operand order, and how sNaNs are quieted. */
static const struct special NAN_PROP_CASES[] = {
    {"f64.qa_qb", OP_ADD, F64, D_QA, D_QB},   {"f64.qb_qa", OP_ADD, F64, D_QB, D_QA},
    {"f64.sa_qb", OP_ADD, F64, D_SA, D_QB},   {"f64.qa_sb", OP_ADD, F64, D_QA, D_SB},
    {"f64.sa_sb", OP_ADD, F64, D_SA, D_SB},   {"f64.sa_one", OP_ADD, F64, D_SA, D_ONE},
    {"f64.one_sb", OP_ADD, F64, D_ONE, D_SB}, {"f64.nqa_one", OP_ADD, F64, D_NQA, D_ONE},
    {"f32.qa_qb", OP_ADD, F32, S_QA, S_QB},   {"f32.qb_qa", OP_ADD, F32, S_QB, S_QA},
    {"f32.sa_qb", OP_ADD, F32, S_SA, S_QB},   {"f32.qa_sb", OP_ADD, F32, S_QA, S_SB},
    {"f32.sa_one", OP_ADD, F32, S_SA, S_ONE}, {"f32.nqa_one", OP_ADD, F32, S_NQA, S_ONE},
};

static void specials(struct emitter* e, const char* prefix, const struct special* t, size_t n, enum kind k,
                     enum out out) {
  for (size_t i = 0; i < n; i++) {
    struct pcase c = mk(k, t[i].op, t[i].fmt, t[i].a, t[i].b, 0);
    c.out = out;
    snprintf(c.name, sizeof c.name, "%s.%s", prefix, t[i].name);
    emit(e, &c);
  }
}

static void nan_cases(struct emitter* e) {
  specials(e, "nan.default", NAN_DEFAULT_CASES, sizeof NAN_DEFAULT_CASES / sizeof *NAN_DEFAULT_CASES, K_ARITH,
           OUT_VALUE);
  specials(e, "nan.prop", NAN_PROP_CASES, sizeof NAN_PROP_CASES / sizeof *NAN_PROP_CASES, K_ORDERED, OUT_VALUE);
  static const struct special narrow[] = {
      {"snan", OP_NARROW, F64, D_SNAN_HI, 0},
      {"neg_qnan", OP_NARROW, F64, D_NQNAN_HI, 0},
  };
  specials(e, "nan.narrow", narrow, 2, K_ARITH, OUT_VALUE);
}

static void tininess_cases(struct emitter* e) {
  for (int f = F32; f <= F64; f++)
    for (int m = RNE; m <= RTZ; m++)
      for (int o = OUT_VALUE; o <= OUT_FLAGS; o++) {
        struct pcase c = f == F64 ? mk(K_ARITH, OP_MUL, F64, D_TINY_A, D_TINY_B, 0)
                                  : mk(K_ARITH, OP_MUL, F32, S_TINY_A, S_TINY_B, 0);
        c.mode = m;
        c.out = o;
        /* Each output in the category of the programs it can change (docs/fidelity.md, impact
         * classes): the flag is fp-flags; the value is an ordinary result in round-to-nearest
         * (every-program) and a directed-rounding result in toward-zero (rounding-modes). */
        if (o == OUT_FLAGS)
          snprintf(c.name, sizeof c.name, "tininess.mul.%s.%s.flags", FMT_NAMES[f], MODE_NAMES[m]);
        else if (m == RNE)
          snprintf(c.name, sizeof c.name, "subnormal.mul.%s.round_to_normal", FMT_NAMES[f]);
        else
          snprintf(c.name, sizeof c.name, "rounding.mul.%s.%s.round_to_normal", FMT_NAMES[f], MODE_NAMES[m]);
        emit(e, &c);
      }
}

static void conversion_cases(struct emitter* e) {
  static const struct {
    const char* name;
    uint64_t v;
  } inputs[] = {
      {"nan", D_QNAN},
      {"pinf", D_INF},
      {"ninf", D_NINF},
      {"p1e20", 0x4415af1d78b58c40ull},
      {"n1e20", 0xc415af1d78b58c40ull},
      {"p3e9", 0x41e65a0bc0000000ull},
      {"n1", D_NEG_ONE},
  };
  static const char* const targets[] = {"i32", "i64", "u32"};
  for (int t = CONV_I32; t <= CONV_U32; t++)
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
      struct pcase c = mk(K_CONV, OP_ADD, F64, inputs[i].v, 0, 0);
      c.sel = t;
      snprintf(c.name, sizeof c.name, "conversion.f64_%s.%s", targets[t], inputs[i].name);
      emit(e, &c);
    }
}

/* Flush-to-zero and default-NaN controls. Each case is reported as value and flags. */
static void ftz_cases(struct emitter* e, enum arch a) {
  static const struct special t[] = {
      {"sub_in.f64", OP_MUL, F64, D_MIN_SUB, D_ONE},
      {"tiny_out.f64", OP_MUL, F64, D_MIN_NORMAL, D_HALF},
      {"round_to_normal.f64", OP_MUL, F64, D_TINY_A, D_TINY_B},
      {"sub_in.f32", OP_MUL, F32, S_MIN_SUB, S_ONE},
      {"tiny_out.f32", OP_MUL, F32, S_MIN_NORMAL, S_HALF},
      {"nan_payload.f64", OP_ADD, F64, D_QA, D_ONE},
  };
  static const enum ctl x86_ctls[] = {CTL_FTZ, CTL_DAZ, CTL_FTZ_DAZ};
  static const enum ctl arm_ctls[] = {CTL_FZ, CTL_DN, CTL_FZ_DN};
  static const char* const ctl_names[] = {"", "ftz", "daz", "ftz_daz", "fz", "dn", "fz_dn"};
  const enum ctl* ctls = is_x86(a) ? x86_ctls : arm_ctls;
  for (int k = 0; k < 3; k++)
    for (size_t i = 0; i < sizeof t / sizeof *t; i++)
      for (int o = OUT_VALUE; o <= OUT_FLAGS; o++) {
        struct pcase c = mk(K_ARITH, t[i].op, t[i].fmt, t[i].a, t[i].b, 0);
        c.ctl = ctls[k];
        c.out = o;
        snprintf(c.name, sizeof c.name, "ftz.%s.%s%s", ctl_names[ctls[k]], t[i].name, o == OUT_FLAGS ? ".flags" : "");
        emit(e, &c);
      }
}

static void x87_cases(struct emitter* e) {
  static const char* const pcs[] = {"pc24", "pc53", "pc64"};
  static const char* const ops[] = {"div_1_3", "sqrt2", "add_dr"};
  for (int p = PC24; p <= PC64; p++)
    for (int o = X87PC_DIV_1_3; o <= X87PC_ADD_DR; o++) {
      struct pcase c = mk(K_X87PC, OP_ADD, F64, 0, 0, 0);
      c.mode = (enum rmode)p;
      c.sel = o;
      snprintf(c.name, sizeof c.name, "x87pc.%s.%s", pcs[p], ops[o]);
      emit(e, &c);
    }
  struct pcase cw = mk(K_X87PC, OP_ADD, F64, 0, 0, 0);
  cw.sel = X87PC_DEFAULT_CW;
  snprintf(cw.name, sizeof cw.name, "x87pc.default_cw");
  emit(e, &cw);

  /* Arguments are binary64 values, loaded exactly into the 80-bit registers. */
  static const struct {
    const char* name;
    int op;
    uint64_t a, b;
  } t[] = {
      {"fsin.one", X87T_FSIN, D_ONE, 0},
      {"fsin.pi", X87T_FSIN_PI, 0, 0}, /* fldpi: shows the 66-bit pi of the argument reduction */
      {"fsin.1e18", X87T_FSIN, 0x43abc16d674ec800ull, 0},
      {"fsin.2p64", X87T_FSIN, 0x43f0000000000000ull, 0}, /* out of range: C2 set, operand kept */
      {"fcos.one", X87T_FCOS, D_ONE, 0},
      {"fcos.1e18", X87T_FCOS, 0x43abc16d674ec800ull, 0},
      {"fptan.one", X87T_FPTAN, D_ONE, 0},
      {"fptan.0p785", X87T_FPTAN, 0x3fe91eb851eb851full, 0},
      {"fyl2x.3", X87T_FYL2X, 0x4008000000000000ull, D_ONE},
      {"fyl2x.10", X87T_FYL2X, D_TEN, D_ONE},
      {"f2xm1.half", X87T_F2XM1, D_HALF, 0},
      {"f2xm1.neg_third", X87T_F2XM1, 0xbfd5555555555555ull, 0},
      {"fpatan.1_1", X87T_FPATAN, D_ONE, D_ONE},
      {"fpatan.1_3", X87T_FPATAN, D_ONE, 0x4008000000000000ull},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    struct pcase c = mk(K_X87T, OP_ADD, F64, t[i].a, t[i].b, 0);
    c.sel = t[i].op;
    snprintf(c.name, sizeof c.name, "x87trans.%s", t[i].name);
    emit(e, &c);
  }
}

/* ARMv7 Advanced SIMD always flushes subnormals, returns the default NaN and rounds to
 * nearest, whatever FPSCR says; VFP obeys FPSCR. Same operations, both units. */
static void neon_cases(struct emitter* e) {
  static const struct special t[] = {
      {"sub_in", OP_MUL, F32, S_MIN_SUB, S_ONE}, {"tiny_out", OP_MUL, F32, S_MIN_NORMAL, S_HALF},
      {"nan_payload", OP_ADD, F32, S_QA, S_ONE}, {"add_p1", OP_ADD, F32, S_THIRD, S_ONE_P},
      {"mul_p2", OP_MUL, F32, S_NPI, S_RSQRT2},
  };
  for (int unit = 0; unit < 2; unit++)
    for (int m = RNE; m <= RTZ; m++)
      for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
        struct pcase c = mk(unit ? K_NEON : K_ARITH, t[i].op, F32, t[i].a, t[i].b, 0);
        c.mode = m;
        /* The VFP controls are ordinary scalar code: each goes to the category of the
         * programs it can change (a NaN result, a directed rounding, a subnormal, a basic
         * result), so that "neon" holds only what NEON-vectorised programs see. */
        const char* cat = "neon";
        if (!unit)
          cat = t[i].op == OP_ADD && t[i].a == S_QA             ? "nan"
                : m == RTZ                                      ? "rounding"
                : t[i].a == S_MIN_SUB || t[i].a == S_MIN_NORMAL ? "subnormal"
                                                                : "basic";
        snprintf(c.name, sizeof c.name, "%s.%s.%s.%s", cat, unit ? "simd" : "vfp", t[i].name, MODE_NAMES[m]);
        emit(e, &c);
      }
}

/* libm: not IEEE-mandated, so a separate (warning-only) category. Hard arguments: huge
 * arguments for trigonometric reduction, results near overflow and in the subnormal range,
 * and (".cpu") arguments where glibc 2.36's FMA code path on x86_64 and its SSE2 path differ
 * in the last bit (found by scanning random arguments natively and under QEMU_CPU=qemu64). */
static void libm_cases(struct emitter* e) {
  static const struct {
    const char* name;
    int fn;
    uint64_t a, b;
  } t[] = {
      {"exp.half", LIBM_EXP, D_HALF, 0},
      {"exp.m745", LIBM_EXP, 0xc087486666666666ull /* -745.05 */, 0},
      {"exp.709p7", LIBM_EXP, 0x40862d999999999aull /* 709.7 */, 0},
      {"exp.third", LIBM_EXP, D_THIRD, 0},
      {"log.one_p", LIBM_LOG, D_ONE_P, 0},
      {"log.min_sub", LIBM_LOG, D_MIN_SUB, 0},
      {"log.ten", LIBM_LOG, D_TEN, 0},
      {"pow.one_p_1e15", LIBM_POW, D_ONE_P, 0x430c6bf526340000ull /* 1e15 */},
      {"pow.tenth_third", LIBM_POW, D_TENTH, D_THIRD},
      {"pow.npi_three", LIBM_POW, D_NPI, 0x4008000000000000ull},
      {"sin.one", LIBM_SIN, D_ONE, 0},
      {"sin.1e22", LIBM_SIN, 0x4480f0cf064dd592ull, 0},
      {"sin.max", LIBM_SIN, D_MAX, 0},
      {"cos.one", LIBM_COS, D_ONE, 0},
      {"cos.1e22", LIBM_COS, 0x4480f0cf064dd592ull, 0},
      {"tan.half_pi", LIBM_TAN, 0x3ff921fb54442d18ull, 0},
      {"tan.1e22", LIBM_TAN, 0x4480f0cf064dd592ull, 0},
      {"atan2.one_three", LIBM_ATAN2, D_ONE, 0x4008000000000000ull},
      {"atan2.tiny_neg", LIBM_ATAN2, D_MIN_SUB, D_NEG_ONE},
      {"exp.cpu", LIBM_EXP, 0x404da142506408f0ull, 0},
      {"pow.cpu", LIBM_POW, 0x4019868ede08bfd9ull, 0xc03c90b91c4de388ull},
      {"sin.cpu", LIBM_SIN, 0xc0237fbd1e60f20eull, 0},
      {"cos.cpu", LIBM_COS, 0xc016f8ee7c57e6d8ull, 0},
      {"tan.cpu", LIBM_TAN, 0xbff86fcb0b14f130ull, 0},
      {"atan2.cpu", LIBM_ATAN2, 0xc02193587083001aull, 0xc021aafe09ff7192ull},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    struct pcase c = mk(K_LIBM, OP_ADD, F64, t[i].a, t[i].b, 0);
    c.sel = t[i].fn;
    snprintf(c.name, sizeof c.name, "libm.%s", t[i].name);
    emit(e, &c);
  }
}

int enumerate_cases(enum arch a, case_fn fn, void* ctx) {
  struct emitter e = {fn, ctx, 0};
  basic_ops(&e, RNE, OUT_VALUE);
  for (int m = RTZ; m <= RDN; m++) basic_ops(&e, (enum rmode)m, OUT_VALUE);
  basic_ops(&e, RNE, OUT_FLAGS);
  specials(&e, "flags", FLAG_CASES, sizeof FLAG_CASES / sizeof *FLAG_CASES, K_ARITH, OUT_FLAGS);
  specials(&e, "subnormal", SUBNORMAL_CASES, sizeof SUBNORMAL_CASES / sizeof *SUBNORMAL_CASES, K_ARITH, OUT_VALUE);
  tininess_cases(&e);
  nan_cases(&e);
  conversion_cases(&e);
  if (is_x86(a) || is_arm(a)) ftz_cases(&e, a);
  if (is_x86(a)) x87_cases(&e);
  if (a == ARCH_ARMHF) neon_cases(&e);
  libm_cases(&e);
  return e.count;
}
