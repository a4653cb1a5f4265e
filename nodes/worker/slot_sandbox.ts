/**
 * The Deno permissions of a sandboxed slot Web Worker: the job's own (what
 * its submission declared) plus what spate's runtime in the slot needs for
 * that job, which its code then shares: read and write of the job's
 * checkpoint and spill directories, read of the state it restores, the S3
 * store's host for `s3://` checkpoints. The slot's imports also read two
 * environment variables (cbor-x, the slot profiler): those are granted for
 * the imports and revoked before the job's module is imported.
 * @module
 */

import { fileURLToPath } from "node:url";
import {
  ALL,
  type JobPermissions,
  permissionExcess,
  type PermissionKind,
} from "../../core/config/job_permissions.ts";
import type { FileSystemSettings } from "../../core/fs/file_system.ts";
import { isS3Location, parseS3Location } from "../../core/fs/location.ts";
import { resolveS3Settings } from "../../core/fs/s3_settings.ts";
import type { TaskDeployment } from "../protocol/deployment.ts";
import { IMPORT_TIME_ENV } from "../../core/config/import_time_env.ts";

/**
 * What the AWS SDK of `s3://` checkpoints reads as it works, beyond the
 * settings it is given: its variables and the home directory's (it looks for
 * its shared config files in `~/.aws`, also granted).
 */
export const S3_SDK_ENV = [
  "AWS_*",
  "HOME",
  "USERPROFILE",
  "HOMEPATH",
  "HOMEDRIVE",
  "_X_AMZN_TRACE_ID",
];
/** The system information the AWS SDK puts in its user agent. */
export const S3_SDK_SYS = ["osRelease"];

/** What the runtime in a slot reaches for one job. */
export interface RuntimeNeeds {
  /** Local directories it reads and writes (checkpoints, spilled state, profiles). */
  readonly readWrite: readonly string[];
  /** Local paths it only reads (the state it restores). */
  readonly read: readonly string[];
  /** Hosts it connects to (the S3 store of `s3://` checkpoints). */
  readonly net: readonly string[];
  /** System information it reads (the profiler's inspector session). */
  readonly sys?: readonly string[];
}

/** A sandboxed slot: its Web Worker's permissions, and what it revokes once its modules loaded. */
export interface SlotSandbox {
  readonly permissions: Deno.PermissionOptionsObject;
  readonly revokeAfterImport: Deno.PermissionDescriptor[];
  /** Read access to spate's and the job's modules, revoked once the job's module is imported. */
  readonly revokeAfterJobImport: Deno.PermissionDescriptor[];
  /** The runtime's grants, to tell whether a later task of the job is covered. */
  readonly runtime: JobPermissions;
}

/** Deno's form of one kind: false (none), true (all), or the list. */
function denoKind(entries: readonly string[]): string[] | boolean {
  if (entries.includes(ALL)) return true;
  return entries.length === 0 ? false : [...new Set(entries)];
}

/**
 * The sandbox of a slot that runs code with `job`'s permissions and the
 * runtime's `needs`, reading `imports` (see `importReads`) while it imports
 * the job's module.
 */
export function slotSandbox(
  job: JobPermissions,
  needs: RuntimeNeeds,
  imports: readonly string[],
): SlotSandbox {
  const own = (k: PermissionKind) => job[k] ?? [];
  // Revoking a path the job's own grant covers would take it from the job too.
  const importOnly = imports.filter((p) =>
    permissionExcess({ read: [p] }, { read: [...own("read"), ...needs.read, ...needs.readWrite] })
  );
  const envAll = own("env").includes(ALL);
  const revoked = envAll ? [] : IMPORT_TIME_ENV.filter((n) => !own("env").includes(n));
  return {
    permissions: {
      read: denoKind([...own("read"), ...needs.read, ...needs.readWrite, ...importOnly]),
      write: denoKind([...own("write"), ...needs.readWrite]),
      net: denoKind([...own("net"), ...needs.net]),
      env: denoKind([...own("env"), ...revoked, ...(needs.net.length > 0 ? S3_SDK_ENV : [])]),
      run: denoKind(own("run")),
      ffi: denoKind(own("ffi")),
      sys: denoKind([
        ...own("sys"),
        ...(needs.sys ?? []),
        ...(needs.net.length > 0 ? S3_SDK_SYS : []),
      ]),
      import: false,
    },
    revokeAfterImport: revoked.map((variable) => ({ name: "env", variable })),
    revokeAfterJobImport: importOnly.map((path) => ({ name: "read", path })),
    runtime: {
      read: [...needs.read, ...needs.readWrite],
      write: [...needs.readWrite],
      net: [...needs.net],
    },
  };
}

