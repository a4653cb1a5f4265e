/**
 * `spate bench <name> [options]`: the benchmarks of `bench/` (loaded only
 * when asked for; they start clusters from a source checkout).
 * @module
 */

export async function benchCommand(args: string[]): Promise<number> {
  const { runBench } = await import("../bench/main.ts");
  return await runBench(args);
}
