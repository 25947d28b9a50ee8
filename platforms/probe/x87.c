/* The x87 unit (x86_64 and i686): precision control and the transcendental instructions.
 *
 * Every case is inline asm on 80-bit values stored with fstpt, so the result is the register's
 * full content, not a C long double that the compiler might round or move. Reported as
 * "SEXP:MANTISSA" in hex (16-bit sign+exponent, 64-bit significand with its explicit
 * integer bit). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "probe.h"

#if defined(PROBE_X86)

static void fmt80(const unsigned char t[10], int c2, char* buf, size_t n) {
  uint64_t m;
  uint16_t se;
  memcpy(&m, t, 8);
  memcpy(&se, t + 8, 2);
  snprintf(buf, n, "%04x:%016llx%s", se, (unsigned long long)m, c2 ? ",c2" : "");
}

int arch_x87pc(const struct pcase* c, char* buf, size_t n) {
  static const double one = 1.0, two = 2.0, three = 3.0;
  static const uint64_t dr_bits = 0x3ca0000000000001ull; /* 2^-53 + 2^-105 */
  double dr;
  memcpy(&dr, &dr_bits, sizeof dr);
  unsigned short cw0, cw;
  __asm__ volatile("fnstcw %0" : "=m"(cw0));
  if (c->sel == X87PC_DEFAULT_CW) {
    /* Linux starts every process with 0x037f: all exceptions masked, 64-bit precision. */
    snprintf(buf, n, "%04x", cw0);
    return 0;
  }
  static const unsigned short pc_bits[] = {0x0000, 0x0200, 0x0300}; /* 24, 53, 64 bits */
  cw = (unsigned short)((cw0 & ~0x0300) | pc_bits[c->mode]);
  unsigned char t[10];
  __asm__ volatile("fldcw %0" : : "m"(cw));
  switch (c->sel) {
    case X87PC_DIV_1_3:
      __asm__ volatile("fld1\n\tfdivl %1\n\tfstpt %0" : "=m"(t) : "m"(three));
      break;
    case X87PC_SQRT2:
      __asm__ volatile("fldl %1\n\tfsqrt\n\tfstpt %0" : "=m"(t) : "m"(two));
      break;
    case X87PC_ADD_DR:
      __asm__ volatile("fldl %1\n\tfaddl %2\n\tfstpt %0" : "=m"(t) : "m"(one), "m"(dr));
      break;
    default:
      __asm__ volatile("fldcw %0" : : "m"(cw0));
      return -1;
  }
  __asm__ volatile("fldcw %0" : : "m"(cw0));
  fmt80(t, 0, buf, n);
  return 0;
}

int arch_x87t(const struct pcase* c, char* buf, size_t n) {
  double a, b;
  memcpy(&a, &c->a, sizeof a);
  memcpy(&b, &c->b, sizeof b);
  unsigned char t[10];
  unsigned short sw = 0;
  switch (c->sel) {
    case X87T_FSIN:
      __asm__ volatile("fldl %2\n\tfsin\n\tfnstsw %1\n\tfstpt %0" : "=m"(t), "=m"(sw) : "m"(a));
      break;
    case X87T_FSIN_PI:
      __asm__ volatile("fldpi\n\tfsin\n\tfnstsw %1\n\tfstpt %0" : "=m"(t), "=m"(sw));
      break;
    case X87T_FCOS:
      __asm__ volatile("fldl %2\n\tfcos\n\tfnstsw %1\n\tfstpt %0" : "=m"(t), "=m"(sw) : "m"(a));
      break;
    /* fptan pushes 1.0 above tan(x): drop it */
    case X87T_FPTAN:
      __asm__ volatile("fldl %2\n\tfptan\n\tfnstsw %1\n\tfstp %%st(0)\n\tfstpt %0" : "=m"(t), "=m"(sw) : "m"(a));
      break;
    /* st1 * log2(st0) with st0 = a, st1 = b */
    case X87T_FYL2X:
      __asm__ volatile("fldl %2\n\tfldl %1\n\tfyl2x\n\tfstpt %0" : "=m"(t) : "m"(a), "m"(b));
      break;
    case X87T_F2XM1:
      __asm__ volatile("fldl %1\n\tf2xm1\n\tfstpt %0" : "=m"(t) : "m"(a));
      break;
    /* atan(st1 / st0) with st1 = a, st0 = b */
    case X87T_FPATAN:
      __asm__ volatile("fldl %1\n\tfldl %2\n\tfpatan\n\tfstpt %0" : "=m"(t) : "m"(a), "m"(b));
      break;
    default:
      return -1;
  }
  fmt80(t, (sw & 0x0400) != 0, buf, n);
  return 0;
}

#else

int arch_x87pc(const struct pcase* c, char* buf, size_t n) {
  (void)c, (void)buf, (void)n;
  return -1;
}
int arch_x87t(const struct pcase* c, char* buf, size_t n) {
  (void)c, (void)buf, (void)n;
  return -1;
}

#endif
