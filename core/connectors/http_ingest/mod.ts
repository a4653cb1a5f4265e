/**
 * HTTP ingest: {@linkcode HttpIngestSource}, records POSTed to
 * `/ingest/NAME`, answered once a checkpoint made them durable.
 * @module
 */

export {
  DEFAULT_INGEST_LIMITS,
  HttpIngestSource,
  HttpIngestSourceBuilder,
  type IngestDeserializer,
} from "./http_ingest_source.ts";
export { INGEST_ACK_MODES, INGEST_PREFIX, type IngestAckMode } from "./ingest_protocol.ts";
