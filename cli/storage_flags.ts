/**
 * The `--s3-*` flags of a process: checked, completed from the AWS
 * environment variables, and set as this process's file system settings
 * (its slots get them from their worker). They never travel to another
 * process: each master and worker takes its own.
 * @module
 */

import type { OptionValues } from "../core/config/options.ts";
import { configureFileSystems } from "../core/fs/file_system.ts";
import { resolveS3Settings, type S3Settings } from "../core/fs/s3_settings.ts";
import { UsageError } from "./usage.ts";

/** The S3 settings the flags give (absent fields come from the environment later). */
export function s3FlagSettings(v: OptionValues): S3Settings {
  const s: Record<string, string> = {};
  if (v.s3Endpoint !== undefined) s.endpoint = v.s3Endpoint;
  if (v.s3Region !== undefined) s.region = v.s3Region;
  if (v.s3AccessKey !== undefined) s.accessKeyId = v.s3AccessKey;
  if (v.s3SecretKey !== undefined) s.secretAccessKey = v.s3SecretKey;
  return s;
}

/** Whether any `--s3-*` flag was given. */
export function hasS3Flags(v: OptionValues): boolean {
  return Object.keys(s3FlagSettings(v)).length > 0;
}

/**
 * Sets this process's file system settings from its flags; a bad endpoint or
 * half-given credentials (flags or variables) are usage errors now, not
 * failures at the first checkpoint.
 */
export function configureStorage(command: string, v: OptionValues): void {
  const s3 = s3FlagSettings(v);
  try {
    resolveS3Settings(s3);
  } catch (e) {
    throw new UsageError(`spate ${command}: ${(e as Error).message}`);
  }
  configureFileSystems({ s3 });
}
