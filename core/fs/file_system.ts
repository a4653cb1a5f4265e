/**
 * The storage of checkpoints, savepoints and the master's HA data, after
 * Flink's `FileSystem`: one interface over a local (or shared) directory and
 * an S3-compatible object store. {@linkcode fileSystemFor} picks the one a
 * location names; the S3 implementation, and its client library, are imported
 * only when an `s3://` location is first used, so a job without one pays nothing.
 *
 * @example
 * ```ts
 * import { fileSystemFor } from "./file_system.ts";
 * const dir = await Deno.makeTempDir();
 * const fs = await fileSystemFor(dir);
 * await fs.write(`${dir}/a/_metadata`, [new TextEncoder().encode("whole")]);
 * await fs.list(dir); // [{ name: "a", isDirectory: true }]
 * ```
 * @module
 */

export { FileTooLargeError, MAX_READ_BYTES, StorageError } from "./errors.ts";
import { isS3Location } from "./location.ts";
import { LocalFileSystem } from "./local_file_system.ts";
import type { S3Settings } from "./s3_settings.ts";

/** An entry directly under a directory (or key prefix). */
export interface FileEntry {
  readonly name: string;
  /** A directory, or for S3 a common prefix (`name/` begins other keys). */
  readonly isDirectory: boolean;
}

/** Where files are kept: paths (or `s3://` URIs) whose segments are joined with `/`. */
export interface FileSystem {
  /** `"file"` or `"s3"`. */
  readonly scheme: "file" | "s3";
  /**
   * Writes `chunks`, in order, as the file at `path` (replacing one there),
   * atomically: readers see no file or the whole file, even after a crash
   * mid-write. Parent directories are created.
   */
  write(path: string, chunks: readonly Uint8Array[]): Promise<void>;
  /**
   * The file's bytes; undefined when there is none. Throws a
   * {@linkcode FileTooLargeError} (without reading it) when it holds more
   * than `maxBytes`.
   */
  read(path: string, maxBytes?: number): Promise<Uint8Array | undefined>;
  /** Its size in bytes; undefined when there is no such file (`exists` is `stat() !== undefined`). */
  stat(path: string): Promise<{ readonly bytes: number } | undefined>;
  /** The entries directly under `dir`, sorted by name; none when it does not exist. */
  list(dir: string): Promise<FileEntry[]>;
  /** Deletes `path` and everything under it; nothing there is fine. */
  delete(path: string): Promise<void>;
  /** Moves the file `from` to `to` (an object store copies, then deletes). */
  move(from: string, to: string): Promise<void>;
}

/** What the file systems of this process are configured with. */
export interface FileSystemSettings {
  /** S3 settings given as flags; what they leave out comes from the AWS environment variables. */
  readonly s3?: S3Settings;
}

let configured: FileSystemSettings = {};
const local = new LocalFileSystem();
/** One S3 file system per distinct settings (a process has one or two). */
const s3Systems = new Map<string, Promise<FileSystem>>();
const MAX_S3_SYSTEMS = 16;

/**
 * Sets this process's (or slot worker's) settings, before any S3 location is
 * used: the CLI from its flags, a slot from what its worker hands it.
 */
export function configureFileSystems(settings: FileSystemSettings): void {
  configured = settings;
}

/** The settings {@linkcode configureFileSystems} was last given (a worker hands them to its slots). */
export function fileSystemSettings(): FileSystemSettings {
  return configured;
}

/**
 * The file system of `location`: the local one for a path, an S3 one for
 * `s3://bucket/prefix` (its module loaded now if it was not), with `settings`
 * (default: those configured for the process) completed from the AWS
 * environment variables.
 */
export function fileSystemFor(
  location: string,
  settings: FileSystemSettings = configured,
): Promise<FileSystem> {
  if (!isS3Location(location)) return Promise.resolve(local);
  const key = JSON.stringify(settings.s3 ?? {});
  let fs = s3Systems.get(key);
  if (fs === undefined) {
    if (s3Systems.size >= MAX_S3_SYSTEMS) s3Systems.delete(s3Systems.keys().next().value!);
    fs = import("./s3_file_system.ts").then((m) => m.S3FileSystem.create(settings.s3 ?? {}));
    fs.catch(() => s3Systems.delete(key));
    s3Systems.set(key, fs);
  }
  return fs;
}
