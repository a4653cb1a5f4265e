import assert from "node:assert/strict";
import {
  isAbsoluteLocation,
  locationProblem,
  parseS3Location,
  resolveLocation,
} from "./location.ts";

Deno.test("parseS3Location: bucket and key, trailing slashes dropped", () => {
  assert.deepEqual(parseS3Location("s3://spate"), { bucket: "spate", key: "" });
  assert.deepEqual(parseS3Location("s3://spate/"), { bucket: "spate", key: "" });
  assert.deepEqual(parseS3Location("s3://my.bucket-1/a/b/"), { bucket: "my.bucket-1", key: "a/b" });
});

Deno.test("parseS3Location: bad buckets and keys are refused, naming the location", () => {
  assert.throws(
    () => parseS3Location("s3://Upper/x"),
    /bad bucket name 'Upper' in 's3:\/\/Upper\/x'/,
  );
  assert.throws(() => parseS3Location("s3://ab"), /bad bucket name 'ab'/);
  assert.throws(() => parseS3Location("s3:///x"), /bad bucket name ''/);
  assert.throws(() => parseS3Location("s3://spate/a//b"), /empty, '.' or '..' path segment/);
  assert.throws(() => parseS3Location("s3://spate/a/../b"), /path segment/);
  assert.throws(() => parseS3Location("/tmp/x"), /not an S3 location/);
});

Deno.test("resolveLocation: relative paths against the directory; S3 URIs and absolute paths unchanged", () => {
  assert.equal(resolveLocation("chk", "/home/me"), "/home/me/chk");
  assert.equal(resolveLocation("./a/../chk/", "/home/me"), "/home/me/chk");
  assert.equal(resolveLocation("/data/chk", "/home/me"), "/data/chk");
  assert.equal(resolveLocation("s3://spate/chk", "/home/me"), "s3://spate/chk");
  assert.ok(isAbsoluteLocation("s3://spate/chk") && !isAbsoluteLocation("chk"));
});

Deno.test("locationProblem: what the master refuses", () => {
  assert.equal(locationProblem("/data/chk", "checkpointDir"), undefined);
  assert.equal(locationProblem("s3://spate/chk", "checkpointDir"), undefined);
  assert.match(
    locationProblem("chk", "checkpointDir")!,
    /must be an absolute path or s3:\/\/bucket\/prefix/,
  );
  assert.match(
    locationProblem("s3://A/chk", "checkpointDir")!,
    /^checkpointDir: bad bucket name 'A'/,
  );
  assert.match(locationProblem("/a\0b", "checkpointDir")!, /NUL/);
  assert.match(locationProblem("/data/../etc", "targetDirectory")!, /'\.\.' segment/);
  assert.match(locationProblem("s3://spate/a/../b", "targetDirectory")!, /'\.\.'/);
});
