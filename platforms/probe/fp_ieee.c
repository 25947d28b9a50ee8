/* Portable floating-point operations: what every architecture computes with plain C.
 *
 * Built with -O2 -ffp-contract=off -frounding-math -fsignaling-nans -fno-math-errno. Operands
 * go through volatile variables, so the compiler can neither fold an operation at build time
 * (in the build machine's rounding mode) nor move it across fesetround/fetestexcept: the loads
 * happen after fesetround, and the result is stored before fetestexcept. */
#include <fenv.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

static int fe_mode(enum rmode m) {
  switch (m) {
    case RTZ:
      return FE_TOWARDZERO;
    case RUP:
      return FE_UPWARD;
    case RDN:
      return FE_DOWNWARD;
    default:
      return FE_TONEAREST;
  }
}

static int pf_from_fe(int fe) {
  int f = 0;
  if (fe & FE_INVALID) f |= PF_NV;
  if (fe & FE_DIVBYZERO) f |= PF_DZ;
  if (fe & FE_OVERFLOW) f |= PF_OF;
  if (fe & FE_UNDERFLOW) f |= PF_UF;
  if (fe & FE_INEXACT) f |= PF_NX;
  return f;
}

void format_flags(int flags, char* buf, size_t n) {
  static const char* const names[] = {"NV", "DZ", "OF", "UF", "NX"};
  size_t used = 0;
  buf[0] = '\0';
  for (int i = 0; i < 5; i++)
    if (flags & (1 << i)) used += (size_t)snprintf(buf + used, n - used, "%s%s", used ? "|" : "", names[i]);
  if (!used) snprintf(buf, n, "none");
}

/* Operands and results live in volatile unions and cross as integers: on i686 a double
 * returned from a function travels through an x87 register, and loading a signalling NaN there
 * quietens it. Only the operation under test may touch the FPU. */
union u64 {
  double d;
  uint64_t u;
};
union u32 {
  float f;
  uint32_t u;
};

static uint64_t op64(const struct pcase* c) {
  volatile union u64 a, b, x, r;
  volatile union u32 rf;
  a.u = c->a;
  b.u = c->b;
  x.u = c->c;
  r.u = 0;
  switch (c->op) {
    case OP_ADD:
      r.d = a.d + b.d;
      break;
    case OP_SUB:
      r.d = a.d - b.d;
      break;
    case OP_MUL:
      r.d = a.d * b.d;
      break;
    case OP_DIV:
      r.d = a.d / b.d;
      break;
    case OP_SQRT:
      r.d = sqrt(a.d);
      break;
    case OP_FMA:
      r.d = fma(a.d, b.d, x.d);
      break;
    case OP_NARROW:
      rf.f = (float)a.d;
      return rf.u;
  }
  return r.u;
}

static uint64_t op32(const struct pcase* c) {
  volatile union u32 a, b, x, r;
  a.u = (uint32_t)c->a;
  b.u = (uint32_t)c->b;
  x.u = (uint32_t)c->c;
  r.u = 0;
  switch (c->op) {
    case OP_ADD:
      r.f = a.f + b.f;
      break;
    case OP_SUB:
      r.f = a.f - b.f;
      break;
    case OP_MUL:
      r.f = a.f * b.f;
      break;
    case OP_DIV:
      r.f = a.f / b.f;
      break;
    case OP_SQRT:
      r.f = sqrtf(a.f);
      break;
    case OP_FMA:
      r.f = fmaf(a.f, b.f, x.f);
      break;
    case OP_NARROW:
      break;
  }
  return r.u;
}

struct arith_result ieee_arith(const struct pcase* c) {
  struct arith_result r;
  int saved = fegetround();
  fesetround(fe_mode(c->mode));
  feclearexcept(FE_ALL_EXCEPT);
  r.bits = c->fmt == F64 ? op64(c) : op32(c);
  r.flags = pf_from_fe(fetestexcept(FE_ALL_EXCEPT));
  fesetround(saved);
  return r;
}

/* Out-of-range conversions are undefined in C; what a program gets is what the instruction
 * (or libgcc routine) the compiler chose returns, and that is what an emulator must match. */
int ieee_conv(const struct pcase* c, uint64_t* out) {
  volatile union u64 x;
  x.u = c->a;
  switch (c->sel) {
    case CONV_I32: {
      volatile int32_t r = (int32_t)x.d;
      *out = (uint32_t)r;
      return 0;
    }
    case CONV_I64: {
      volatile int64_t r = (int64_t)x.d;
      *out = (uint64_t)r;
      return 0;
    }
    case CONV_U32: {
      volatile uint32_t r = (uint32_t)x.d;
      *out = r;
      return 0;
    }
  }
  return -1;
}

int libm_eval(const struct pcase* c, uint64_t* out) {
  volatile union u64 a, b, r;
  a.u = c->a;
  b.u = c->b;
  switch (c->sel) {
    case LIBM_EXP:
      r.d = exp(a.d);
      break;
    case LIBM_LOG:
      r.d = log(a.d);
      break;
    case LIBM_POW:
      r.d = pow(a.d, b.d);
      break;
    case LIBM_SIN:
      r.d = sin(a.d);
      break;
    case LIBM_COS:
      r.d = cos(a.d);
      break;
    case LIBM_TAN:
      r.d = tan(a.d);
      break;
    case LIBM_ATAN2:
      r.d = atan2(a.d, b.d);
      break;
    default:
      return -1;
  }
  *out = r.u;
  return 0;
}
