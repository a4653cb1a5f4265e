/**
 * Disk-spilling keyed state backend: key groups live in memory up to a budget;
 * beyond it the least recently used groups are written to `<spillDirectory>/kg-<n>.cbor`
 * (cbor-x) and read back on access. Per-record file I/O is synchronous, since
 * records are processed synchronously. Snapshots copy-on-write resident groups
 * like the heap backend and read spilled groups' files at `snapshot()` time.
 *
 * Memory accounting: each write adds an estimate of the written item's CBOR length to its
 * group's estimate; when the estimate exceeds the budget, the resident groups
 * are measured exactly (CBOR-encoded) and the least recently used are spilled
 * until the total is under three quarters of the budget. The group in use is
 * never spilled, so one group larger than the budget stays in memory.
 * @module
 */

import { decode, encode } from "cbor-x";
import {
  type CapturedGroup,
  GroupState,
  KeyedBackendBase,
  thawedCopy,
} from "./_keyed_backend_base.ts";
import type { KeyedStateBackendOptions, StateEntries } from "./keyed_state_backend.ts";

/** Options of {@link DiskStateBackend}. */
export interface DiskStateBackendOptions extends KeyedStateBackendOptions {
  /** A local directory; the backend makes its own subdirectory in it. */
  readonly directory: string;
  /** Memory for resident key groups, measured as their CBOR length. */
  readonly memoryBudgetBytes: number;
}

interface Resident {
  group: GroupState;
  /** Estimated CBOR bytes of the group. */
  bytes: number;
  /** Whether the group differs from its file (or has none). */
  dirty: boolean;
}

/**
 * Keyed state that spills cold key groups to local disk.
 *
 * @example
 * ```ts
 * import { DiskStateBackend } from "./disk_state_backend.ts";
 * import { ListStateDescriptor } from "../api/state.ts";
 * const backend = new DiskStateBackend({
 *   directory: Deno.makeTempDirSync(),
 *   memoryBudgetBytes: 64 << 20,
 * });
 * const seen = backend.getListState(new ListStateDescriptor<string>("seen"));
 * backend.setCurrentKey("user-1");
 * seen.add("page-7");
 * backend.dispose(); // deletes the spill directory
 * ```
 */
export class DiskStateBackend extends KeyedBackendBase {
  /** The directory holding this backend's spill files. */
  readonly spillDirectory: string;
  readonly memoryBudgetBytes: number;
  /** Resident key groups, least recently used first. */
  private readonly resident = new Map<number, Resident>();
  /** Key groups with a spill file (possibly stale while the group is resident and dirty). */
  private readonly onDisk = new Set<number>();
  private residentBytes = 0;
  private lastKeyGroup = -1;

  constructor(options: DiskStateBackendOptions) {
    super(options);
    if (!(options.memoryBudgetBytes >= 0)) {
      throw new RangeError(`memoryBudgetBytes must be >= 0, got ${options.memoryBudgetBytes}`);
    }
    this.memoryBudgetBytes = options.memoryBudgetBytes;
    Deno.mkdirSync(options.directory, { recursive: true });
    this.spillDirectory = Deno.makeTempDirSync({ dir: options.directory, prefix: "spate-state-" });
  }

  /** Number of key groups currently in memory (for tests and metrics). */
  get residentKeyGroups(): number {
    return this.resident.size;
  }

  protected liveGroup(keyGroup: number, forWrite: boolean): GroupState | undefined {
    let r = this.resident.get(keyGroup);
    let loaded = false;
    if (r === undefined) {
      if (this.onDisk.has(keyGroup)) {
        const bytes = Deno.readFileSync(this.path(keyGroup));
        r = { group: this.fromEntries(decode(bytes)), bytes: bytes.length, dirty: false };
        loaded = true;
      } else if (!forWrite) return undefined;
      else r = { group: new GroupState(), bytes: 0, dirty: true };
      this.resident.set(keyGroup, r);
      this.residentBytes += r.bytes;
    } else if (keyGroup !== this.lastKeyGroup) {
      this.resident.delete(keyGroup);
      this.resident.set(keyGroup, r);
    }
    this.lastKeyGroup = keyGroup;
    if (r.group.frozen) r.group = thawedCopy(r.group);
    if (forWrite) r.dirty = true;
    if (loaded) this.enforceBudget();
    return r.group;
  }

