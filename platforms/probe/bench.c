/* `probe bench`: two fixed CPU-bound kernels, timed with CLOCK_MONOTONIC. The broker runs the
 * host's own probe and the emulated one in the same invocation and divides the times: the
 * ratio says how much of the host's speed a task of this platform gets.
 *
 * Sizes are fixed (not calibrated at run time) so that every architecture does the same work
 * and the checksums are comparable: about 50 ms each natively on a current x86_64; under QEMU
 * 7.2 the FP kernel takes 0.3-3 s depending on the guest, the integer one barely more than
 * natively (docs/fidelity.md has the measurements). Each kernel is one dependency chain, so no compiler can vectorise
 * it without -ffast-math. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "probe.h"

#define FP_TERMS 25000000L
#define INT_ROUNDS 16000000UL

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Leibniz series for pi: one division and one addition per term, the FP latency chain that
 * dominates many science kernels (and the kernel of shared/REFERENCE.md section 3). */
static double leibniz(long terms) {
  double sum = 0.0;
  for (long k = 0; k < terms; k++) {
    double t = 1.0 / (double)(2 * k + 1);
    sum += (k & 1) ? -t : t;
  }
  return 4.0 * sum;
}

/* A 32-bit multiply-xorshift hash chain (so 32-bit platforms are not charged for 64-bit
 * multiplies the task would not do). */
static uint32_t hash_chain(unsigned long rounds) {
  uint32_t h = 2166136261u;
  for (unsigned long i = 0; i < rounds; i++) {
    h ^= (uint32_t)i;
    h *= 16777619u;
    h ^= h >> 13;
    h += h << 3;
  }
  return h;
}

void run_bench(void) {
  volatile long terms = FP_TERMS;
  volatile unsigned long rounds = INT_ROUNDS;

  /* An untimed eighth of each kernel first: the timed runs then exclude what a long task
   * amortises (QEMU translating the loop once, page faults, the CPU leaving a low clock). */
  volatile double warm_fp = leibniz(terms / 8);
  volatile uint32_t warm_int = hash_chain(rounds / 8);
  (void)warm_fp;
  (void)warm_int;

  double t0 = now();
  volatile double pi = leibniz(terms);
  double t1 = now();
  volatile uint32_t h = hash_chain(rounds);
  double t2 = now();

  double p = pi;
  uint64_t bits;
  memcpy(&bits, &p, sizeof bits);
  printf("bench.fp %.6f %016llx\n", t1 - t0, (unsigned long long)bits);
  printf("bench.int %.6f %08x\n", t2 - t1, (unsigned)h);
}
