/**
 * The processes' log lines, through one small logger: a line has a level, the
 * component that wrote it, a message, the job it is about (if any), an
 * error's stack, and extra fields. The text format prints the lines as spate
 * always did (`[component] message`); the JSON format prints one object per
 * line (`time`, `level`, `component`, `jobId`, `message`, `stack`, fields), for
 * `jq` and log shippers. The format and the lowest level printed are set once
 * per process (`--log-format`, `--log-level`).
 * @module
 */

import { LOG_LEVELS, type LogFormat, type LogLevel } from "../config/option_spec.ts";

/** What a log line may carry besides its message. */
export interface LogFields {
  /** The job the line is about. */
  readonly jobId?: string;
  /** An error: its message ends the text line; JSON gets its stack as `stack`. */
  readonly error?: unknown;
  /** Anything else, as JSON fields (the text format leaves them out). */
  readonly [field: string]: unknown;
}

/** How the process's lines are written. */
export interface LogSettings {
  readonly format: LogFormat;
  /** Lines below this level are dropped. */
  readonly level: LogLevel;
  /** Where a finished line goes (default: stderr). */
  readonly write: (line: string) => void;
  /** The clock of the `time` field. */
  readonly now: () => Date;
}

const DEFAULT_SETTINGS: LogSettings = {
  format: "text",
  level: "info",
  write: (line) => console.error(line),
  now: () => new Date(),
};

let settings: LogSettings = DEFAULT_SETTINGS;
let threshold = LOG_LEVELS.indexOf(settings.level);

/**
 * Sets how this process logs; absent fields keep their defaults (text, info,
 * stderr). Returns the settings in force before, to restore them.
 *
 * @example
 * ```ts
 * import { configureLogging, Logger } from "./logger.ts";
 * const lines: string[] = [];
 * const before = configureLogging({ format: "json", write: (l) => lines.push(l) });
 * new Logger("master").info("listening", { port: 8081 });
 * configureLogging(before);
 * JSON.parse(lines[0]).port; // 8081
 * ```
 */
export function configureLogging(next: Partial<LogSettings>): LogSettings {
  const before = settings;
  settings = { ...DEFAULT_SETTINGS, ...next };
  threshold = LOG_LEVELS.indexOf(settings.level);
  return before;
}

/** Whether a line of `level` would be printed now (to skip building a costly message). */
export function logEnabled(level: LogLevel): boolean {
  return LOG_LEVELS.indexOf(level) >= threshold;
}

/**
 * The log of one component. Its text lines start with `prefix`
 * (default `[component] `, empty for a command's own lines).
 *
 * @example
 * ```ts
 * import { Logger } from "./logger.ts";
 * const log = new Logger("dispatcher");
 * log.warn("job store unreachable", { jobId: "a1" }); // stderr: [dispatcher] [job a1] job store unreachable
 * ```
 */
export class Logger {
  constructor(readonly component: string, readonly prefix = `[${component}] `) {}

  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }

  /** Writes one line at `level`, unless the process's level is above it. */
  log(level: LogLevel, message: string, fields: LogFields = {}): void {
    if (!logEnabled(level)) return;
    const line = settings.format === "json"
      ? jsonLine(settings.now(), level, this.component, message, fields)
      : textLine(this.prefix, message, fields);
    settings.write(line);
  }
}

/** The text line: as spate always printed it (an error adds its stack, or its message). */
export function textLine(prefix: string, message: string, fields: LogFields): string {
  const job = fields.jobId === undefined ? "" : `[job ${fields.jobId}] `;
  const error = fields.error === undefined ? "" : `: ${errorText(fields.error, true)}`;
  return `${prefix}${job}${message}${error}`;
}

/** The JSON line: fixed fields first, then the line's own; an error as `error` and `stack`. */
export function jsonLine(
  time: Date,
  level: LogLevel,
  component: string,
  message: string,
  fields: LogFields,
): string {
  const { jobId, error, ...rest } = fields;
  const line: Record<string, unknown> = { time: time.toISOString(), level, component };
  if (jobId !== undefined) line.jobId = jobId;
  line.message = error === undefined ? message : `${message}: ${errorText(error, false)}`;
  if (error instanceof Error && error.stack !== undefined) line.stack = error.stack;
  for (const [k, v] of Object.entries(rest)) if (!(k in line)) line[k] = v;
  return JSON.stringify(line, jsonSafe);
}

function errorText(error: unknown, withStack: boolean): string {
  if (error instanceof Error) return withStack ? error.stack ?? error.message : error.message;
  return String(error);
}

/** Values JSON cannot hold (a bigint) become strings rather than failing the line. */
function jsonSafe(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? String(value) : value;
}
