/**
 * spate's version, defined once: `spate --version` prints it and the master's
 * REST overview reports it.
 *
 * @example
 * ```ts
 * import { SPATE_VERSION } from "./version.ts";
 * SPATE_VERSION; // "0.1.0"
 * ```
 * @module
 */

/** The version of this spate (semver). */
export const SPATE_VERSION = "0.1.0";
