/**
 * The JobMaster's side of watermark alignment (Flink's FLIP-182, where the
 * SourceCoordinator does it): per alignment group, the watermark each source
 * subtask last reported. A report is answered with the highest watermark the
 * reporter may reach, the lowest watermark of the group's other sources plus
 * the allowed drift (which, compared with the reporter's current watermark,
 * is "at most the drift ahead of the group's lowest");
 * a source past it pauses until a later answer lets it go on. Sources that
 * are idle or finished are left out of the lowest, so they never hold the
 * group back; a group with no active source lets everyone run.
 * @module
 */

/** What a source subtask says of its watermark in a group. */
export interface WatermarkReport {
  readonly taskId: string;
  readonly group: string;
  /** Its current watermark; absent before its first one (it then holds the group back). */
  readonly watermark?: number;
  /** Marked idle by its strategy: left out until it reports a watermark again. */
  readonly idle?: boolean;
  /** At the end of its input (or it had no split): left out for good. */
  readonly finished?: boolean;
  readonly maxDriftMs: number;
  /** The reporter's vertex and its parallelism: how many reports the group waits for. */
  readonly vertexId: number;
  readonly parallelism: number;
}

interface Group {
  /** Task -> its watermark (-Infinity before its first; undefined while idle). */
  readonly members: Map<string, number | undefined>;
  /** Tasks that finished. */
  readonly finished: Set<string>;
  /** Vertex -> its parallelism. */
  readonly vertices: Map<number, number>;
}

/** The groups of one execution attempt of a job. */
export class WatermarkAlignmentCoordinator {
  private readonly groups = new Map<string, Group>();
  private attempt = -1;

  /** Records `report` (of `attempt`) and answers the reporter's maximum watermark. */
  report(attempt: number, report: WatermarkReport): number {
    // A new attempt starts over: its tasks restored older watermarks.
    if (attempt !== this.attempt) {
      this.attempt = attempt;
      this.groups.clear();
    }
    let group = this.groups.get(report.group);
    if (group === undefined) {
      group = { members: new Map(), finished: new Set(), vertices: new Map() };
      this.groups.set(report.group, group);
    }
    const { members, finished, vertices } = group;
    vertices.set(report.vertexId, report.parallelism);
    if (report.finished === true) {
      members.delete(report.taskId);
      finished.add(report.taskId);
    } else if (!finished.has(report.taskId)) {
      members.set(report.taskId, report.idle ? undefined : report.watermark ?? -Infinity);
    }
    // A subtask that has not reported yet may be the slowest: nobody runs ahead of it.
    let expected = 0;
    for (const p of vertices.values()) expected += p;
    if (members.size + finished.size < expected) return -Infinity;
    // The others' lowest: the reporter compares its own, current watermark with the
    // answer, so its own report (up to an interval old) must not hold it back.
    let lowest = Infinity;
    for (const [taskId, w] of members) {
      if (taskId !== report.taskId && w !== undefined && w < lowest) lowest = w;
    }
    return lowest + report.maxDriftMs;
  }
}
