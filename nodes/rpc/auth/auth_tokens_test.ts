import assert from "node:assert/strict";
import { bearerToken, grants, TokenTable } from "./auth_tokens.ts";

const FILE = [
  "# tokens of the test cluster",
  "viewer-token-0123456789 viewer",
  "",
  "operator-token-0123456789   operator  # the CI",
  "admin-token-0123456789 admin",
].join("\n");

Deno.test("TokenTable: each token has its role; unknown tokens have none", () => {
  const t = TokenTable.parse(FILE, "tokens.txt");
  assert.equal(t.roleOf("viewer-token-0123456789"), "viewer");
  assert.equal(t.roleOf("operator-token-0123456789"), "operator");
  assert.equal(t.roleOf("admin-token-0123456789"), "admin");
  assert.equal(t.roleOf("admin-token-012345678"), undefined);
  assert.equal(t.roleOf(""), undefined);
});

Deno.test("TokenTable: a malformed file names the line and what is wrong", () => {
  const bad = (text: string, re: RegExp) =>
    assert.throws(() => TokenTable.parse(text, "t.txt"), re);
  bad(
    "viewer-token-0123456789 viewer\nonly-one-field-here",
    /^Error: t\.txt:2: expected 'token role'/,
  );
  bad(
    "viewer-token-0123456789 root",
    /t\.txt:1: unknown role 'root' \(roles: viewer, operator, admin\)/,
  );
  bad("short viewer", /t\.txt:1: the token has 5 characters, fewer than 16/);
  bad("viewer-token-0123456789 viewer\nviewer-token-0123456789 admin", /t\.txt:2: .*earlier line/);
  bad("# nothing\n", /t\.txt: no tokens/);
});

Deno.test("roles: admin > operator > viewer", () => {
  assert.ok(grants("admin", "operator"));
  assert.ok(grants("operator", "viewer"));
  assert.ok(!grants("viewer", "operator"));
  assert.ok(!grants("operator", "admin"));
});

Deno.test("bearerToken reads only a Bearer authorization", () => {
  assert.equal(bearerToken(new Headers({ authorization: "Bearer abc" })), "abc");
  assert.equal(bearerToken(new Headers({ authorization: "Basic abc" })), undefined);
  assert.equal(bearerToken(new Headers()), undefined);
});
