/**
 * `GET /api/v1/config`: the master's effective settings, read from the
 * options registry (every option a master takes, and the settings no flag
 * exposes), each with its value and where it came from. Secrets never leave.
 * @module
 */

import { OPTIONS } from "../../../core/config/options.ts";
import type { OptionSpec } from "../../../core/config/option_spec.ts";
import type { ConfigEntry } from "../../protocol/rest.ts";

/** Settings whose value is never shown, by the name of their key. */
const SECRET_KEY = /secret|token|password|credential|accesskey/i;

/**
 * The master's settings: `given` holds the values its flags set (by registry key).
 *
 * @example
 * ```ts
 * import { masterSettings } from "./config_view.ts";
 * const port = masterSettings({ port: 9000 }).find((s) => s.key === "port");
 * console.assert(port?.value === 9000 && port.source === "flag");
 * ```
 */
export function masterSettings(given: Readonly<Record<string, unknown>>): ConfigEntry[] {
  const entries: ConfigEntry[] = [];
  for (const [key, spec] of Object.entries(OPTIONS) as [string, OptionSpec][]) {
    const commands = spec.commands as readonly string[];
    if (commands.length > 0 && !commands.includes("master")) continue;
    const set = given[key] !== undefined;
    const value = set ? given[key] : spec.default ?? spec.defaultText ?? null;
    entries.push({
      key,
      ...(spec.flag === undefined ? {} : { flag: `--${spec.flag}` }),
      value: SECRET_KEY.test(key) && value !== null ? "(hidden)" : value,
      source: set ? "flag" : "default",
    });
  }
  return entries;
}
