/** `--log-format` and `--log-level`: how a command's process logs. @module */

import { OPTIONS, type OptionValues } from "../core/config/options.ts";
import { configureLogging } from "../core/log/logger.ts";

/** Sets this process's log format and level from the flags (defaults: text, info). */
export function configureLogs(v: OptionValues): void {
  configureLogging({
    format: v.logFormat ?? OPTIONS.logFormat.default,
    level: v.logLevel ?? OPTIONS.logLevel.default,
  });
}
