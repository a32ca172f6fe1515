#ifndef CCRC32C_H
#define CCRC32C_H

#include <stddef.h>
#include <stdint.h>

/// Extends a CRC32C (Castagnoli) value over `length` bytes. Start with 0;
/// ccrc32c_extend(ccrc32c_extend(0, a), b) == ccrc32c_extend(0, a ++ b).
/// Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise.
uint32_t ccrc32c_extend(uint32_t crc, const void *data, size_t length);

/// Same as ccrc32c_extend but always uses the portable table implementation.
uint32_t ccrc32c_extend_software(uint32_t crc, const void *data, size_t length);

/// 1 when the hardware (SSE4.2) path is used, 0 otherwise.
int ccrc32c_is_hardware(void);

#endif
