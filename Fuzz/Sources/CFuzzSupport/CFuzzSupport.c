#include "CFuzzSupport.h"

// Weak: defined by the AddressSanitizer runtime when linked with -sanitize=address, null otherwise,
// so a -sanitize=fuzzer-only build (faster, no memory checks) links and runs too.
extern void __asan_poison_memory_region(void const volatile *address, size_t size) __attribute__((weak));
extern void __asan_unpoison_memory_region(void const volatile *address, size_t size) __attribute__((weak));

void cfuzz_poison(const void *address, size_t size) {
    if (__asan_poison_memory_region && size > 0) __asan_poison_memory_region(address, size);
}

void cfuzz_unpoison(const void *address, size_t size) {
    if (__asan_unpoison_memory_region && size > 0) __asan_unpoison_memory_region(address, size);
}
