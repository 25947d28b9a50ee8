/* The project's x86_64 science app (issue 22): static, floating-point heavy, and through glibc's
 * libm, whose code paths depend on the CPU features the program sees (FMA or not: REFERENCE.md
 * §8, the AutoDock Vina measurement). Built static, as projects ship Linux apps.
 *
 * It uses no BOINC API library; it does what the API would for the client: its input and output
 * are <copy_file/> references (plain files "in" and "out" in the slot directory), and on success
 * it writes boinc_finish_called, without which the client takes an exit for a premature one.
 *
 * Work: reads "SEED N" from in; N steps of a map through exp, log, sin, cos, pow and sqrt; writes
 * the running sums with 17 significant digits and their bit patterns, so that the bitwise
 * validator compares every bit of the result. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static uint64_t bits(double d) {
  uint64_t u;
  memcpy(&u, &d, sizeof u);
  return u;
}

int main(void) {
  unsigned long long seed = 0, n = 0;
  FILE* in = fopen("in", "r");
  if (!in || fscanf(in, "%llu %llu", &seed, &n) != 2) {
    fprintf(stderr, "fpapp: cannot read SEED N from in\n");
    return 1;
  }
  fclose(in);
  double x = 0.5 + (double)(seed % 1000) / 2000.0, s_exp = 0, s_trig = 0, s_pow = 0;
  for (unsigned long long i = 0; i < n; i++) {
    double e = exp(-x) * log1p(x);
    double t = sin(3.0 * x) * cos(x / 7.0);
    double p = pow(x, 1.0 / 3.0) + sqrt(x + 1.0);
    s_exp += e;
    s_trig += t;
    s_pow += p;
    x = fmod(x * 3.7 + e + t, 1.0) + 0.25;
  }
  FILE* out = fopen("out", "w");
  if (!out) return 1;
  fprintf(out, "seed %llu\nn %llu\n", seed, n);
  fprintf(out, "s_exp %.17g %016llx\n", s_exp, (unsigned long long)bits(s_exp));
  fprintf(out, "s_trig %.17g %016llx\n", s_trig, (unsigned long long)bits(s_trig));
  fprintf(out, "s_pow %.17g %016llx\n", s_pow, (unsigned long long)bits(s_pow));
  fprintf(out, "x %.17g %016llx\n", x, (unsigned long long)bits(x));
  if (fclose(out) != 0) return 1;
  FILE* fin = fopen("boinc_finish_called", "w");
  if (!fin) return 1;
  fprintf(fin, "0\n");
  fclose(fin);
  return 0;
}
