/**
 * The local file system: a directory on this host's disk, or a shared one
 * (NFS and the like) that every master and worker mounts at the same path.
 * A write goes to a temp file, is synced, then renamed into place, so readers
 * see no file or the whole file, even after a crash.
 *
 * @example
 * ```ts
 * import { LocalFileSystem } from "./local_file_system.ts";
 * const fs = new LocalFileSystem();
 * const dir = await Deno.makeTempDir();
 * await fs.write(`${dir}/chk-1/_metadata`, [new Uint8Array([1, 2])]);
 * await fs.stat(`${dir}/chk-1/_metadata`); // { bytes: 2 }
 * ```
 * @module
 */

import { dirname } from "node:path";
import { FileTooLargeError, MAX_READ_BYTES } from "./errors.ts";
import type { FileEntry, FileSystem } from "./file_system.ts";

/** Paths on this host's file system (local or a shared mount). */
export class LocalFileSystem implements FileSystem {
  readonly scheme = "file";

  /** Temp file, write each chunk, fsync, rename: no copy of the chunks into one buffer. */
  async write(path: string, chunks: readonly Uint8Array[]): Promise<void> {
    await Deno.mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${randomHex()}`;
    try {
      using file = await Deno.open(tmp, { write: true, createNew: true });
      for (const bytes of chunks) {
        for (let at = 0; at < bytes.byteLength;) at += await file.write(bytes.subarray(at));
      }
      await file.sync();
    } catch (e) {
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
    await Deno.rename(tmp, path);
  }

  async read(path: string, maxBytes = MAX_READ_BYTES): Promise<Uint8Array | undefined> {
    if (maxBytes < MAX_READ_BYTES) {
      const info = await this.stat(path);
      if (info === undefined) return undefined;
      if (info.bytes > maxBytes) throw new FileTooLargeError(path, info.bytes, maxBytes);
    }
    return await Deno.readFile(path).catch(ifNotFound(undefined));
  }

  async stat(path: string): Promise<{ bytes: number } | undefined> {
    const info = await Deno.stat(path).catch(ifNotFound(undefined));
    return info?.isFile ? { bytes: info.size } : undefined;
  }

  async list(dir: string): Promise<FileEntry[]> {
    const entries = await Array.fromAsync(Deno.readDir(dir)).catch(ifNotFound([]));
    return entries
      .map((e) => ({ name: e.name, isDirectory: e.isDirectory }))
      .sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  async delete(path: string): Promise<void> {
    await Deno.remove(path, { recursive: true }).catch(ifNotFound(undefined));
  }

  /** Renames, or copies and deletes across devices. */
  async move(from: string, to: string): Promise<void> {
    await Deno.mkdir(dirname(to), { recursive: true });
    try {
      await Deno.rename(from, to);
    } catch (e) {
      if ((e as { code?: string }).code !== "EXDEV") throw e;
      await Deno.copyFile(from, to);
      await Deno.remove(from);
    }
  }
}

/** A `.catch` handler turning NotFound into `fallback`; anything else is rethrown. */
function ifNotFound<T>(fallback: T): (e: unknown) => T {
  return (e) => {
    if (e instanceof Deno.errors.NotFound) return fallback;
    throw e;
  };
}

function randomHex(): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(4)),
    (b) => b.toString(16).padStart(2, "0"),
  )
    .join("");
}
