// Free TCP ports for test servers, from Node or Deno (node: APIs only).
//
// A port found by binding port 0 and closing it is one the kernel hands out
// again: another process binding port 0 (a worker's data listener) may take
// it before the server it was meant for starts (seen in CI: a master and a
// worker on one port). So ports come from below the kernel's ephemeral range,
// which port-0 binds never use, and each is claimed (an exclusive directory
// shared by every test process) for CLAIM_MS before anyone may take it again.
import { mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";

const CLAIMS = `${tmpdir()}/spate-test-ports`;
/** How long a claimed port stays reserved for the test that asked for it. */
const CLAIM_MS = 10 * 60_000;
/** Lowest port handed out (above the well-known and registered services most hosts run). */
const LOW = 10_000;

/** [first, end) of the ports to hand out: below the ephemeral range where it leaves room. */
function range() {
  try {
    const [ephemeralLow] = readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8")
      .trim().split(/\s+/).map(Number);
    if (ephemeralLow - LOW >= 2_000) return [LOW, ephemeralLow];
  } catch { /* not Linux: any unprivileged port, bind-checked */ }
  return [LOW, 65_536];
}

const [first, end] = range();
let next = first + Math.floor(Math.random() * (end - first));

/** Claims `port` for this test: false when another test claimed it in the last CLAIM_MS. */
function claim(port) {
  const dir = `${CLAIMS}/${port}`;
  try {
    mkdirSync(dir);
    return true;
  } catch (e) {
    if (e.code !== "EEXIST") throw e;
    if (Date.now() - statSync(dir).mtimeMs < CLAIM_MS) return false;
    rmSync(dir, { recursive: true, force: true });
    try {
      mkdirSync(dir);
      return true;
    } catch {
      return false;
    }
  }
}

/** Whether nothing listens on `port` of loopback now. */
function bindable(port) {
  return new Promise((resolve) => {
    const s = createServer().once("error", () => resolve(false))
      .listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/** The next port no other test claimed (not yet checked for a listener). */
export function claimPort() {
  mkdirSync(CLAIMS, { recursive: true });
  for (let tries = 0; tries < end - first; tries++) {
    const port = next;
    next = next + 1 >= end ? first : next + 1;
    if (claim(port)) return port;
  }
  throw new Error(`no unclaimed port in ${first}-${end - 1}`);
}

/** A TCP port on loopback that no other test holds and no port-0 bind will take. */
export async function freePort() {
  for (;;) {
    const port = claimPort();
    if (await bindable(port)) return port;
  }
}
