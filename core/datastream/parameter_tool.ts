/**
 * ParameterTool: reads a job's `--name value` arguments (after Flink's
 * ParameterTool), with typed getters that name the missing or malformed flag.
 * @module
 */

/**
 * Job arguments as named parameters.
 *
 * @example
 * ```ts
 * import { ParameterTool } from "./parameter_tool.ts";
 * const params = ParameterTool.fromArgs(["--input", "a.txt", "--top", "5", "--verbose"]);
 * params.get("input"); // "a.txt"
 * params.getNumber("top", 10); // 5
 * params.has("verbose"); // true
 * ```
 */
export class ParameterTool {
  private constructor(private readonly values: Map<string, string>) {}

  /** Parses `--key value`, `--key=value` and bare `--flag` (value "true"). */
  static fromArgs(args: readonly string[]): ParameterTool {
    const values = new Map<string, string>();
    for (let i = 0; i < args.length; i++) {
      const arg = args[i];
      if (!arg.startsWith("-") || arg === "-" || arg === "--") {
        throw new Error(`unexpected job argument '${arg}': expected --name value`);
      }
      const body = arg.replace(/^--?/, "");
      const eq = body.indexOf("=");
      if (eq >= 0) values.set(body.slice(0, eq), body.slice(eq + 1));
      else if (i + 1 < args.length && !args[i + 1].startsWith("--")) values.set(body, args[++i]);
      else values.set(body, "true");
    }
    return new ParameterTool(values);
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  /** The value of `--name`, else `fallback`. */
  get(name: string): string | undefined;
  get(name: string, fallback: string): string;
  get(name: string, fallback?: string): string | undefined {
    return this.values.get(name) ?? fallback;
  }

  /** The value of `--name` as a number; throws naming the flag when it is not one. */
  getNumber(name: string, fallback: number): number {
    const v = this.values.get(name);
    if (v === undefined) return fallback;
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n)) {
      throw new Error(`job argument --${name} must be a number, got '${v}'`);
    }
    return n;
  }

  /** The value of `--name`; throws naming the flag when it is missing. */
  getRequired(name: string): string {
    const v = this.values.get(name);
    if (v === undefined) throw new Error(`missing job argument --${name}`);
    return v;
  }
}
