// Real local servers for the adapter tests: node:http on ephemeral 127.0.0.1 ports.
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const readFixture = (name: string): string => readFileSync(join(fixturesDir, name), 'utf8');

export interface TestServer { url: string; connections(): number; responses(): number; close(): Promise<void> }

/** `/fail` answers 500, everything else 200 with a small body; counts TCP connections and responses. */
export async function startTestServer(): Promise<TestServer> {
  let connections = 0;
  let responses = 0;
  const server = http.createServer((request, response) => {
    responses += 1;
    response.statusCode = request.url === '/fail' ? 500 : 200;
    response.end('test body\n');
  });
  server.on('connection', () => { connections += 1; });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    connections: () => connections,
    responses: () => responses,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A base URL whose port refuses connections (a server was bound there, then closed). */
export async function refusingUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
