/**
 * The context a job module runs in. The same job file is imported by the client
 * (which submits it), by `spate plan` (which prints its graph) and by every slot
 * (which runs its subtasks); the context, set before the import, tells
 * `execute()` which of these it is part of (after Flink's ContextEnvironment).
 * @module
 */

import type { EnvironmentDefaults, JobExecutor, JobPlan } from "../graph/job_plan.ts";
import type { JobPermissions } from "../config/job_permissions.ts";
import { type UnreadCollects, unreadCollectsMessage } from "./collected_stream.ts";

/** Why the job module is being imported. */
export type ContextMode = "client" | "task" | "plan";

/** The context installed before a job module is imported. */
export interface JobContext {
  readonly mode: ContextMode;
  readonly args: readonly string[];
  readonly jobModuleUrl: string;
  readonly defaults: EnvironmentDefaults;
  /** The job's sandbox as the command line gives it (`spate run --allow-*`). */
  readonly permissions?: JobPermissions;
  /** Client mode: runs the plan. */
  readonly executor?: JobExecutor;
  /** Task and plan modes: receives the plan instead of running it. */
  readonly onPlan?: (plan: JobPlan) => void;
  /** Set by execute(): whether the job reached execute() at all. */
  executed?: boolean;
  /** Client mode: executeAndCollect() streams not read yet (their jobs have not run). */
  unreadCollects?: UnreadCollects;
}

const CONTEXT_KEY = Symbol.for("spate.jobContext");
const DEFAULT_EXECUTOR_KEY = Symbol.for("spate.defaultExecutor");
type Slots = { [CONTEXT_KEY]?: JobContext; [DEFAULT_EXECUTOR_KEY]?: () => JobExecutor };
const slots = globalThis as unknown as Slots;

/** Installs the context for the next job module import. */
export function setJobContext(ctx: JobContext | undefined): void {
  slots[CONTEXT_KEY] = ctx;
}

/** The installed context; a job run directly (`deno run job.ts`) gets a local one. */
export function getJobContext(): JobContext {
  let ctx = slots[CONTEXT_KEY];
  if (ctx === undefined) {
    const factory = slots[DEFAULT_EXECUTOR_KEY];
    if (factory === undefined) {
      throw new Error("no executor: import the job API from spate's mod.ts");
    }
    ctx = {
      mode: "client",
      args: Deno.args,
      jobModuleUrl: Deno.mainModule,
      defaults: {},
      executor: factory(),
    };
    slots[CONTEXT_KEY] = ctx;
    reportUnreadAtExit(ctx);
  }
  return ctx;
}

/** A job run directly (`deno run job.ts`) that left collected results unread fails with exit 2. */
function reportUnreadAtExit(ctx: JobContext): void {
  globalThis.addEventListener("unload", () => {
    if (ctx.unreadCollects === undefined || ctx.unreadCollects.size === 0) return;
    console.error(`error: ${unreadCollectsMessage(ctx.unreadCollects)}`);
    Deno.exitCode = 2;
  });
}

/** Registers the executor for jobs run without a runner (set by mod.ts). */
export function setDefaultExecutor(factory: () => JobExecutor): void {
  slots[DEFAULT_EXECUTOR_KEY] = factory;
}

/** The arguments the job was started with (the same in client and slots). */
export function jobArgs(): string[] {
  return [...getJobContext().args];
}
