// Counts heap allocations in the benchmark (and the allocation tests' binary); no Swift API beyond these functions.
//
// The benchmark executable defines malloc, calloc, realloc, posix_memalign, aligned_alloc and
// memalign (see MallocCounter.c). Symbols of the executable come first in ELF symbol lookup, so
// every allocation in the process (Swift runtime, Foundation, libdispatch, OpenBLAS) goes
// through them; each counts itself and forwards to glibc's own allocator (__libc_malloc, ...).
// Only with glibc: elsewhere nothing is replaced (see mallocCounterIsSupported).
#ifndef SWIFTMLP_MALLOC_COUNTER_H
#define SWIFTMLP_MALLOC_COUNTER_H

/// Allocations (successful or not) made so far by any thread of the process.
unsigned long mallocCounterAllocations(void);

/// Allocations made so far by the calling thread.
unsigned long mallocCounterThreadAllocations(void);

/// 1 when the counting wrappers are the process's allocator (checked by allocating once).
int mallocCounterIsActive(void);

/// 1 when the wrappers are compiled in: with glibc (they forward to its __libc_* functions)
/// and no AddressSanitizer or ThreadSanitizer. Elsewhere the counter never counts.
int mallocCounterIsSupported(void);

/// With `on` nonzero, the next allocation raises SIGTRAP (for finding it in a debugger).
void mallocCounterArmTrap(int on);

#endif
