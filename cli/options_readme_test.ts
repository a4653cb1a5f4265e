/** README's flag tables against the options registry: same flags, commands and defaults. */

import assert from "node:assert/strict";
import { defaultText, type Option, OPTION_LIST } from "../core/config/options.ts";

interface Row {
  readonly line: number;
  readonly short?: string;
  readonly flag: string;
  readonly arg?: string;
  readonly commands: string[];
  readonly default: string;
}

/** The rows of every table whose header is `| Flag | Commands | Default | ...`. */
function flagRows(markdown: string): Row[] {
  const rows: Row[] = [];
  let inTable = false;
  for (const [i, text] of markdown.split("\n").entries()) {
    const cells = text.trim().startsWith("|")
      ? text.trim().slice(1, -1).split("|").map((c) => c.trim())
      : undefined;
    if (cells === undefined) {
      inTable = false;
    } else if (cells[0] === "Flag" && cells[1] === "Commands" && cells[2] === "Default") {
      inTable = true;
    } else if (inTable && !cells[0].startsWith("---")) {
      const m = cells[0].match(/^`(?:-(\w), )?--([a-z0-9-]+)(?: (\S+))?`$/);
      assert.ok(m, `README.md:${i + 1}: cannot read the flag ${cells[0]}`);
      rows.push({
        line: i + 1,
        short: m[1],
        flag: m[2],
        arg: m[3],
        commands: cells[1].split(",").map((c) => c.trim()),
        default: cells[2].replaceAll("`", ""),
      });
    }
  }
  return rows;
}

function sameCommands(o: Option, commands: string[]): boolean {
  return o.commands.length === commands.length &&
    commands.every((c) => o.commands.includes(c as never));
}

const README = Deno.readTextFileSync(new URL("../README.md", import.meta.url));

Deno.test("each flag in README's tables is a registry option with those commands and that default", () => {
  const rows = flagRows(README);
  assert.ok(rows.length > 30, `${rows.length} rows`);
  for (const row of rows) {
    const where = `README.md:${row.line} --${row.flag}`;
    const o = OPTION_LIST.find((o) => o.flag === row.flag && sameCommands(o, row.commands));
    assert.ok(o, `${where}: no registry option with commands ${row.commands.join(", ")}`);
    assert.equal(row.short, o.short, `${where}: short flag`);
    assert.equal(row.arg, o.arg, `${where}: value name`);
    assert.equal(row.default, defaultText(o), `${where}: default`);
  }
});

Deno.test("README's tables document every flag of the registry once", () => {
  const rows = flagRows(README);
  for (const o of OPTION_LIST.filter((o) => o.flag !== undefined)) {
    const found = rows.filter((r) => r.flag === o.flag && sameCommands(o, r.commands));
    assert.equal(found.length, 1, `--${o.flag} (${o.commands.join(", ")}): ${found.length} rows`);
  }
});
