/* probe cpu: the CPU the program sees, where it decides results (x86: glibc's libm picks its
 * code by FMA and AVX2 through CPUID, so an emulator's CPU model decides which native hosts
 * the results will match). Prints one line:
 *   cpu x86-64-v3 fma avx2          the x86-64 psABI feature level, then the libm-relevant features
 *   cpu -                           not x86: nothing to say
 * Levels (x86-64 psABI): v1 cmov cx8 fpu fxsr mmx sse sse2; v2 + cx16 lahf popcnt sse3 sse4.1
 * sse4.2 ssse3; v3 + avx avx2 bmi1 bmi2 f16c fma lzcnt movbe osxsave; v4 + avx512 f bw cd dq vl. */
#include <stdio.h>

#include "probe.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

#define BIT(r, n) (((r) >> (n)) & 1u)

int cpu_mode(void) {
  unsigned a = 0, b = 0, c1 = 0, d1 = 0, b7 = 0, c7 = 0, d7 = 0, ce = 0, de = 0, max = __get_cpuid_max(0, 0);
  if (max >= 1) __get_cpuid(1, &a, &b, &c1, &d1);
  if (max >= 7) __cpuid_count(7, 0, a, b7, c7, d7);
  if (__get_cpuid_max(0x80000000u, 0) >= 0x80000001u) __get_cpuid(0x80000001u, &a, &b, &ce, &de);
  int v1 = BIT(d1, 15) && BIT(d1, 8) && BIT(d1, 0) && BIT(d1, 24) && BIT(d1, 23) && BIT(d1, 25) && BIT(d1, 26);
  int v2 = v1 && BIT(c1, 13) && BIT(ce, 0) && BIT(c1, 23) && BIT(c1, 0) && BIT(c1, 19) && BIT(c1, 20) && BIT(c1, 9);
  int fma = BIT(c1, 12), avx2 = BIT(b7, 5), avx512f = BIT(b7, 16);
  int v3 = v2 && BIT(c1, 28) && avx2 && BIT(b7, 3) && BIT(b7, 8) && BIT(c1, 29) && fma && BIT(ce, 5) && BIT(c1, 22) &&
           BIT(c1, 27);
  int v4 = v3 && avx512f && BIT(b7, 30) && BIT(b7, 28) && BIT(b7, 17) && BIT(b7, 31);
  (void)c7;
  (void)d7;
  (void)de;
  printf("cpu x86-64-v%d%s%s%s\n",
         v4   ? 4
         : v3 ? 3
         : v2 ? 2
         : v1 ? 1
              : 0,
         fma ? " fma" : "", avx2 ? " avx2" : "", avx512f ? " avx512f" : "");
  return 0;
}
#else
int cpu_mode(void) {
  printf("cpu -\n");
  return 0;
}
#endif
