// Does one thing its sandbox may or may not allow, in a sink named Probe:
// --probe read|run|fetch|env --target PATH|COMMAND|URL|NAME [--expect TEXT].
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const params = ParameterTool.fromArgs(jobArgs());
const probe = params.getRequired("probe");
const target = params.getRequired("target");

async function attempt(): Promise<string> {
  switch (probe) {
    case "read":
      return `read ${Deno.readTextFileSync(target).length} chars`;
    case "run":
      return `ran: ${(await new Deno.Command(target).output()).code}`;
    case "fetch":
      return `fetched: ${(await fetch(target)).status}`;
    case "env":
      return `env: ${Deno.env.get(target)}`;
    default:
      throw new Error(`unknown probe ${probe}`);
  }
}

const env = StreamExecutionEnvironment.getExecutionEnvironment();
// The attempt runs in the sink's open(), which may be async (fetch); `--expect TEXT` fails
// the job unless what it got contains TEXT.
const expect = params.get("expect", "");
env.fromElements(1).addSink({
  async open() {
    const got = await attempt();
    if (!got.includes(expect)) throw new Error(`probe got '${got}', expected '${expect}'`);
  },
  invoke() {},
}).name("Probe");
await env.execute("sandbox probe");
