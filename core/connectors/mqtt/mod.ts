/**
 * MQTT connectors: {@linkcode MqttSource} (subscribe, QoS 0/1, shared
 * subscriptions, at-least-once with checkpoints) and {@linkcode MqttSink}
 * (publish, QoS 0/1, topic per record, retained).
 * @module
 */

export {
  MQTT_SOURCE_QOS,
  type MqttDeserializer,
  type MqttMessageInfo,
  type MqttRecord,
  MqttSource,
  MqttSourceBuilder,
  type MqttSourceQos,
} from "./mqtt_source.ts";
export {
  MQTT_SINK_QOS,
  type MqttSerializer,
  MqttSink,
  MqttSinkBuilder,
  type MqttSinkQos,
} from "./mqtt_sink.ts";
export { MQTT_PASSWORD_ENV, MQTT_USERNAME_ENV } from "./mqtt_broker.ts";
