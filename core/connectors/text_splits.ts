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
 * Largest split. Splits do not depend on the parallelism, so a checkpointed
 * position (per split) means the same at any parallelism.
 */
export const DEFAULT_SPLIT_BYTES = 4 * 1024 * 1024;

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

/** The splits subtask `index` of `parallelism` reads. */
export function splitsForSubtask(
  files: { path: string; size: number }[],
  parallelism: number,
  index: number,
  splitBytes = DEFAULT_SPLIT_BYTES,
): TextSplit[] {
  const load = new Array(parallelism).fill(0);
  const mine: TextSplit[] = [];
  for (const f of files) {
    const n = Math.max(1, Math.ceil(f.size / splitBytes));
    for (let i = 0; i < n; i++) {
      const start = Math.floor(f.size * i / n), end = Math.floor(f.size * (i + 1) / n);
      // Greedy, deterministic: the least loaded subtask (lowest index on ties).
      let owner = 0;
      for (let s = 1; s < parallelism; s++) if (load[s] < load[owner]) owner = s;
      load[owner] += end - start;
      if (owner === index) mine.push({ path: f.path, start, end });
    }
  }
  return mine;
}
