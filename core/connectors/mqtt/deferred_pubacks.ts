/**
 * Holds back the PUBACKs of received QoS 1 messages until the caller releases
 * them, so a source acknowledges a message to the broker only after the
 * checkpoint that covers it completed.
 *
 * mqtt.js (5.x) has no manual-ack option that works here: its
 * `customHandleAcks` hook delays the delivery of the message itself and
 * stalls every later packet of the connection until it is called. So this
 * wraps the client's packet writer (`_sendPacket`): PUBACK packets are kept
 * (their write is reported done at once, so the client goes on reading) and
 * written when {@linkcode DeferredPubacks.release} is called. The broker
 * keeps every unacknowledged message in the client's session and sends it
 * again after a reconnect with the same client id; the number of them in
 * flight is bounded by the client's Receive Maximum (MQTT 5).
 * `deferred_pubacks_test` pins this behaviour against a real broker.
 * @module
 */

import type { MqttClient } from "mqtt";

type Packet = { cmd: string; messageId?: number };
type SendPacket = (packet: Packet, cb?: (err?: Error) => void) => void;

/** The PUBACKs a client owes the broker, in arrival order. */
export class DeferredPubacks {
  private readonly send: SendPacket;
  /** Message ids whose PUBACK is held, oldest first. */
  private held: number[] = [];

  constructor(private readonly client: MqttClient) {
    const internal = client as unknown as { _sendPacket: SendPacket };
    if (typeof internal._sendPacket !== "function") {
      throw new Error("this mqtt client has no _sendPacket: manual acknowledgement needs mqtt 5.x");
    }
    this.send = internal._sendPacket.bind(client);
    internal._sendPacket = (packet, cb) => {
      if (packet.cmd === "puback" && packet.messageId !== undefined) {
        this.held.push(packet.messageId);
        cb?.();
        return;
      }
      this.send(packet, cb);
    };
  }

  /** How many PUBACKs are held. */
  get size(): number {
    return this.held.length;
  }

  /** Takes the ids of the `count` oldest held PUBACKs (to release later). */
  take(count: number): number[] {
    return this.held.splice(0, count);
  }

  /** Writes the PUBACKs of `messageIds` to the broker now. */
  release(messageIds: readonly number[]): void {
    if (!this.client.connected) return; // the broker sends them again after a reconnect
    for (const messageId of messageIds) this.send({ cmd: "puback", messageId });
  }
}
