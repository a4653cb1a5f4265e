/**
 * The environment variables spate's modules read while they load: cbor-x's
 * Node entry point, the slot profiler and the heap report. A sandboxed
 * module worker (a slot, a plan) is granted them whatever the job's
 * permissions, or its imports fail; a slot revokes those the job was not
 * given once its modules are loaded.
 * @module
 */

export const IMPORT_TIME_ENV: readonly string[] = [
  "CBOR_NATIVE_ACCELERATION_DISABLED",
  "SPATE_SLOT_CPU_PROFILE",
  "SPATE_SLOT_ALLOC_PROFILE",
  "SPATE_HEAP_REPORT",
];
