#ifndef AUTHD_CFUZZER_H
#define AUTHD_CFUZZER_H
#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver, for a program that has its own `main` (SwiftPM gives every executable
/// target one: it links `main` to `<Target>_main`, so libFuzzer's own `main` is never used).
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

/// Hands the process's arguments to libFuzzer with `callback` as the fuzz target.
int authd_fuzz_run(int argc, char **argv, int (*callback)(const uint8_t *data, size_t size));
#endif
