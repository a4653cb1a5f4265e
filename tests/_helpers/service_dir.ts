/**
 * The start-up the test services share (etcd, mosquitto, nats-server,
 * PostgreSQL): a new temporary directory, the service started in it, and a
 * close (stop and remove the directory) on `await using` or when the start
 * fails, so no failed start leaves a process or a directory behind.
 * @module
 */

/** A test service run as a process in a directory of its own. */
export interface DirService {
  start(): Promise<void>;
  /** Stops the service and removes its directory. */
  close(): Promise<void>;
}

/** Makes `make(dir)` in a new temporary directory named `prefix...` and starts it. */
export async function startInTempDir<S extends DirService>(
  prefix: string,
  make: (dir: string) => S | Promise<S>,
): Promise<S & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix });
  let service: S & AsyncDisposable;
  try {
    service = await make(dir) as S & AsyncDisposable;
  } catch (e) {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw e;
  }
  service[Symbol.asyncDispose] = () => service.close();
  try {
    await service.start();
  } catch (e) {
    await service.close();
    throw e;
  }
  return service;
}
