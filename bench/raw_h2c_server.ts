/**
 * Baseline server for `deno task bench shuffle`: answers a POST by streaming
 * `?mb=N` MiB back in 32 KiB chunks over HTTP/2 cleartext.
 * Usage: deno run -A bench/raw_h2c_server.ts PORT
 * @module
 */

const port = Number(Deno.args[0]);
Deno.serve({ port, hostname: "127.0.0.1", onListen: () => console.log("ready") }, (req) => {
  const total = Number(new URL(req.url).searchParams.get("mb") ?? "256") * 1024 * 1024;
  const chunk = new Uint8Array(32 * 1024);
  let sent = 0;
  return new Response(
    new ReadableStream({
      pull(c) {
        if (sent >= total) return c.close();
        c.enqueue(chunk.slice());
        sent += chunk.length;
      },
    }),
  );
});
