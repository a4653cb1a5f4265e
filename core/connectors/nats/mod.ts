/**
 * NATS JetStream connectors: {@linkcode JetStreamSource} (pull consumers,
 * the stream sequence in spate's checkpoints: exactly-once into state) and
 * {@linkcode JetStreamSink} (de-duplication ids, acknowledgements awaited at
 * each barrier: exactly-once into the stream within its duplicate window).
 * @module
 */

export {
  JETSTREAM_START_POSITIONS,
  type JetStreamDeserializer,
  type JetStreamMessageInfo,
  type JetStreamRecord,
  JetStreamSource,
  JetStreamSourceBuilder,
  type JetStreamStartPosition,
} from "./jetstream_source.ts";
export { type JetStreamSerializer, JetStreamSink, JetStreamSinkBuilder } from "./jetstream_sink.ts";
export { NATS_PASSWORD_ENV, NATS_TOKEN_ENV, NATS_USER_ENV } from "./nats_server.ts";
