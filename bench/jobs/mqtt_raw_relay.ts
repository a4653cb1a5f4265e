// The MQTT benchmark's baseline, in a process of its own as spate's relay
// is: the mqtt client republishes every message of argv[1] to argv[2] (QoS 0).
import mqtt from "mqtt";

const [url, inTopic, outTopic] = Deno.args;
const relay = await mqtt.connectAsync(url, { protocolVersion: 5, reconnectPeriod: 0 });
relay.on(
  "message",
  (_t, payload) => relay.publish(outTopic, payload as unknown as string, { qos: 0 }),
);
await relay.subscribeAsync(inTopic, { qos: 0 });