/** Whether the slot's runtime grants cover what `later` (another task of the job) needs. */
export function coversNeeds(sandbox: SlotSandbox, later: RuntimeNeeds): boolean {
  return permissionExcess({
    read: [...later.read, ...later.readWrite],
    write: [...later.readWrite],
    net: [...later.net],
  }, sandbox.runtime) === undefined;
}

function homeDirectory(): string | undefined {
  try {
    return Deno.env.get("HOME") || Deno.env.get("USERPROFILE") || undefined;
  } catch {
    return undefined;
  }
}

function parent(path: string): string {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** The S3 store's hosts for `bucket` (the configured endpoint, else AWS's names). */
function s3Hosts(bucket: string, settings: FileSystemSettings): string[] {
  const s = resolvedS3(settings).s3 ?? {};
  if (s.endpoint !== undefined) {
    const url = new URL(s.endpoint);
    return [url.port === "" ? url.hostname : `${url.hostname}:${url.port}`];
  }
  const region = s.region ?? "us-east-1";
  return [`s3.${region}.amazonaws.com`, `${bucket}.s3.${region}.amazonaws.com`];
}

/**
 * The file system settings completed from this process's environment, for a
 * slot that cannot read it (as given when they are incomplete: the slot then
 * reports the same error the process would).
 */
export function resolvedS3(settings: FileSystemSettings): FileSystemSettings {
  try {
    const r = resolveS3Settings(settings.s3 ?? {});
    return {
      s3: {
        endpoint: r.endpoint,
        region: r.region,
        accessKeyId: r.credentials?.accessKeyId,
        secretAccessKey: r.credentials?.secretAccessKey,
        sessionToken: r.credentials?.sessionToken,
      },
    };
  } catch {
    return settings;
  }
}

/** spate's own directory: a slot reads its modules while it imports the job's (`spate` is mod.ts). */
export const RUNTIME_DIR = fileURLToPath(new URL("../../", import.meta.url)).replace(/\/$/, "");

/**
 * What a slot reads while it imports the job's module (Deno checks read
 * access for dynamic imports): spate's directory, and the module's own
 * directory (a job file's siblings), or only the file for a bundle.
 */
export function importReads(moduleUrl: string, bundle: boolean): string[] {
  if (!moduleUrl.startsWith("file:")) return [RUNTIME_DIR];
  const path = fileURLToPath(moduleUrl);
  return [RUNTIME_DIR, bundle ? path : parent(path)];
}

/** What the runtime in a slot reaches for `task` (its spill directory given). */
export function runtimeNeeds(
  task: TaskDeployment,
  spillDirectory: string,
  fileSystems: FileSystemSettings,
  profileDirectory: string | undefined,
  heapReportDirectory?: string,
): RuntimeNeeds {
  const readWrite = [spillDirectory];
  // The heap report (`./heap_report.ts`) writes its files there.
  if (heapReportDirectory !== undefined) readWrite.push(heapReportDirectory);
  const read: string[] = [];
  const net = new Set<string>();
  const reach = (location: string, into: string[]) => {
    if (isS3Location(location)) {
      for (const h of s3Hosts(parseS3Location(location).bucket, fileSystems)) net.add(h);
    } else into.push(location);
  };
  if (task.checkpointDir !== undefined) reach(task.checkpointDir, readWrite);
  for (const files of Object.values(task.restore?.files ?? {})) {
    for (const f of files) reach(isS3Location(f.path) ? f.path : parent(f.path), read);
  }
  const home = homeDirectory();
  if (net.size > 0 && home !== undefined) read.push(`${home}/.aws`);
  if (profileDirectory === undefined) return { readWrite, read, net: [...net] };
  // The profiler writes its files there and opens an inspector session.
  return { readWrite: [...readWrite, profileDirectory], read, net: [...net], sys: ["inspector"] };
}
