/* platformd probe: entry point and the three modes of the broker's contract.
 *
 *   probe              identity (fast): protocol, arch, uname, argv0, answer 42
 *   probe fp           fingerprint: "<category>.<case> <value>", one line per case
 *   probe bench        "bench.fp <seconds> <checksum>" and "bench.int <seconds> <checksum>"
 *   probe cpu          "cpu x86-64-v3 fma avx2" (x86: the feature level the program sees), else "cpu -"
 *   probe cases [ARCH] the case names of ARCH's fingerprint (default: this build's arch)
 *   probe describe [ARCH]  the same with each case's inputs, for the reference generator
 *                      (platforms/probe/refgen.py)
 *
 * Exit 0 on success, 2 on bad usage, 3 when a case could not be computed (a probe bug). */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "probe.h"

static int identity(const char* argv0) {
  struct utsname u;
  if (uname(&u) != 0) {
    perror("uname");
    return 1;
  }
  /* Under qemu-user uname reports the guest's machine; natively on a compat kernel it
   * reports the kernel's: the broker uses the difference to prove native execution. */
  printf("platformd-probe %d\narch %s\nuname %s\nargv0 %s\nanswer %d\n", PROBE_PROTOCOL, arch_name(PROBE_ARCH),
         u.machine, argv0, 42);
  return 0;
}

static void print_name(const struct pcase* c, void* ctx) {
  (void)ctx;
  printf("%s\n", c->name);
}

static void describe(const struct pcase* c, void* ctx) {
  static const char* const kinds[] = {"arith", "ordered", "conv", "x87pc", "x87t", "neon", "libm"};
  static const char* const ops[] = {"add", "sub", "mul", "div", "sqrt", "fma", "narrow"};
  static const char* const ctls[] = {"none", "ftz", "daz", "ftz_daz", "fz", "dn", "fz_dn"};
  (void)ctx;
  printf("%s %s %s %s %d %s %s %016llx %016llx %016llx %d\n", c->name, kinds[c->kind], ops[c->op],
         c->fmt == F64 ? "f64" : "f32", (int)c->mode, ctls[c->ctl], c->out == OUT_FLAGS ? "flags" : "value",
         (unsigned long long)c->a, (unsigned long long)c->b, (unsigned long long)c->c, c->sel);
}

static void hex_bits(const struct pcase* c, uint64_t bits, char* buf, size_t n) {
  int narrow = c->kind == K_ARITH && c->op == OP_NARROW;
  if (c->fmt == F32 || narrow)
    snprintf(buf, n, "%08llx", (unsigned long long)(bits & 0xffffffffu));
  else
    snprintf(buf, n, "%016llx", (unsigned long long)bits);
}

static int compute(const struct pcase* c, char* buf, size_t n) {
  uint64_t bits = 0;
  struct arith_result r;
  switch (c->kind) {
    case K_ARITH:
      if (c->ctl == CTL_NONE)
        r = ieee_arith(c);
      else if (arch_ctl_arith(c, &r) != 0)
        return -1;
      if (c->out == OUT_FLAGS)
        format_flags(r.flags, buf, n);
      else
        hex_bits(c, r.bits, buf, n);
      return 0;
    case K_ORDERED:
      if (arch_ordered_add(c, &bits) != 0) return -1;
      hex_bits(c, bits, buf, n);
      return 0;
    case K_CONV:
      if (arch_conv(c, &bits) != 0) return -1;
      snprintf(buf, n, c->sel == CONV_I64 ? "%016llx" : "%08llx", (unsigned long long)bits);
      return 0;
    case K_X87PC:
      return arch_x87pc(c, buf, n);
    case K_X87T:
      return arch_x87t(c, buf, n);
    case K_NEON:
      if (arch_neon(c, &bits) != 0) return -1;
      hex_bits(c, bits, buf, n);
      return 0;
    case K_LIBM:
      if (libm_eval(c, &bits) != 0) return -1;
      hex_bits(c, bits, buf, n);
      return 0;
  }
  return -1;
}

static void print_case(const struct pcase* c, void* ctx) {
  char value[64];
  if (compute(c, value, sizeof value) != 0) {
    snprintf(value, sizeof value, "error");
    *(int*)ctx = 1;
  }
  printf("%s %s\n", c->name, value);
}

static int usage(void) {
  fprintf(stderr, "usage: probe [fp | bench | cpu | cases [ARCH] | describe [ARCH]]\n");
  return 2;
}

int main(int argc, char** argv) {
  if (argc < 2) return identity(argc > 0 ? argv[0] : "");
  if (strcmp(argv[1], "fp") == 0 && argc == 2) {
    int failed = 0;
    enumerate_cases(PROBE_ARCH, print_case, &failed);
    return failed ? 3 : 0;
  }
  if (strcmp(argv[1], "cpu") == 0 && argc == 2) return cpu_mode();
  if (strcmp(argv[1], "bench") == 0 && argc == 2) {
    run_bench();
    return 0;
  }
  int list = strcmp(argv[1], "cases") == 0, desc = strcmp(argv[1], "describe") == 0;
  if ((list || desc) && argc <= 3) {
    int a = argc == 3 ? arch_from_name(argv[2]) : (int)PROBE_ARCH;
    if (a < 0) {
      fprintf(stderr, "probe: unknown architecture '%s'\n", argv[2]);
      return 2;
    }
    enumerate_cases((enum arch)a, list ? print_name : describe, NULL);
    return 0;
  }
  return usage();
}
