#include "pulse/base/heap.h"

#include <cstdlib>  // defines __GLIBC__ on glibc, which the checks below need first

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace pulse::base {

void LimitHeapArenas(int arenas) {
#if defined(__GLIBC__)
  if (arenas > 0) mallopt(M_ARENA_MAX, arenas);
#else
  (void)arenas;
#endif
}

void ReleaseFreeHeap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace pulse::base
