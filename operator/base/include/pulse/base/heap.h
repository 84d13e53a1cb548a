// The process heap as a long-running daemon with thousands of objects sees it (glibc malloc).
//
// Why: glibc gives each thread that allocates its own arena (up to 8 per core) and keeps freed
// memory in them. The operator's large, short-lived allocations (a render of 10,000 objects:
// the config text, rule files, the gzip and base64 of the delivered objects) are made on
// whichever worker thread runs the reconcile, so after a few renders each arena holds tens of
// MiB that is free but still resident. Fewer arenas and a trim after each large piece of work
// keep the resident set near what is in use. On other C libraries both are no-ops.
#pragma once

namespace pulse::base {

// Caps the number of malloc arenas (call once, early, before threads start). 0 leaves the
// default.
void LimitHeapArenas(int arenas);

// Gives free heap pages back to the system (glibc malloc_trim). Walks the heap, so call it
// after large pieces of work, not per small one.
void ReleaseFreeHeap();

}  // namespace pulse::base
