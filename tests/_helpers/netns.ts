/**
 * Hosts on one machine for tests: each in its own network namespace, wired by
 * a veth pair to a bridge in a "switch" namespace; the root namespace joins
 * the switch through one more veth, so the test process reaches every host.
 * Frames between hosts are bridged inside the switch namespace and never pass
 * the root namespace's netfilter. A host's switch port can be taken down and
 * up again: a partition that leaves the processes (and their TCP connections)
 * alive.
 *
 * Needs root and iproute2 (`ip netns`); {@linkcode netnsSkipReason} says why
 * not. In CI (`CI=true`) a test must not skip for that: {@linkcode netnsIgnored}
 * then runs the test, and {@linkcode TestNetwork.setUp} fails it with the reason.
 *
 * @example
 * ```ts ignore
 * import { TestNetwork } from "./netns.ts";
 * const net = new TestNetwork("ex", ["a", "b"]);
 * net.setUp();
 * try {
 *   net.host("a").ip; // "10.231.N.2"
 *   net.portDown("a"); // a is cut off from b and from the test
 *   net.portUp("a");
 * } finally {
 *   net.tearDown();
 * }
 * ```
 * @module
 */

/** Runs a command; never throws (a missing binary is a failure with its message). */
export function sh(...args: string[]): { ok: boolean; out: string; err: string } {
  try {
    const r = new Deno.Command(args[0], { args: args.slice(1), stdout: "piped", stderr: "piped" })
      .outputSync();
    const dec = new TextDecoder();
    return { ok: r.success, out: dec.decode(r.stdout), err: dec.decode(r.stderr).trim() };
  } catch (e) {
    return { ok: false, out: "", err: (e as Error).message };
  }
}

/** `ip <args>` (arguments separated by single spaces); throws with ip's message on failure. */
function ip(args: string): string {
  const r = sh("ip", ...args.split(" "));
  if (!r.ok) throw new Error(`\`ip ${args}\` failed: ${r.err}`);
  return r.out;
}

/** Why network namespaces cannot be used here, or undefined when they can. */
export function netnsSkipReason(): string | undefined {
  if (Deno.build.os !== "linux") return "network namespaces need Linux";
  if (Deno.uid() !== 0) return "needs root for `ip netns`";
  const version = sh("ip", "-V");
  if (!version.ok) return `iproute2 (\`ip\`) is not usable: ${version.err}`;
  const probe = `spate-probe-${Deno.pid}`;
  const add = sh("ip", "netns", "add", probe);
  if (!add.ok) return `\`ip netns add\` failed: ${add.err}`;
  sh("ip", "netns", "del", probe);
  return undefined;
}

/** Whether CI runs this (then a test that needs namespaces fails rather than skips). */
const IN_CI = Deno.env.get("CI") === "true";

/**
 * What a test that needs namespaces passes as `ignore`: skipped (with the
 * reason printed) where namespaces are unavailable, except in CI.
 */
export function netnsIgnored(what: string): boolean {
  const reason = netnsSkipReason();
  if (reason === undefined) return false;
  console.log(`${what} ${IN_CI ? "fails in CI" : "skipped"}: ${reason}`);
  return !IN_CI;
}

/** One host: its namespace, its switch port, its address. */
export interface NetHost {
  readonly role: string;
  readonly ns: string;
  readonly ip: string;
}

/** A switch namespace with one namespace per host (see the module doc). */
export class TestNetwork {
  readonly hosts: readonly NetHost[];
  /** The root namespace's address on the switch. */
  readonly rootIp: string;
  private readonly switchNs: string;
  private readonly rootVeth: string;

  /**
   * `tag` (up to 3 characters) and the process id name the namespaces and the
   * root veth, so concurrent runs and tests do not clash. `roles` become the
   * switch port names (up to 8 characters each).
   */
  constructor(tag: string, roles: readonly string[]) {
    const run = Deno.pid;
    // Test files run in parallel share one process (one pid): the tag spreads their subnets.
    const net = freeSubnet(run + [...tag].reduce((h, c) => h * 31 + c.charCodeAt(0), 0));
    this.switchNs = `spate-${tag}-sw-${run}`;
    this.rootVeth = `sp${tag}${run}`.slice(0, 15);
    this.rootIp = `${net}.1`;
    this.hosts = roles.map((role, i) => ({
      role,
      ns: `spate-${tag}-${role}-${run}`,
      ip: `${net}.${i + 2}`,
    }));
  }

