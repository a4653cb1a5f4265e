// deno-lint-ignore-file
// @ts-nocheck: this job is deliberately not valid TypeScript.
import { StreamExecutionEnvironment } from "spate";
const env = StreamExecutionEnvironment.getExecutionEnvironment(;
