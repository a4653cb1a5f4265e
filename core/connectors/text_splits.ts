/**
 * Splitting text input into byte ranges, one or more per file, assigned to
 * subtasks so each reads about the same number of bytes. A split owns every
 * line that starts inside its range (Hadoop's TextInputFormat rule), so lines
 * crossing split borders are read exactly once.
 * @module
 */

/** A byte range [start, end) of one file. */
export interface TextSplit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
}

/**
 * Largest split. Split sizes depend only on the input, never on the
 * parallelism, so a checkpointed position (per split) means the same at any
 * parallelism.
 */
export const DEFAULT_SPLIT_BYTES = 4 * 1024 * 1024;
/** Smallest split: below this, opening and positioning would cost more than reading. */
export const MIN_SPLIT_BYTES = 64 * 1024;
/**
 * Splits the whole input is cut into (unless they would be smaller than
 * `MIN_SPLIT_BYTES`): enough that subtasks, each taking every P-th split in
 * order of position, move through the input (and through event time, when
 * it follows the position) together, a split's worth apart at most.
 */
export const TARGET_SPLITS = 64;

/** The split size for an input of `totalBytes` (between the minimum and the default). */
export function splitBytesFor(totalBytes: number): number {
  const even = Math.ceil(totalBytes / TARGET_SPLITS);
  return Math.min(DEFAULT_SPLIT_BYTES, Math.max(MIN_SPLIT_BYTES, even));
}

/** Every regular file at `path` (the file itself, or a directory's files, sorted). */
export function listInputFiles(path: string): { path: string; size: number }[] {
  let info: Deno.FileInfo;
  try {
    info = Deno.statSync(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`readTextFile: input path does not exist: ${path}`);
    }
    throw e;
  }
  if (info.isFile) return [{ path, size: info.size }];
  const files: { path: string; size: number }[] = [];
  const names = [...Deno.readDirSync(path)].map((e) => e.name).filter((n) => !n.startsWith("."));
  for (const name of names.sort()) files.push(...listInputFiles(`${path}/${name}`));
  return files;
}

/**
 * Every split of `files`, in order of position (file by file, start to end):
 * files of `layout` (a restored checkpoint's splits, by path) keep the
 * splits it had, so positions saved with another split size still apply.
 */
export function inputSplits(
  files: readonly { path: string; size: number }[],
  layout: ReadonlyMap<string, readonly TextSplit[]> = new Map(),
  splitBytes = splitBytesFor(files.reduce((sum, f) => sum + f.size, 0)),
): TextSplit[] {
  const splits: TextSplit[] = [];
  for (const f of files) {
    const kept = layout.get(f.path);
    if (kept !== undefined) {
      splits.push(...[...kept].sort((x, y) => x.start - y.start));
      continue;
    }
    const n = Math.max(1, Math.ceil(f.size / splitBytes));
    for (let i = 0; i < n; i++) {
      splits.push({
        path: f.path,
        start: Math.floor(f.size * i / n),
        end: Math.floor(f.size * (i + 1) / n),
      });
    }
  }
  return splits;
}

/**
 * The splits subtask `index` of `parallelism` reads: every `parallelism`-th
 * one from its index on, so all subtasks read the start of the input first
 * and progress through it side by side (static assignment: no coordinator
 * round trip per split).
 */
export function splitsForSubtask(
  splits: readonly TextSplit[],
  parallelism: number,
  index: number,
): TextSplit[] {
  return splits.filter((_, i) => i % parallelism === index);
}

/** The key of a split in checkpointed positions: `path@start-end`. */
export function splitKey(s: TextSplit): string {
  return `${s.path}@${s.start}-${s.end}`;
}

/** The splits named by checkpointed `keys` (see `splitKey`), by path. */
export function splitLayout(keys: Iterable<string>): Map<string, TextSplit[]> {
  const layout = new Map<string, TextSplit[]>();
  for (const key of keys) {
    const m = /^(.*)@(\d+)-(\d+)$/.exec(key);
    if (m === null) throw new Error(`readTextFile: malformed split in checkpoint: ${key}`);
    const split = { path: m[1], start: Number(m[2]), end: Number(m[3]) };
    const list = layout.get(split.path);
    if (list === undefined) layout.set(split.path, [split]);
    else list.push(split);
  }
  return layout;
}
