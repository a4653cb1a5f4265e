// One way of reading executeAndCollect(), by --form: await, toArray or iterate.
import { jobArgs, ParameterTool, StreamExecutionEnvironment } from "spate";

const form = ParameterTool.fromArgs(jobArgs()).getRequired("form");
const env = StreamExecutionEnvironment.getExecutionEnvironment();
const collected = env.fromSequence(1, 5).map((x) => x * 10).executeAndCollect(form);

async function read(): Promise<number[]> {
  switch (form) {
    case "await":
      return await collected;
    case "toArray":
      return await collected.toArray();
    case "iterate": {
      const out: number[] = [];
      for await (const x of collected) out.push(x);
      return out;
    }
    default:
      throw new Error(`unknown form ${form}`);
  }
}
export const results: number[] = await read();
