// A real server for the open-loop tests: answers 200 after a fixed delay, at most `limit`
// requests at once; beyond that it answers 503 at once (an application in-flight limit).
import http from 'node:http';

export interface LimitServer { url: string; served(): number; rejected(): number; maxInFlight(): number; close(): Promise<void> }

export async function startLimitServer(options: { delayMs: number; limit: number }): Promise<LimitServer> {
  let inFlight = 0;
  let maxInFlight = 0;
  let served = 0;
  let rejected = 0;
  const server = http.createServer((_request, response) => {
    if (inFlight >= options.limit) {
      rejected += 1;
      response.writeHead(503, { 'content-length': '0' });
      response.end();
      return;
    }
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    setTimeout(() => {
      inFlight -= 1;
      served += 1;
      response.end('ok\n');
    }, options.delayMs);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    served: () => served,
    rejected: () => rejected,
    maxInFlight: () => maxInFlight,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
