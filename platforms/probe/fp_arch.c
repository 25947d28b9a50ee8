/* What differs per architecture: floating-point control registers, operations whose operand
 * order must be exact (NaN propagation), conversions the model build must spell out, and the
 * ARMv7 Advanced SIMD unit. The x87 unit has its own file (x87.c).
 *
 * Inline asm is used only where C cannot say what we mean: C's + is commutative to the
 * compiler, but which NaN payload survives a + b depends on which register is the first
 * source operand. */
#include <fenv.h>
#include <stdint.h>
#include <string.h>

#include "probe.h"

#if defined(PROBE_X86)
#include <emmintrin.h>
#endif
#if defined(__arm__) && defined(__ARM_NEON)
#include <arm_neon.h>
#endif

union u64 {
  double d;
  uint64_t u;
};
union u32 {
  float f;
  uint32_t u;
};

/* ---- control registers -------------------------------------------------------------- */

#if defined(PROBE_X86)
/* MXCSR: FTZ (bit 15) flushes tiny results, DAZ (bit 6) treats subnormal inputs as zero. They
 * act on SSE only, never on x87. */
static unsigned mxcsr_get(void) {
  unsigned v;
  __asm__ volatile("stmxcsr %0" : "=m"(v));
  return v;
}
static void mxcsr_set(unsigned v) {
  __asm__ volatile("ldmxcsr %0" : : "m"(v));
}
static unsigned saved_ctl;

int arch_ctl_set(enum ctl ctl) {
  unsigned bits = 0;
  switch (ctl) {
    case CTL_NONE:
      return 0;
    case CTL_FTZ:
      bits = 1u << 15;
      break;
    case CTL_DAZ:
      bits = 1u << 6;
      break;
    case CTL_FTZ_DAZ:
      bits = (1u << 15) | (1u << 6);
      break;
    default:
      return -1;
  }
  saved_ctl = mxcsr_get();
  mxcsr_set(saved_ctl | bits);
  return 0;
}
void arch_ctl_clear(void) {
  if (saved_ctl) mxcsr_set(saved_ctl);
  saved_ctl = 0;
}

static int fe_mode(enum rmode m) {
  return m == RTZ ? FE_TOWARDZERO : m == RUP ? FE_UPWARD : m == RDN ? FE_DOWNWARD : FE_TONEAREST;
}

/* SSE scalar operations through intrinsics, so that i686 (whose C arithmetic is x87) tests
 * MXCSR on the unit it controls. */
/* The empty asm statements pin the operation between the caller's fesetround/feclearexcept
 * and its fetestexcept: the compiler may not move it across them. */
__attribute__((target("sse2"), noinline)) static uint64_t sse_op(const struct pcase* c) {
  if (c->fmt == F64) {
    __m128d a = _mm_castsi128_pd(_mm_loadl_epi64((const __m128i*)&c->a));
    __m128d b = _mm_castsi128_pd(_mm_loadl_epi64((const __m128i*)&c->b));
    __asm__ volatile("" : "+x"(a), "+x"(b));
    __m128d r = c->op == OP_MUL ? _mm_mul_sd(a, b) : _mm_add_sd(a, b);
    __asm__ volatile("" : "+x"(r));
    uint64_t out;
    _mm_storel_epi64((__m128i*)&out, _mm_castpd_si128(r));
    return out;
  }
  __m128 a = _mm_castsi128_ps(_mm_cvtsi32_si128((int)(uint32_t)c->a));
  __m128 b = _mm_castsi128_ps(_mm_cvtsi32_si128((int)(uint32_t)c->b));
  __asm__ volatile("" : "+x"(a), "+x"(b));
  __m128 r = c->op == OP_MUL ? _mm_mul_ss(a, b) : _mm_add_ss(a, b);
  __asm__ volatile("" : "+x"(r));
  return (uint32_t)_mm_cvtsi128_si32(_mm_castps_si128(r));
}

