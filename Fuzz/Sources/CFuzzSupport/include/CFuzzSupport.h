// What the harnesses need from the sanitizer runtimes, declared here rather than through
// <sanitizer/*.h> so the target builds with any C compiler SwiftPM picks.
#pragma once
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, in every -sanitize=fuzzer link): parses the libFuzzer flags in
/// argv and runs `callback` over the corpus and the mutations. See cfuzz_main in FuzzKit.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Marks [address, address + size) unaddressable for AddressSanitizer; no-op in a build without it.
void cfuzz_poison(const void *address, size_t size);
/// Undoes cfuzz_poison.
void cfuzz_unpoison(const void *address, size_t size);