  host(role: string): NetHost {
    const h = this.hosts.find((h) => h.role === role);
    if (h === undefined) throw new Error(`no host '${role}' in this network`);
    return h;
  }

  /** The command prefix that runs a program in `role`'s namespace (then the program and args). */
  exec(role: string): string[] {
    return ["ip", "netns", "exec", this.host(role).ns];
  }

  /** Creates the namespaces, the bridge and the veths. No default routes: nothing leaves. */
  setUp(): void {
    const reason = netnsSkipReason();
    if (reason !== undefined) throw new Error(`network namespaces are unavailable: ${reason}`);
    const sw = this.switchNs;
    ip(`netns add ${sw}`);
    ip(`-n ${sw} link set dev lo up`);
    ip(`-n ${sw} link add name br0 type bridge`);
    ip(`-n ${sw} link set dev br0 up`);
    for (const h of this.hosts) {
      ip(`netns add ${h.ns}`);
      ip(`-n ${h.ns} link set dev lo up`);
      ip(`-n ${sw} link add name ${h.role} type veth peer name eth0 netns ${h.ns}`);
      ip(`-n ${sw} link set dev ${h.role} master br0 up`);
      ip(`-n ${h.ns} addr add ${h.ip}/24 dev eth0`);
      ip(`-n ${h.ns} link set dev eth0 up`);
    }
    ip(`link add name ${this.rootVeth} type veth peer name root netns ${sw}`);
    ip(`-n ${sw} link set dev root master br0 up`);
    ip(`addr add ${this.rootIp}/24 dev ${this.rootVeth}`);
    ip(`link set dev ${this.rootVeth} up`);
  }

  /** Cuts `role` off: its switch port goes down, frames to and from it are dropped. */
  portDown(role: string): void {
    ip(`-n ${this.switchNs} link set dev ${this.host(role).role} down`);
  }

  /** Joins `role` again. */
  portUp(role: string): void {
    ip(`-n ${this.switchNs} link set dev ${this.host(role).role} up`);
  }

  /** Bytes each switch port received from (rx) and sent to (tx) its host (`root`: the test). */
  portBytes(): Map<string, { rx: number; tx: number }> {
    const links = JSON.parse(ip(`-n ${this.switchNs} -s -j link show`)) as {
      ifname: string;
      stats64: { rx: { bytes: number }; tx: { bytes: number } };
    }[];
    return new Map(
      links.map((l) => [l.ifname, { rx: l.stats64.rx.bytes, tx: l.stats64.tx.bytes }]),
    );
  }

  /** Deletes what setUp may have created; returns whatever is still there. */
  tearDown(): string[] {
    const ours = [...this.hosts.map((h) => h.ns), this.switchNs];
    sh("ip", "link", "del", "dev", this.rootVeth);
    for (const ns of ours) sh("ip", "netns", "del", ns);
    const left = sh("ip", "netns", "list").out.split("\n").map((l) => l.split(" ")[0])
      .filter((ns) => ours.includes(ns));
    if (sh("ip", "link", "show", "dev", this.rootVeth).ok) left.push(this.rootVeth);
    return left;
  }
}

/** A /24 in 10.231.0.0/16 that no route in the root namespace covers yet. */
function freeSubnet(seed: number): string {
  const routes = (how: "match" | "root", prefix: string) =>
    (JSON.parse(sh("ip", "-4", "-j", "route", "show", how, prefix).out || "[]") as {
      dst: string;
    }[]).filter((r) => r.dst !== "default");
  for (let i = 0; i < 254; i++) {
    const net = `10.231.${1 + (seed + i) % 254}`;
    const prefix = `${net}.0/24`;
    if (routes("match", prefix).length === 0 && routes("root", prefix).length === 0) return net;
  }
  throw new Error("no free /24 in 10.231.0.0/16 for the test network");
}
