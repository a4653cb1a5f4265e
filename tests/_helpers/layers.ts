/**
 * The layer rules of ARCHITECTURE.md as code: reads the imports of source
 * files and names every file and import that breaks a rule.
 *
 * - core/ imports nothing of nodes/, cli/, bench/ (its tests may use tests/_helpers
 *   and tests/_suites);
 * - nodes/master, nodes/worker and nodes/client import only core/, nodes/rpc,
 *   nodes/protocol and themselves: master and worker never import each other;
 * - nodes/protocol imports only core/ and nodes/rpc; nodes/rpc imports no role;
 * - client/ (the SDK, which runs on Node too) imports only client/, nodes/protocol
 *   and core/ (for types);
 * - nothing outside cli/ (tests excepted) imports cli/;
 * - no import cycle between packages (test files excepted).
 * @module
 */

/** One broken rule: which file, which import, and the rule. */
export interface LayerViolation {
  readonly file: string;
  readonly import: string;
  readonly rule: string;
}

/** Every relative import of `source` (static, re-export, and literal dynamic imports). */
export function importsOf(source: string): string[] {
  const specs: string[] = [];
  const pattern =
    /(?:^|\n)\s*(?:import|export)\s(?:[^;"']*?\sfrom\s)?\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(pattern)) specs.push(m[1] ?? m[2]);
  return specs.filter((s) => s.startsWith("."));
}

/** The package of a path: `core/x`, `nodes/x` (two segments), else the first segment. */
export function packageOf(path: string): string {
  const parts = path.split("/");
  if ((parts[0] === "core" || parts[0] === "nodes") && parts.length > 2) {
    return `${parts[0]}/${parts[1]}`;
  }
  return parts.length > 1 ? parts[0] : ".";
}

function isTest(path: string): boolean {
  return path.endsWith("_test.ts") || path.startsWith("tests/");
}

function resolveImport(from: string, spec: string): string {
  return new URL(spec, `file:///${from}`).pathname.slice(1);
}

const ROLES = ["nodes/master", "nodes/worker", "nodes/client"];
const ROLE_MAY_IMPORT = ["core/", "nodes/rpc/", "nodes/protocol/"];

/** The rule that `file` importing `target` breaks, if any (cycles aside). */
function ruleBroken(file: string, target: string): string | undefined {
  const from = packageOf(file);
  const to = packageOf(target);
  if (from === to) return undefined;
  if (file.startsWith("core/")) {
    if (target.startsWith("core/")) return undefined;
    if (isTest(file) && /^tests\/_(helpers|suites)\//.test(target)) return undefined;
    return "core/ imports only core/ (tests: also tests/_helpers, tests/_suites)";
  }
  if (
    file.startsWith("client/") && !isTest(file) && !/^(client|nodes\/protocol|core)\//.test(target)
  ) {
    return "client/ imports only client/, nodes/protocol and core/ (types): it runs on Node too";
  }
  if (target.startsWith("cli/") && !file.startsWith("cli/") && !file.startsWith("tests/")) {
    return "nothing imports cli/";
  }
  if (from === "nodes/rpc" && target.startsWith("nodes/") && !isTest(file)) {
    return "nodes/rpc imports no role (master, worker, client, protocol, minicluster)";
  }
  if (from === "nodes/protocol" && !/^(core|nodes\/rpc)\//.test(target)) {
    return "nodes/protocol imports only core/ and nodes/rpc";
  }
  if (ROLES.includes(from) && !isTest(file) && !ROLE_MAY_IMPORT.some((p) => target.startsWith(p))) {
    return `${from} imports only core/, nodes/rpc and nodes/protocol (master, worker and ` +
      `client never import each other; nodes/minicluster wires them)`;
  }
  return undefined;
}

/** Package cycles among non-test files, each as a list of `file -> import` steps. */
function packageCycles(edges: Map<string, Map<string, string>>): string[][] {
  // Tarjan's strongly connected components over the package graph.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component);
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
  return components.map((c) => {
    const members = new Set(c);
    const steps: string[] = [];
    for (const a of c) {
      for (const [b, example] of edges.get(a) ?? []) {
        if (members.has(b)) steps.push(`${a} -> ${b} (${example})`);
      }
    }
    return steps;
  });
}

/** Checks `sources` (path relative to the project root -> text) against the rules. */
export function checkLayers(sources: Map<string, string>): LayerViolation[] {
  const violations: LayerViolation[] = [];
  const edges = new Map<string, Map<string, string>>();
  for (const [file, text] of sources) {
    for (const spec of importsOf(text)) {
      const target = resolveImport(file, spec);
      const rule = ruleBroken(file, target);
      if (rule !== undefined) violations.push({ file, import: spec, rule });
      const a = packageOf(file), b = packageOf(target);
      if (a === b || isTest(file) || isTest(target)) continue;
      if (!edges.has(a)) edges.set(a, new Map());
      if (!edges.get(a)!.has(b)) edges.get(a)!.set(b, `${file} imports ${spec}`);
    }
  }
  for (const cycle of packageCycles(edges)) {
    violations.push({
      file: cycle[0],
      import: cycle.join("; "),
      rule: "no import cycle between packages",
    });
  }
  return violations;
}

/** Reads every `.ts` file under `root` (but node_modules, dist, .spate, .git). */
export async function readSources(root: string): Promise<Map<string, string>> {
  const sources = new Map<string, string>();
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(`${root}/${dir}`)) {
      const path = dir === "" ? e.name : `${dir}/${e.name}`;
      if (e.isDirectory && !["node_modules", "dist", ".spate", ".git"].includes(e.name)) {
        await walk(path);
      } else if (e.isFile && e.name.endsWith(".ts")) {
        sources.set(path, await Deno.readTextFile(`${root}/${path}`));
      }
    }
  };
  await walk("");
  return sources;
}

/** One line per violation, for a test failure or a CI log. */
export function formatViolations(violations: readonly LayerViolation[]): string {
  return violations.map((v) => `${v.file}: import '${v.import}': ${v.rule}`).join("\n");
}