int arch_ctl_arith(const struct pcase* c, struct arith_result* r) {
  if (c->op != OP_MUL && c->op != OP_ADD) return -1;
  int saved = fegetround();
  if (arch_ctl_set(c->ctl) != 0) return -1;
  fesetround(fe_mode(c->mode));
  feclearexcept(FE_ALL_EXCEPT);
  r->bits = sse_op(c);
  int fe = fetestexcept(FE_ALL_EXCEPT);
  fesetround(saved);
  arch_ctl_clear();
  r->flags = (fe & FE_INVALID ? PF_NV : 0) | (fe & FE_DIVBYZERO ? PF_DZ : 0) | (fe & FE_OVERFLOW ? PF_OF : 0) |
             (fe & FE_UNDERFLOW ? PF_UF : 0) | (fe & FE_INEXACT ? PF_NX : 0);
  return 0;
}

#elif defined(__aarch64__) || defined(__arm__)
/* FPCR (AArch64) / FPSCR (AArch32): FZ is bit 24, DN bit 25 in both. The C operations of
 * ieee_arith run on the unit these bits control. */
static unsigned long fpcr_get(void) {
  unsigned long v;
#if defined(__aarch64__)
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
#else
  unsigned w;
  __asm__ volatile("vmrs %0, fpscr" : "=r"(w));
  v = w;
#endif
  return v;
}
static void fpcr_set(unsigned long v) {
#if defined(__aarch64__)
  __asm__ volatile("msr fpcr, %0" : : "r"(v));
#else
  unsigned w = (unsigned)v;
  __asm__ volatile("vmsr fpscr, %0" : : "r"(w));
#endif
}
static unsigned long saved_ctl;
static int ctl_active;

int arch_ctl_set(enum ctl ctl) {
  unsigned long bits = 0;
  switch (ctl) {
    case CTL_NONE:
      return 0;
    case CTL_FZ:
      bits = 1ul << 24;
      break;
    case CTL_DN:
      bits = 1ul << 25;
      break;
    case CTL_FZ_DN:
      bits = (1ul << 24) | (1ul << 25);
      break;
    default:
      return -1;
  }
  saved_ctl = fpcr_get();
  fpcr_set(saved_ctl | bits);
  ctl_active = 1;
  return 0;
}
void arch_ctl_clear(void) {
  if (ctl_active) fpcr_set(saved_ctl);
  ctl_active = 0;
}
int arch_ctl_arith(const struct pcase* c, struct arith_result* r) {
  if (arch_ctl_set(c->ctl) != 0) return -1;
  *r = ieee_arith(c); /* fesetround and feclearexcept keep FZ/DN */
  arch_ctl_clear();
  return 0;
}

#else
int arch_ctl_set(enum ctl ctl) {
  return ctl == CTL_NONE ? 0 : -1;
}
void arch_ctl_clear(void) {}
int arch_ctl_arith(const struct pcase* c, struct arith_result* r) {
  (void)c;
  (void)r;
  return -1;
}
#endif

/* ---- a + b, first operand first ------------------------------------------------------ */

