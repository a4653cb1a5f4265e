/**
 * File systems for checkpoints, savepoints and HA data: a local or shared
 * directory, or an S3-compatible object store (`s3://bucket/prefix`), behind
 * one {@linkcode FileSystem} interface. The S3 implementation is loaded only
 * when an `s3://` location is used.
 *
 * @example
 * ```ts
 * import { fileSystemFor, isS3Location } from "./mod.ts";
 * isS3Location("s3://spate/checkpoints"); // true
 * const fs = await fileSystemFor(await Deno.makeTempDir());
 * fs.scheme; // "file"
 * ```
 * @module
 */

export * from "./errors.ts";
export * from "./file_system.ts";
export * from "./location.ts";
export * from "./s3_settings.ts";
