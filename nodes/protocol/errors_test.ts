import assert from "node:assert/strict";
import { AskTimeoutError, RemoteError } from "../rpc/actor.ts";
import {
  errorStatus,
  InvalidRequestError,
  JobConflictError,
  OperationFailedError,
  UnknownJobError,
} from "./errors.ts";

Deno.test("each error domain has its status, also after an RPC hop; anything else is internal", () => {
  class InvalidThing extends InvalidRequestError {}
  const cases: [Error, number | undefined][] = [
    [new InvalidRequestError("bad"), 400],
    [new InvalidThing("bad"), 400],
    [new UnknownJobError("no job x"), 404],
    [new JobConflictError("job x is FINISHED"), 409],
    [new RemoteError("JobConflictError", "job x is FINISHED"), 409],
    [new OperationFailedError("savepoint 3 failed"), 500],
    [new AskTimeoutError("no answer"), 503],
    [new RangeError("index out of range"), undefined],
    [new SyntaxError("bad JSON"), undefined],
    [new RemoteError("toString", "a name that is not ours"), undefined],
  ];
  for (const [error, status] of cases) assert.equal(errorStatus(error), status, error.name);
});