  protected override noteWrite(item: unknown): void {
    const r = this.resident.get(this.currentKeyGroup);
    if (r === undefined) return;
    const size = estimateBytes(item, 0);
    r.bytes += size;
    this.residentBytes += size;
    if (this.residentBytes > this.memoryBudgetBytes) this.enforceBudget();
  }

  protected captureGroups(): CapturedGroup[] {
    const captured: CapturedGroup[] = [];
    for (let g = this.keyGroupRange.start; g <= this.keyGroupRange.end; g++) {
      const r = this.resident.get(g);
      if (r !== undefined) {
        r.group.frozen = true;
        captured.push({ keyGroup: g, group: r.group });
      } else if (this.onDisk.has(g)) {
        const bytes = Deno.readFileSync(this.path(g));
        captured.push({ keyGroup: g, decode: () => decode(bytes) as StateEntries[] });
      }
    }
    return captured;
  }

  protected forEachGroup(fn: (keyGroup: number, group: GroupState | Uint8Array) => void): void {
    for (let g = this.keyGroupRange.start; g <= this.keyGroupRange.end; g++) {
      const r = this.resident.get(g);
      if (r !== undefined) {
        if ([...r.group.tables.values()].some((t) => t.size > 0)) fn(g, r.group);
      } else if (this.onDisk.has(g)) fn(g, Deno.readFileSync(this.path(g)));
    }
  }

  protected installGroup(keyGroup: number, group: GroupState): void {
    const bytes = encode(this.toEntries(group)).length;
    this.resident.set(keyGroup, { group, bytes, dirty: true });
    this.residentBytes += bytes;
    this.lastKeyGroup = keyGroup;
    this.enforceBudget();
  }

  protected hasEntries(): boolean {
    return this.onDisk.size > 0 ||
      [...this.resident.values()].some((r) => [...r.group.tables.values()].some((t) => t.size));
  }

  /** Deletes the spill directory and drops all state. */
  dispose(): void {
    this.resident.clear();
    this.onDisk.clear();
    this.residentBytes = 0;
    Deno.removeSync(this.spillDirectory, { recursive: true });
  }

  /** Measures dirty groups exactly, then spills least recently used groups. */
  private enforceBudget(): void {
    if (this.residentBytes <= this.memoryBudgetBytes) return;
    const encoded = new Map<number, Uint8Array>();
    let total = 0;
    for (const [g, r] of this.resident) {
      if (r.dirty) {
        const bytes = encode(this.toEntries(r.group));
        encoded.set(g, bytes);
        r.bytes = bytes.length;
      }
      total += r.bytes;
    }
    this.residentBytes = total;
    const lowWatermark = this.memoryBudgetBytes * 0.75;
    for (const [g, r] of this.resident) {
      if (this.residentBytes <= lowWatermark) break;
      if (g === this.lastKeyGroup) continue;
      if (r.dirty) this.spill(g, encoded.get(g)!, r.group);
      this.resident.delete(g);
      this.residentBytes -= r.bytes;
    }
  }

  private spill(keyGroup: number, bytes: Uint8Array, group: GroupState): void {
    const empty = [...group.tables.values()].every((t) => t.size === 0);
    if (empty) {
      if (this.onDisk.delete(keyGroup)) Deno.removeSync(this.path(keyGroup));
      return;
    }
    Deno.writeFileSync(this.path(keyGroup), bytes);
    this.onDisk.add(keyGroup);
  }

  private path(keyGroup: number): string {
    return `${this.spillDirectory}/kg-${keyGroup}.cbor`;
  }
}

/**
 * A cheap guess of a value's CBOR length, for the per-write accounting (an
 * encode per write cost more than the write); `enforceBudget` measures
 * exactly once the guesses add up to the budget.
 */
function estimateBytes(x: unknown, depth: number): number {
  switch (typeof x) {
    case "string":
      return x.length + 5;
    case "number":
    case "bigint":
      return 9;
    case "object": {
      if (x === null) return 1;
      if (depth > 8) return 64;
      if (ArrayBuffer.isView(x)) return x.byteLength + 5;
      let n = 5;
      if (Array.isArray(x)) { for (const v of x) n += estimateBytes(v, depth + 1); }
      else if (x instanceof Map) {
        for (const [k, v] of x) n += estimateBytes(k, depth + 1) + estimateBytes(v, depth + 1);
      } else {
        for (const k in x) {
          n += k.length + 1 + estimateBytes((x as Record<string, unknown>)[k], depth + 1);
        }
      }
      return n;
    }
    default:
      return 1;
  }
}
