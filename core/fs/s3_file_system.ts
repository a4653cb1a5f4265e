/**
 * An S3-compatible object store as a {@linkcode FileSystem}, through AWS's own
 * client (`@aws-sdk/client-s3`). Paths are `s3://bucket/key`; a "directory"
 * is a key prefix ending in `/`. A PUT is atomic by nature (an object appears
 * only whole), and so is a multipart upload (the object appears when it is
 * completed), so a `_metadata` is never seen half written. Files up to
 * {@linkcode S3_SINGLE_PUT_MAX_BYTES} go in one PUT; larger ones in parts of
 * {@linkcode S3_PART_BYTES}, a few in flight, without joining the whole file.
 *
 * This module is imported only when an `s3://` location is used
 * (`fileSystemFor`): loading the client costs ~120-170 ms and ~11 MB of heap.
 *
 * @example
 * ```ts ignore
 * import { S3FileSystem } from "./s3_file_system.ts";
 * const fs = S3FileSystem.create({ endpoint: "http://127.0.0.1:9000" });
 * await fs.write("s3://spate/checkpoints/job/chk-1/_metadata", [new Uint8Array([1])]);
 * ```
 * @module
 */

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from "@aws-sdk/client-s3";
import { FileTooLargeError, MAX_READ_BYTES, StorageError } from "./errors.ts";
import type { FileEntry, FileSystem } from "./file_system.ts";
import { parseS3Location, type S3Location } from "./location.ts";
import { s3StorageError } from "./s3_errors.ts";
import {
  describeS3Settings,
  type ResolvedS3Settings,
  resolveS3Settings,
  type S3Settings,
} from "./s3_settings.ts";

/** Files up to this size are written with one PUT (S3 allows 5 GiB). */
export const S3_SINGLE_PUT_MAX_BYTES = 16 * 1024 * 1024;
/** Part size of larger files (S3: 5 MiB to 5 GiB, at most 10,000 parts). */
export const S3_PART_BYTES = 8 * 1024 * 1024;
/** Parts uploaded at once: bounds memory to this many parts per file written. */
const PARTS_IN_FLIGHT = 4;
/** Entries a `list` returns at most (a checkpoint root has a few per job). */
const MAX_LIST_ENTRIES = 100_000;
/** Timeouts of one request: connecting, and a whole request (a part takes well under this). */
const CONNECTION_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 120_000;
/** Attempts per request (the SDK retries throttling, 5xx and connection errors with backoff). */
const MAX_ATTEMPTS = 3;

/** Objects of S3-compatible stores as files. */
export class S3FileSystem implements FileSystem {
  readonly scheme = "s3";
  private readonly where: string;

  private constructor(
    private readonly settings: ResolvedS3Settings,
    private readonly client: S3Client,
  ) {
    this.where = describeS3Settings(settings);
  }

