/* The seed's Leibniz loop (leibniz_seed.c, same float arithmetic, same branches) made into a
 * fixed CPU-bound workload: the number of terms comes from argv[1] and only the last line is
 * printed, so the time is the loop's and not printf's. bench/bench.py times the whole process
 * (start-up and QEMU's translation included), natively and under each translator.
 *
 *   leibniz-bench TERMS   ->  "<TERMS-1>: diff: <PI-pi>, est pi: <pi>"   (the seed's format) */
#include <stdio.h>
#include <stdlib.h>

#define PI 3.141592653589793238462643383279

int main(int argc, char** argv) {
  float pi = 0;
  float temp = 0;
  unsigned int i;
  unsigned int limit = argc > 1 ? (unsigned int)strtoul(argv[1], NULL, 10) : 1000;
  for (i = 0; i < limit; i++) {
    if (i % 2 == 0) temp = 4.0f / (2 * i + 1);
    if (i % 2 == 1) temp = -4.0f / (2 * i + 1);
    pi = pi + temp;
  }
  printf("%u: diff: %.15f, est pi: %.15f\n", limit - 1, PI - pi, pi);
  return 0;
}
