/** The ports a chapter server listens on: free ones from the OS, or the one asked for, checked free (a contract with "metrics" gets a second one). */
import { createServer } from 'node:net';

/** A free TCP port on 127.0.0.1, as the OS hands it out. */
export function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

/** Rejects with a clear message when `port` on 127.0.0.1 is already taken. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(new Error(error.code === 'EADDRINUSE' ? `port ${port} on 127.0.0.1 is already in use; choose another or stop what holds it` : `port ${port} cannot be used: ${error.message}`));
    });
    server.listen(port, '127.0.0.1', () => server.close(() => resolvePromise()));
  });
}

/** The server's port (the one given, checked free, or any free one) and, for a contract with metrics, a distinct free metrics port. */
export async function choosePorts(contract: { metrics?: unknown }, port?: number): Promise<{ port: number; metricsPort: number | null }> {
  if (port !== undefined) await assertPortFree(port);
  const chosen = port ?? (await freePort());
  if (!contract.metrics) return { port: chosen, metricsPort: null };
  let metricsPort = await freePort();
  while (metricsPort === chosen) metricsPort = await freePort();
  return { port: chosen, metricsPort };
}
