// Allocation counting for `mlp-bench train`'s "no allocation after the first step" check.
// glibc exports its allocator under __libc_* names; these wrappers count and forward. Other C
// libraries (musl, Darwin's) have no such names: there the wrappers are not compiled, the
// counter stays inactive and mallocCounterIsSupported() says so.
#include "MallocCounter.h"
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

// Under AddressSanitizer or ThreadSanitizer the sanitizer owns malloc; replacing it again would
// bypass its bookkeeping (and crash), so the counter stays inactive there.
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define MALLOC_COUNTER_DISABLED 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MALLOC_COUNTER_DISABLED 1
#endif
// <stdlib.h> has defined __GLIBC__ by now when the C library is glibc.
#if !defined(__GLIBC__)
#define MALLOC_COUNTER_DISABLED 1
#endif

#ifndef MALLOC_COUNTER_DISABLED
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
#endif

static unsigned long allocations;
static __thread unsigned long threadAllocations;

static int armed;

static inline void count(void) {
    __atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
    threadAllocations += 1;
    // Debugging aid: with the trap armed, the first allocation stops in the debugger.
    if (__atomic_load_n(&armed, __ATOMIC_RELAXED)) { armed = 0; __builtin_debugtrap(); }
}

void mallocCounterArmTrap(int on) { __atomic_store_n(&armed, on, __ATOMIC_RELAXED); }

#ifndef MALLOC_COUNTER_DISABLED
void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *pointer, size_t size) { count(); return __libc_realloc(pointer, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }

int posix_memalign(void **result, size_t alignment, size_t size) {
    count();
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
#endif

unsigned long mallocCounterThreadAllocations(void) { return threadAllocations; }

unsigned long mallocCounterAllocations(void) { return __atomic_load_n(&allocations, __ATOMIC_RELAXED); }

int mallocCounterIsSupported(void) {
#ifdef MALLOC_COUNTER_DISABLED
    return 0;
#else
    return 1;
#endif
}

int mallocCounterIsActive(void) {
    unsigned long before = mallocCounterAllocations();
    // Through a volatile pointer so that the compiler cannot pair and remove the calls.
    void *(*volatile allocate)(size_t) = malloc;
    void (*volatile release)(void *) = free;
    release(allocate(16));
    return mallocCounterAllocations() > before;
}