int arch_ordered_add(const struct pcase* c, uint64_t* out) {
  union u64 a, b, r;
  union u32 af, bf, rf;
  a.u = c->a;
  b.u = c->b;
  af.u = (uint32_t)c->a;
  bf.u = (uint32_t)c->b;
  int f64 = c->fmt == F64;
#if defined(PROBE_X86) && (defined(__i386__) || defined(PROBE_MODEL_I686))
  /* i686 arithmetic is x87: load, add from memory, store, as gcc -m32 compiles a + b. */
  if (f64)
    __asm__ volatile("fldl %1\n\tfaddl %2\n\tfstpl %0" : "=m"(r.d) : "m"(a.d), "m"(b.d));
  else
    __asm__ volatile("flds %1\n\tfadds %2\n\tfstps %0" : "=m"(rf.f) : "m"(af.f), "m"(bf.f));
#elif defined(__x86_64__)
  if (f64) {
    r = a;
    __asm__ volatile("addsd %1, %0" : "+x"(r.d) : "x"(b.d));
  } else {
    rf = af;
    __asm__ volatile("addss %1, %0" : "+x"(rf.f) : "x"(bf.f));
  }
#elif defined(__aarch64__)
  if (f64)
    __asm__ volatile("fadd %d0, %d1, %d2" : "=w"(r.d) : "w"(a.d), "w"(b.d));
  else
    __asm__ volatile("fadd %s0, %s1, %s2" : "=w"(rf.f) : "w"(af.f), "w"(bf.f));
#elif defined(__arm__)
  if (f64)
    __asm__ volatile("vadd.f64 %P0, %P1, %P2" : "=w"(r.d) : "w"(a.d), "w"(b.d));
  else
    __asm__ volatile("vadd.f32 %0, %1, %2" : "=t"(rf.f) : "t"(af.f), "t"(bf.f));
#elif defined(__riscv)
  if (f64)
    __asm__ volatile("fadd.d %0, %1, %2" : "=f"(r.d) : "f"(a.d), "f"(b.d));
  else
    __asm__ volatile("fadd.s %0, %1, %2" : "=f"(rf.f) : "f"(af.f), "f"(bf.f));
#elif defined(__powerpc64__)
  if (f64)
    __asm__ volatile("fadd %0, %1, %2" : "=d"(r.d) : "d"(a.d), "d"(b.d));
  else
    __asm__ volatile("fadds %0, %1, %2" : "=d"(rf.f) : "d"(af.f), "d"(bf.f));
#elif defined(__s390x__)
  if (f64) {
    r = a;
    __asm__ volatile("adbr %0, %1" : "+f"(r.d) : "f"(b.d));
  } else {
    rf = af;
    __asm__ volatile("aebr %0, %1" : "+f"(rf.f) : "f"(bf.f));
  }
#endif
  *out = f64 ? r.u : rf.u;
  return 0;
}

/* ---- conversions ---------------------------------------------------------------------- */

int arch_conv(const struct pcase* c, uint64_t* out) {
#if defined(PROBE_MODEL_I686)
  /* gcc -m32 -O2 compiles the casts to fistp with the rounding control set to truncate
   * (64-bit fistpll for int64 and uint32, keeping the low half for uint32); x86_64 gcc would
   * use SSE. Spell the i686 sequence out so the model runs the i686 instructions. */
  union u64 x;
  x.u = c->a;
  unsigned short cw, trunc;
  __asm__ volatile("fnstcw %0" : "=m"(cw));
  trunc = cw | 0x0c00;
  if (c->sel == CONV_I32) {
    int32_t r;
    __asm__ volatile("fldcw %2\n\tfldl %1\n\tfistpl %0\n\tfldcw %3" : "=m"(r) : "m"(x.d), "m"(trunc), "m"(cw));
    *out = (uint32_t)r;
  } else {
    int64_t r;
    __asm__ volatile("fldcw %2\n\tfldl %1\n\tfistpll %0\n\tfldcw %3" : "=m"(r) : "m"(x.d), "m"(trunc), "m"(cw));
    *out = c->sel == CONV_U32 ? (uint32_t)r : (uint64_t)r;
  }
  return 0;
#else
  return ieee_conv(c, out);
#endif
}

/* ---- ARMv7 Advanced SIMD -------------------------------------------------------------- */

int arch_neon(const struct pcase* c, uint64_t* out) {
#if defined(__arm__) && defined(__ARM_NEON)
  static const int modes[] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
  volatile uint32_t a = (uint32_t)c->a, b = (uint32_t)c->b;
  int saved = fegetround();
  fesetround(modes[c->mode]); /* VFP obeys this; Advanced SIMD must not */
  float32x2_t va = vreinterpret_f32_u32(vdup_n_u32(a));
  float32x2_t vb = vreinterpret_f32_u32(vdup_n_u32(b));
  float32x2_t vr = c->op == OP_MUL ? vmul_f32(va, vb) : vadd_f32(va, vb);
  volatile uint32_t res = vget_lane_u32(vreinterpret_u32_f32(vr), 0); /* before the restore */
  fesetround(saved);
  *out = res;
  return 0;
#else
  (void)c;
  (void)out;
  return -1;
#endif
}
