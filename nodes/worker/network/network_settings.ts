/**
 * A task's network limits: the worker's defaults (`DEFAULT_NETWORK_SETTINGS`)
 * with the overrides its job was submitted with. The master sends only the
 * overrides; the defaults belong to the worker that applies them.
 * @module
 */

import type { NetworkTuning } from "../../../core/graph/job_plan.ts";
import { DEFAULT_NETWORK_SETTINGS, type NetworkSettings } from "./channel.ts";

/**
 * The settings of a task whose job overrides `tuning` and flushes buffers
 * after `bufferTimeoutMs`; every limit the job leaves unset keeps its default.
 *
 * @example
 * ```ts
 * import { resolveNetworkSettings } from "./network_settings.ts";
 * const s = resolveNetworkSettings({ creditsPerChannel: 8 }, 0);
 * console.assert(s.creditsPerChannel === 8 && s.bufferTimeoutMs === 0);
 * ```
 */
export function resolveNetworkSettings(
  tuning: NetworkTuning,
  bufferTimeoutMs: number,
  defaults: NetworkSettings = DEFAULT_NETWORK_SETTINGS,
): NetworkSettings {
  return { ...defaults, ...definedOnly(tuning), bufferTimeoutMs };
}

/** The fields of `o` that are set (so absent settings keep their defaults). */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
