import { fileSystemContract } from "../../tests/_suites/file_system_contract.ts";
import { LocalFileSystem } from "./local_file_system.ts";

Deno.test("LocalFileSystem honours the file system contract", async (t) => {
  const top = await Deno.makeTempDir({ prefix: "spate-fs-" });
  const fs = new LocalFileSystem();
  let n = 0;
  try {
    await fileSystemContract(t, () => Promise.resolve({ fs, root: `${top}/${n++}` }));
  } finally {
    await Deno.remove(top, { recursive: true });
  }
});
