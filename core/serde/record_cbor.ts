/**
 * The cbor-x settings of records, one definition for every codec of records:
 * record batches between tasks (`record_batch.ts`) and collected records on
 * their way to a client (`nodes/protocol/collected_cbor.ts`).
 * @module
 */

/**
 * Record structures: an object shape is written once per encoding, and a Map
 * stays a Map (cbor-x decodes maps as objects only without records).
 */
export const RECORD_CBOR_OPTIONS = { useRecords: true } as const;
