import assert from "node:assert/strict";
import { COMMANDS, defaultText, optionsOf } from "../core/config/options.ts";
import { commandHelp, flagLabel, USAGE } from "./usage.ts";

/** Help text with its wrapped lines joined, so a phrase reads as one line. */
function unwrapped(text: string): string {
  return text.replace(/\n {20,}/g, " ");
}

Deno.test("every command's help lists each of its registry flags with its default", () => {
  for (const command of COMMANDS) {
    const help = unwrapped(commandHelp(command));
    assert.match(help, new RegExp(`^Usage: spate ${command} `));
    for (const o of optionsOf(command)) {
      const at = help.indexOf(`${flagLabel(o)} `);
      assert.ok(at >= 0, `${command}: ${flagLabel(o)} missing`);
      const line = help.slice(at).split("\n")[0];
      assert.ok(line.includes(`[default: ${defaultText(o)}]`), `${command}: ${line}`);
    }
    assert.match(help, /-h, --help/);
  }
});

Deno.test("the overview names every command and lists the flags of run and plan", () => {
  for (const command of COMMANDS) assert.match(USAGE, new RegExp(`\\n  spate ${command} `));
  for (const o of optionsOf("run")) assert.ok(USAGE.includes(flagLabel(o)), flagLabel(o));
  assert.match(USAGE, /Usage:/);
});
