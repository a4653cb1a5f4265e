import { channelContract } from "../../../tests/_suites/channel_contract.ts";
import { DataRelay, RELAY_PATH } from "../../rpc/data_relay.ts";
import { closeSessions } from "../../rpc/h2_client.ts";
import { listenHttp } from "../../rpc/tls/http_listener.ts";
import { SlotDataPlane } from "./direct_channels.ts";
import { PUSH_PATH } from "./dialed_channels.ts";
import { DEFAULT_NETWORK_ENVIRONMENT_SETTINGS, NetworkEnvironment } from "./network_environment.ts";

// Real HTTP/2 on loopback: a worker's data server that redirects pushing
// producers, a relay like the master's, and one slot's listener.
const plane = new SlotDataPlane();
const listen = { hostname: "127.0.0.1", advertisedHost: "127.0.0.1" };
await plane.listen(listen);
const net = new NetworkEnvironment();
const worker = await listenHttp({ hostname: "127.0.0.1", port: 0 }, (req, info) => {
  const path = new URL(req.url).pathname;
  const peer = (info.remoteAddr as Deno.NetAddr).hostname;
  if (path === PUSH_PATH) return net.servePush(req, {}, peer);
  return new Response("no route\n", { status: 404 });
});
const workerAddress = `http://127.0.0.1:${worker.addr.port}`;
const relay = new DataRelay({ ...DEFAULT_NETWORK_ENVIRONMENT_SETTINGS });
const relayServer = await listenHttp({ hostname: "127.0.0.1", port: 0 }, (req, info) => {
  const path = new URL(req.url).pathname;
  if (path !== RELAY_PATH) return new Response("no route\n", { status: 404 });
  return relay.serve(req, {}, (info.remoteAddr as Deno.NetAddr).hostname);
});
const relayAddress = `http://127.0.0.1:${relayServer.addr.port}`;
let next = 0;

channelContract("producer dialing its consumer's slot (--no-inbound producer)", () => {
  const channelId = `push.0.1.${next++}.0`;
  const peer = { processId: "other", dataAddress: workerAddress, workerId: "w", slotIndex: 0 };
  const consumer = plane.acceptingConsumer(
    channelId,
    net.announcePort({ channelId, peer }),
    listen,
  );
  const producer = plane.dialingProducer(
    channelId,
    { via: "consumer", consumerWorker: workerAddress },
    listen,
  );
  return { producer, consumer };
});

channelContract("both ends dialing a relay (--no-inbound on both sides)", () => {
  const channelId = `relay.0.1.${next++}.0`;
  const producer = plane.dialingProducer(channelId, { via: "relay", relay: relayAddress }, listen);
  const consumer = plane.consumer(channelId, relayAddress, RELAY_PATH);
  return { producer, consumer };
});

Deno.test({
  name: "dialed channels: the test servers stop",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    closeSessions();
    relay.close();
    net.close();
    await plane.close();
    await worker.shutdown();
    await relayServer.shutdown();
  },
});
