/* The platformd probe: one C program built statically for every architecture platformd can
 * advertise. `probe` prints its identity, `probe fp` a floating-point fingerprint, `probe bench`
 * two timed kernels, `probe cases [ARCH]` the case names of ARCH's fingerprint. The broker
 * compares the fingerprint with platforms/reference/<arch>.json (see docs/fidelity.md).
 *
 * The fingerprint is table driven: cases.c enumerates the cases of an architecture as data (no
 * floating point there), and the fp mode computes exactly the enumerated cases. `cases` and
 * `fp` therefore always name the same set, and the unit test compares that set with the
 * committed references. */
#ifndef PLATFORMD_PROBE_H
#define PLATFORMD_PROBE_H

#include <stddef.h>
#include <stdint.h>

#define PROBE_PROTOCOL 1

enum arch { ARCH_X86_64, ARCH_I686, ARCH_AARCH64, ARCH_ARMHF, ARCH_RISCV64, ARCH_PPC64LE, ARCH_S390X, ARCH_COUNT };

/* The architecture this binary computes for. PROBE_MODEL_I686 is the reference generator's
 * build: the i686 source compiled for x86_64 with -mfpmath=387, so that the x87 code paths an
 * i686 binary takes run on real hardware here (this kernel cannot execute i686 binaries). */
#if defined(PROBE_MODEL_I686)
#define PROBE_ARCH ARCH_I686
#define PROBE_X86 1
#elif defined(__x86_64__)
#define PROBE_ARCH ARCH_X86_64
#define PROBE_X86 1
#elif defined(__i386__)
#define PROBE_ARCH ARCH_I686
#define PROBE_X86 1
#elif defined(__aarch64__)
#define PROBE_ARCH ARCH_AARCH64
#elif defined(__arm__)
#define PROBE_ARCH ARCH_ARMHF
#elif defined(__riscv) && __riscv_xlen == 64
#define PROBE_ARCH ARCH_RISCV64
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
#define PROBE_ARCH ARCH_PPC64LE
#elif defined(__s390x__)
#define PROBE_ARCH ARCH_S390X
#else
#error "unsupported architecture for the platformd probe"
#endif

const char* arch_name(enum arch a);
int arch_from_name(const char* name); /* -1 when unknown */
int cpu_mode(void);                   /* probe cpu (cpu.c) */

/* How a case is computed. */
enum kind {
  K_ARITH,   /* one IEEE operation (op, fmt, mode, ctl), reporting its value or its flags */
  K_ORDERED, /* a + b with the operand order fixed by inline asm: NaN propagation */
  K_CONV,    /* double -> integer as the C cast compiles (sel: enum conv_target) */
  K_X87PC,   /* x87 under a precision-control setting (mode: enum x87_pc, sel: enum x87pc_op) */
  K_X87T,    /* an x87 transcendental instruction (sel: enum x87t_op) */
  K_NEON,    /* armhf Advanced SIMD single-precision operation (op, mode) */
  K_LIBM     /* a libm function (sel: enum libm_fn) */
};

enum op { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_SQRT, OP_FMA, OP_NARROW /* binary64 -> binary32 */ };
enum fmt { F32, F64 };
enum rmode { RNE, RTZ, RUP, RDN };
enum out { OUT_VALUE, OUT_FLAGS };

/* Floating-point control bits set around a K_ARITH case. The x86 ones act on SSE (MXCSR), so
 * those cases use SSE instructions on i686 as well; the ARM ones act on FPCR/FPSCR. */
enum ctl { CTL_NONE, CTL_FTZ, CTL_DAZ, CTL_FTZ_DAZ, CTL_FZ, CTL_DN, CTL_FZ_DN };

enum conv_target { CONV_I32, CONV_I64, CONV_U32 };
enum x87_pc { PC24, PC53, PC64 };
enum x87pc_op { X87PC_DIV_1_3, X87PC_SQRT2, X87PC_ADD_DR, X87PC_DEFAULT_CW };
enum x87t_op { X87T_FSIN, X87T_FSIN_PI, X87T_FCOS, X87T_FPTAN, X87T_FYL2X, X87T_F2XM1, X87T_FPATAN };
enum libm_fn { LIBM_EXP, LIBM_LOG, LIBM_POW, LIBM_SIN, LIBM_COS, LIBM_TAN, LIBM_ATAN2 };

struct pcase {
  char name[96];
  enum kind kind;
  enum op op;
  enum fmt fmt;
  enum rmode mode; /* K_X87PC: enum x87_pc */
  enum ctl ctl;
  enum out out;
  uint64_t a, b, c; /* operand bit patterns; binary32 in the low 32 bits */
  int sel;
};

typedef void (*case_fn)(const struct pcase* c, void* ctx);

/* cases.c: calls fn for every case of `a`, in output order; returns how many. */
int enumerate_cases(enum arch a, case_fn fn, void* ctx);

/* Flag bits as the probe reports them, independent of <fenv.h>'s values. */
enum { PF_NV = 1, PF_DZ = 2, PF_OF = 4, PF_UF = 8, PF_NX = 16 };
void format_flags(int flags, char* buf, size_t n); /* "NV|NX", or "none" */

/* fp_ieee.c: portable IEEE operations on the running machine. */
struct arith_result {
  uint64_t bits;
  int flags; /* PF_* */
};
/* The operation of a K_ARITH case in its rounding mode, with the control bits left as they
 * are: the caller sets them (arch_ctl_set) first. */
struct arith_result ieee_arith(const struct pcase* c);
int ieee_conv(const struct pcase* c, uint64_t* out);
int libm_eval(const struct pcase* c, uint64_t* out);

/* fp_arch.c: what differs per architecture. Each returns -1 when the case does not exist on
 * the architecture it was compiled for. */
int arch_ctl_set(enum ctl ctl); /* sets the control bits, returns -1 if unsupported */
void arch_ctl_clear(void);
int arch_ctl_arith(const struct pcase* c, struct arith_result* r); /* a K_ARITH case with ctl */
int arch_ordered_add(const struct pcase* c, uint64_t* out);
int arch_conv(const struct pcase* c, uint64_t* out);
int arch_x87pc(const struct pcase* c, char* buf, size_t n);
int arch_x87t(const struct pcase* c, char* buf, size_t n);
int arch_neon(const struct pcase* c, uint64_t* out);

/* bench.c */
void run_bench(void);

#endif
