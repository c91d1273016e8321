// Shared by the CKernels sources (not part of the public header): inlining, the x86 check, and the macro that
// instantiates one kernel body for AVX-512, AVX2+FMA and the baseline ISA and picks one at load time.
#ifndef SEPKWS_CKERNELS_DISPATCH_H
#define SEPKWS_CKERNELS_DISPATCH_H

#define SK_INLINE static inline __attribute__((always_inline))

#if defined(__x86_64__) && (defined(__clang__) || defined(__GNUC__))
#define SK_X86 1
#else
#define SK_X86 0
#endif

// SK_DISPATCH(name, (params), (args)) defines `void sk_<name> params` calling `<name>_body args`, compiled three
// times; the variant is chosen once when the library is loaded (__builtin_cpu_supports).
#if SK_X86
#define SK_DISPATCH(name, params, args)                                                                         \
    __attribute__((target("avx512f,avx2,fma"))) static void name##_avx512 params { name##_body args; }          \
    __attribute__((target("avx2,fma"))) static void name##_avx2 params { name##_body args; }                    \
    static void name##_baseline params { name##_body args; }                                                    \
    static void(*name##_impl) params = name##_baseline;                                                         \
    __attribute__((constructor)) static void name##_select(void) {                                              \
        __builtin_cpu_init();                                                                                   \
        if (__builtin_cpu_supports("avx512f")) name##_impl = name##_avx512;                                     \
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) name##_impl = name##_avx2;    \
    }                                                                                                           \
    void sk_##name params { name##_impl args; }
#else
#define SK_DISPATCH(name, params, args) \
    void sk_##name params { name##_body args; }
#endif

#endif
