/* The Leibniz program of /work/shared/seeds/001_6eced6e9e040f351.txt, "Appendix A - Source
 * code used to produce table 1" (a paper on virtual machines for volunteer computing: the same
 * source gave 3.140592575 or 3.140592860 depending on compiler and optimisation). Kept
 * verbatim, layout included, between the clang-format markers; bench/bench.py builds it -O2
 * -static natively and with each cross compiler, runs it under each translator and compares
 * the 1000 printed lines with the native run's. It is an output check, not a timing (1000
 * terms and a printf per term). */
// clang-format off
#include <stdio.h>
#include <string.h>
#include <math.h>

#define PI 3.141592653589793238462643383279

int main ()
{
    float pi = 0;
    int limit = 1000;
    float temp;
    unsigned int i;
    for(i=0; i<limit; i++) {
        if (i%2==0) temp=4.0f/(2*i+1);
        if (i%2==1) temp=-4.0f/(2*i+1);
        pi=pi+temp;
        printf("%d: diff: %.15f, est pi: %.15f\n",i,PI-pi,pi);
    }
}
// clang-format on
