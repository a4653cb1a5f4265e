import assert from "node:assert/strict";
import {
  checkPermissions,
  formatPermissions,
  mergePermissions,
  parsePermissionList,
  parsePermissionPolicy,
  permissionExcess,
  PermissionSyntaxError,
} from "./job_permissions.ts";

Deno.test("a policy reads kind=entries parts; none and unknown kinds", () => {
  assert.deepEqual(parsePermissionPolicy("read=/data,/tmp;write=/tmp;net=*;env=HOME"), {
    read: ["/data", "/tmp"],
    write: ["/tmp"],
    net: ["*"],
    env: ["HOME"],
  });
  assert.deepEqual(parsePermissionPolicy("none"), {});
  assert.throws(() => parsePermissionPolicy("disk=/x"), /not kind=entries/);
  assert.throws(() => parsePermissionPolicy("read=relative"), /absolute path/);
  assert.throws(() => parsePermissionPolicy("env=NOT-A-NAME"), PermissionSyntaxError);
});

Deno.test("the cap covers paths below its own, hosts on any port, names exactly", () => {
  const max = parsePermissionPolicy("read=/data;net=127.0.0.1,[::1];env=HOME");
  assert.equal(permissionExcess({ read: ["/data", "/data/a/b"] }, max), undefined);
  assert.deepEqual(permissionExcess({ read: ["/database"] }, max), {
    kind: "read",
    value: "/database",
  });
  assert.equal(permissionExcess({ net: ["127.0.0.1:8080", "[::1]:9"] }, max), undefined);
  assert.deepEqual(permissionExcess({ run: ["true"] }, max), { kind: "run", value: "true" });
  assert.deepEqual(permissionExcess({ read: ["*"] }, max), { kind: "read", value: "*" });
  assert.equal(permissionExcess({ net: ["a:1"] }, parsePermissionPolicy("net=*")), undefined);
  assert.deepEqual(permissionExcess({ net: ["h:2"] }, parsePermissionPolicy("net=h:1")), {
    kind: "net",
    value: "h:2",
  });
});

Deno.test("lists resolve relative paths; merge is a union; * absorbs a kind", () => {
  assert.deepEqual(
    parsePermissionList("read", "a, /b", (p) => p.startsWith("/") ? p : `/cwd/${p}`),
    ["/cwd/a", "/b"],
  );
  assert.deepEqual(mergePermissions({ read: ["/a"] }, { read: ["/a", "/b"], env: ["X"] }), {
    read: ["/a", "/b"],
    env: ["X"],
  });
  assert.deepEqual(mergePermissions({ net: ["h"] }, { net: ["*"] }), { net: ["*"] });
  assert.equal(mergePermissions(undefined, undefined), undefined);
  assert.equal(formatPermissions({ read: ["/a"], net: ["*"] }), "read=/a;net=*");
  assert.equal(formatPermissions({}), "none");
});

Deno.test("a submission's permissions are checked field by field", () => {
  assert.deepEqual(checkPermissions({ read: ["/a"] }, "p"), { read: ["/a"] });
  assert.throws(() => checkPermissions({ disk: [] }, "p"), /p\.disk is not a permission/);
  assert.throws(() => checkPermissions({ read: "/a" }, "p"), /p\.read must be an array/);
  assert.throws(() => checkPermissions({ read: [1] }, "p"), /p\.read\[0\]: must be a string/);
  assert.throws(() => checkPermissions([], "p"), /p must be an object/);
});
