/**
 * Baseline server for `deno task bench shuffle` and `tls`: answers a POST by
 * streaming `?mb=N` MiB back in 32 KiB chunks over HTTP/2, cleartext by
 * `Deno.serve`, or given a certificate and key over TLS on spate's TLS server.
 * Usage: deno run -A bench/raw_h2c_server.ts PORT [CERT_FILE KEY_FILE]
 * @module
 */

import { listenHttp } from "../nodes/rpc/tls/http_listener.ts";

const [port, certFile, keyFile] = Deno.args;
const tls = certFile === undefined ? undefined : {
  cert: Deno.readTextFileSync(certFile),
  key: Deno.readTextFileSync(keyFile),
  clientAuth: false,
};
await listenHttp({ hostname: "127.0.0.1", port: Number(port), tls }, (req) => {
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
console.log("ready");