  /** A file system with `given` settings, completed from the AWS environment variables. */
  static create(given: S3Settings): S3FileSystem {
    const s = resolveS3Settings(given);
    const client = new S3Client({
      region: s.region,
      endpoint: s.endpoint,
      forcePathStyle: s.forcePathStyle,
      // Never the SDK's default chain: it would probe profile files and the instance metadata service.
      credentials: s.credentials ?? { accessKeyId: "", secretAccessKey: "" },
      maxAttempts: MAX_ATTEMPTS,
      // State files carry their own CRC-32; S3-compatible stores vary in checksum support.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        requestTimeout: REQUEST_TIMEOUT_MS,
      },
    });
    return new S3FileSystem(s, client);
  }

  async write(path: string, chunks: readonly Uint8Array[]): Promise<void> {
    const at = this.locate(path, "write");
    const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    await this.call("write", path, () =>
      bytes <= S3_SINGLE_PUT_MAX_BYTES
        ? this.client.send(
          new PutObjectCommand({ Bucket: at.bucket, Key: at.key, Body: join(chunks, bytes) }),
        )
        : this.writeMultipart(at, chunks, bytes));
  }

  async read(path: string, maxBytes = MAX_READ_BYTES): Promise<Uint8Array | undefined> {
    const at = this.locate(path, "read");
    const res = await this.call(
      "read",
      path,
      () => this.client.send(new GetObjectCommand({ Bucket: at.bucket, Key: at.key })),
      "NoSuchKey",
    );
    if (res?.Body === undefined) return undefined;
    const size = res.ContentLength ?? 0;
    if (size > maxBytes) {
      await res.Body.transformToWebStream().cancel().catch(() => {});
      throw new FileTooLargeError(path, size, maxBytes);
    }
    return await this.call("read", path, () => res.Body!.transformToByteArray());
  }

  async stat(path: string): Promise<{ bytes: number } | undefined> {
    const at = this.locate(path, "stat");
    const res = await this.call(
      "stat",
      path,
      () => this.client.send(new HeadObjectCommand({ Bucket: at.bucket, Key: at.key })),
      "NotFound",
    );
    return res === undefined ? undefined : { bytes: res.ContentLength ?? 0 };
  }

  async list(dir: string): Promise<FileEntry[]> {
    const at = this.locate(dir, "list");
    const prefix = at.key === "" ? "" : `${at.key}/`;
    const entries: FileEntry[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("list", dir, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: at.bucket,
            Prefix: prefix,
            Delimiter: "/",
            ContinuationToken: token,
          }),
        ));
      for (const p of page.CommonPrefixes ?? []) {
        entries.push({ name: p.Prefix!.slice(prefix.length, -1), isDirectory: true });
      }
      for (const o of page.Contents ?? []) {
        if (o.Key !== prefix) {
          entries.push({ name: o.Key!.slice(prefix.length), isDirectory: false });
        }
      }
      if (entries.length > MAX_LIST_ENTRIES) {
        throw new StorageError(
          `cannot list ${dir}: more than ${MAX_LIST_ENTRIES} entries; is it the right location?`,
        );
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return entries.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  }

  async delete(path: string): Promise<void> {
    const at = this.locate(path, "delete");
    if (at.key === "") {
      throw new StorageError(`refusing to delete ${path}: it is a whole bucket, not a prefix`);
    }
    const keys = [at.key, ...await this.keysUnder(at, path)];
    for (let i = 0; i < keys.length; i += 1000) {
      const batch = keys.slice(i, i + 1000).map((Key) => ({ Key }));
      const res = await this.call("delete", path, () =>
        this.client.send(
          new DeleteObjectsCommand({
            Bucket: at.bucket,
            Delete: { Objects: batch, Quiet: true },
          }),
        ));
      const failed = res.Errors?.find((e) => e.Code !== "NoSuchKey");
      if (failed !== undefined) {
        throw new StorageError(
          `cannot delete s3://${at.bucket}/${failed.Key}: ${failed.Code}: ${failed.Message} ` +
            `(${this.where})`,
        );
      }
    }
  }

  async move(from: string, to: string): Promise<void> {
    const src = this.locate(from, "move");
    const dst = this.locate(to, "move");
    const source = `${src.bucket}/${src.key.split("/").map(encodeURIComponent).join("/")}`;
    await this.call("copy", `${from} to ${to}`, () =>
      this.client.send(
        new CopyObjectCommand({ Bucket: dst.bucket, Key: dst.key, CopySource: source }),
      ));
    await this.delete(from);
  }

  /** Every key strictly under `at` (as a directory). */
  private async keysUnder(at: S3Location, path: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.call("list", path, () =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: at.bucket,
            Prefix: `${at.key}/`,
            ContinuationToken: token,
          }),
        ));
      for (const o of page.Contents ?? []) keys.push(o.Key!);
      if (keys.length > MAX_LIST_ENTRIES) {
        throw new StorageError(`cannot delete ${path}: more than ${MAX_LIST_ENTRIES} objects`);
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys;
  }

  /** A multipart upload; aborted (its parts discarded) when a part fails. */
  private async writeMultipart(at: S3Location, chunks: readonly Uint8Array[], bytes: number) {
    const { UploadId } = await this.client.send(
      new CreateMultipartUploadCommand({ Bucket: at.bucket, Key: at.key }),
    );
    const base = { Bucket: at.bucket, Key: at.key, UploadId };
    try {
      const parts: { ETag?: string; PartNumber: number }[] = [];
      const inFlight = new Set<Promise<void>>();
      let n = 0;
      for (const body of partsOf(chunks, bytes, S3_PART_BYTES)) {
        const PartNumber = ++n;
        const upload: Promise<void> = this.client
          .send(new UploadPartCommand({ ...base, PartNumber, Body: body }))
          .then((r) => void parts.push({ ETag: r.ETag, PartNumber }))
          .finally(() => inFlight.delete(upload));
        inFlight.add(upload);
        if (inFlight.size >= PARTS_IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
      parts.sort((a, b) => a.PartNumber - b.PartNumber);
      return await this.client.send(
        new CompleteMultipartUploadCommand({ ...base, MultipartUpload: { Parts: parts } }),
      );
    } catch (e) {
      await this.client.send(new AbortMultipartUploadCommand(base)).catch(() => {});
      throw e;
    }
  }

  private locate(path: string, operation: string): S3Location {
    const at = parseS3Location(path);
    if (this.settings.credentials === undefined) {
      throw new StorageError(
        `cannot ${operation} ${path}: no S3 credentials; set AWS_ACCESS_KEY_ID and ` +
          `AWS_SECRET_ACCESS_KEY (or pass --s3-access-key and --s3-secret-key) for ` +
          `every master and worker (${this.where})`,
      );
    }
    return at;
  }

  /** Runs an S3 request, turning its failure into a StorageError; `absent` (a not-found code): undefined. */
  private async call<T>(operation: string, path: string, f: () => Promise<T>): Promise<T>;
  private async call<T>(
    operation: string,
    path: string,
    f: () => Promise<T>,
    absent: string,
  ): Promise<T | undefined>;
  private async call<T>(operation: string, path: string, f: () => Promise<T>, absent?: string) {
    try {
      return await f();
    } catch (e) {
      if (e instanceof FileTooLargeError || e instanceof StorageError) throw e;
      if (absent !== undefined && (e as Error).name === absent) return undefined;
      throw s3StorageError(e, operation, path, this.where);
    }
  }
}

/** The chunks as one array (a view of the single chunk when there is one). */
function join(chunks: readonly Uint8Array[], bytes: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(bytes);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The bytes of `chunks` cut into parts of `partBytes` (the last one shorter), copied part by part. */
function* partsOf(
  chunks: readonly Uint8Array[],
  bytes: number,
  partBytes: number,
): Generator<Uint8Array> {
  let chunk = 0;
  let offset = 0;
  for (let start = 0; start < bytes; start += partBytes) {
    const part = new Uint8Array(Math.min(partBytes, bytes - start));
    for (let filled = 0; filled < part.byteLength;) {
      const c = chunks[chunk];
      const n = Math.min(c.byteLength - offset, part.byteLength - filled);
      part.set(c.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (offset === c.byteLength) {
        chunk++;
        offset = 0;
      }
    }
    yield part;
  }
}
