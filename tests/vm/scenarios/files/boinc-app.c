/* The x86_64 BOINC application of scenario B, built static on the host (gcc -static).
 *
 * It uses no BOINC API library; it does for the client what the API would: its input and
 * output are <copy_file/> references (so they are plain files "in" and "out" in the slot
 * directory), and on success it writes boinc_finish_called, without which the client treats
 * an exit as premature and restarts the task (client/app_control.cpp).
 *
 * Work: reads N from "in", writes the machine it ran as (uname: x86_64 under qemu-user), the
 * sum of i*i for i < N and a floating-point sum, so the host can check the result. */
#include <stdio.h>
#include <sys/utsname.h>

int main(void) {
  unsigned long long n = 0, sum = 0;
  double h = 0.0;
  struct utsname u;
  FILE* in = fopen("in", "r");
  if (!in || fscanf(in, "%llu", &n) != 1) {
    fprintf(stderr, "vmtest_app: cannot read N from in\n");
    return 1;
  }
  fclose(in);
  for (unsigned long long i = 0; i < n; i++) {
    sum += i * i;
    h += 1.0 / (double)(i + 1);
  }
  uname(&u);
  FILE* out = fopen("out", "w");
  if (!out) return 1;
  fprintf(out, "machine %s\nn %llu\nsum_squares %llu\nharmonic %.17g\n", u.machine, n, sum, h);
  if (fclose(out) != 0) return 1;
  FILE* fin = fopen("boinc_finish_called", "w");
  if (!fin) return 1;
  fprintf(fin, "0\n");
  fclose(fin);
  fprintf(stderr, "vmtest_app: done (n=%llu)\n", n);
  return 0;
}
