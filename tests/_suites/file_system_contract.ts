/**
 * The contract every FileSystem honours (local directory, S3 object store):
 * whole-file writes that readers never see half done (also for files large
 * enough to go in parts), reads with a size limit, listing one level, deleting
 * a prefix without touching its siblings (`chk-1` is not `chk-10`), moves.
 * Each case runs as a step under a fresh root the caller makes.
 * @module
 */

import assert from "node:assert/strict";
import { type FileSystem, FileTooLargeError } from "../../core/fs/file_system.ts";

/** A fresh, empty root (a directory or an `s3://bucket/prefix`) on `fs`. */
export type FileSystemFixture = () => Promise<{ fs: FileSystem; root: string }>;

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array | undefined) =>
  b === undefined ? undefined : new TextDecoder().decode(b);

/** Bytes whose every position is checkable: byte i is (i * 31 + seed) mod 251. */
function pattern(bytes: number, seed: number): Uint8Array {
  const b = new Uint8Array(bytes);
  for (let i = 0; i < bytes; i++) b[i] = (i * 31 + seed) % 251;
  return b;
}

/** What an implementation's test setting cannot show. */
export interface ContractOptions {
  /**
   * False where the server under test does not give S3's guarantee that an
   * object appears only whole: s3rver streams a PUT or a completed multipart
   * upload into its file in place, so a reader may see it grow (S3 and MinIO
   * publish an object only once complete).
   */
  readonly observableAtomicity?: boolean;
  /**
   * False where the server lists a directory only if a file lies directly in
   * it: s3rver prunes its walk below a common prefix, so `a/` of a lone
   * `a/b/c` is not listed (S3 lists it). spate lists only directories that
   * hold files (`chk-<n>/`, `savepoint-*`/), which s3rver gets right.
   */
  readonly deepCommonPrefixes?: boolean;
}

/** Runs the contract's cases as steps of `t`. */
export async function fileSystemContract(
  t: Deno.TestContext,
  fixture: FileSystemFixture,
  options: ContractOptions = {},
): Promise<void> {
  const atomic = options.observableAtomicity ?? true;
  await t.step("a write of several chunks reads back whole; stat gives its size", async () => {
    const { fs, root } = await fixture();
    const path = `${root}/a/b/state-1`;
    await fs.write(path, [enc("head|"), new Uint8Array(0), enc("body|"), enc("tail")]);
    assert.equal(dec(await fs.read(path)), "head|body|tail");
    assert.deepEqual(await fs.stat(path), { bytes: 14 });
    await fs.write(path, [enc("replaced")]);
    assert.equal(dec(await fs.read(path)), "replaced");
    await fs.write(`${root}/empty`, []);
    assert.deepEqual(await fs.read(`${root}/empty`), new Uint8Array(0));
  });

  await t.step("a missing file reads as undefined and has no stat", async () => {
    const { fs, root } = await fixture();
    assert.equal(await fs.read(`${root}/nothing`), undefined);
    assert.equal(await fs.stat(`${root}/nothing`), undefined);
    await fs.write(`${root}/dir/file`, [enc("x")]);
    assert.equal(await fs.stat(`${root}/dir`), undefined, "a directory is not a file");
  });

  await t.step("a read over maxBytes throws FileTooLargeError naming the path", async () => {
    const { fs, root } = await fixture();
    await fs.write(`${root}/big`, [pattern(1000, 1)]);
    await assert.rejects(() => fs.read(`${root}/big`, 999), (e: unknown) => {
      assert.ok(e instanceof FileTooLargeError);
      assert.match(e.message, /big has 1000 bytes, over the limit of 999/);
      return true;
    });
    assert.equal((await fs.read(`${root}/big`, 1000))?.byteLength, 1000);
  });

  const large = atomic
    ? "a large file (in parts) is never seen half written"
    : "a large file (in parts) reads back whole";
  await t.step(large, async () => {
    const { fs, root } = await fixture();
    const path = `${root}/chk-1/0-0.state`;
    const chunks = [pattern(3, 0), pattern(12 * 1024 * 1024 + 5, 1), pattern(9 * 1024 * 1024, 2)];
    const whole = chunks.reduce((n, c) => n + c.byteLength, 0);
    let done = false;
    const seen: (number | undefined)[] = [];
    const writing = fs.write(path, chunks).finally(() => done = true);
    while (!done) {
      seen.push((await fs.stat(path))?.bytes);
      await new Promise((r) => setTimeout(r, 5));
    }
    await writing;
    if (atomic) {
      assert.ok(seen.every((s) => s === undefined || s === whole), `sizes seen: ${seen}`);
    }
    const back = (await fs.read(path))!;
    assert.equal(back.byteLength, whole);
    let at = 0;
    for (const c of chunks) {
      assert.deepEqual(back.subarray(at, at + c.byteLength), c);
      at += c.byteLength;
    }
  });

  await t.step("list names the files and directories directly under a directory", async () => {
    const { fs, root } = await fixture();
    assert.deepEqual(await fs.list(`${root}/job`), []);
    for (const p of ["chk-2/_metadata", "chk-2/1-0.state", "chk-10/1-0.state", "notes"]) {
      await fs.write(`${root}/job/${p}`, [enc(p)]);
    }
    assert.deepEqual(await fs.list(`${root}/job`), [
      { name: "chk-10", isDirectory: true },
      { name: "chk-2", isDirectory: true },
      { name: "notes", isDirectory: false },
    ]);
    assert.deepEqual(await fs.list(`${root}/job/chk-2`), [
      { name: "1-0.state", isDirectory: false },
      { name: "_metadata", isDirectory: false },
    ]);
    if (options.deepCommonPrefixes ?? true) {
      assert.deepEqual(await fs.list(root), [{ name: "job", isDirectory: true }]);
    }
  });

  await t.step(
    "delete removes a directory and all under it, not a sibling sharing its prefix",
    async () => {
      const { fs, root } = await fixture();
      for (const p of ["chk-1/_metadata", "chk-1/deep/x", "chk-10/_metadata", "chk-1.txt"]) {
        await fs.write(`${root}/${p}`, [enc(p)]);
      }
      await fs.delete(`${root}/chk-1`);
      assert.deepEqual((await fs.list(root)).map((e) => e.name), ["chk-1.txt", "chk-10"]);
      assert.equal(dec(await fs.read(`${root}/chk-10/_metadata`)), "chk-10/_metadata");
      await fs.delete(`${root}/chk-1.txt`);
      await fs.delete(`${root}/never-there`);
      assert.deepEqual((await fs.list(root)).map((e) => e.name), ["chk-10"]);
    },
  );

  await t.step("move puts the file at its new path and removes the old one", async () => {
    const { fs, root } = await fixture();
    await fs.write(`${root}/chk-3/2-1.state`, [pattern(5000, 3)]);
    await fs.move(`${root}/chk-3/2-1.state`, `${root}/savepoint-ab12/2-1.state`);
    assert.equal(await fs.stat(`${root}/chk-3/2-1.state`), undefined);
    assert.deepEqual(await fs.read(`${root}/savepoint-ab12/2-1.state`), pattern(5000, 3));
  });
}
