/*
 * fuzz.h -- what the fuzz targets share (tests/fuzz/fuzz_*.c).
 *
 * Each target defines LLVMFuzzerTestOneInput.  Built with --enable-fuzzing (clang), libFuzzer
 * drives it; built for make check, replay.c's main feeds it every file of a corpus folder,
 * so that each input ever found to crash stays a test.
 */
#ifndef ELIG_FUZZ_H
#define ELIG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The path of a file of the source tree ($srcdir/rel, or ./rel), in a static buffer. */
const char *fuzz_source_path(const char *rel);

#endif
