/**
 * The cost client: exactly N requests, one after another on one keep-alive connection,
 * cycling through the scenario's paths. The request count of a measurement is the number
 * of answers received (status 200, body read to its end); anything else stops the
 * measurement with an error — a count of instructions over an unknown number of
 * requests would be meaningless. wrk cannot stop after an exact count, hence this client.
 */
import { Agent, request } from 'node:http';

export interface SequentialResult {
  /** Answers received with status 200 and their whole body. */
  answered: number;
  bodyBytes: number;
}

/** The server closed a kept-alive connection as the request went out on it (its keep-alive timeout): nothing was answered. */
class ClosedWhileIdle extends Error {
  constructor(cause: Error) {
    super(`the kept-alive connection was closed by the server as the request was sent (${cause.message})`, { cause });
  }
}

function getOnce(agent: Agent, url: URL, timeoutMs: number, onNewConnection: () => void): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, method: 'GET', timeout: timeoutMs }, (res) => {
      if (!req.reusedSocket) onNewConnection();
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (res.statusCode !== 200 && chunks.length < 4) chunks.push(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        if (!res.complete) reject(new Error(`GET ${url.pathname}${url.search}: the answer was cut short`));
        else if (res.statusCode !== 200) reject(new Error(`GET ${url.pathname}${url.search} answered ${res.statusCode}: ${Buffer.concat(chunks).toString('utf8', 0, 300)}`));
        else resolve(bytes);
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url.pathname}${url.search}: no answer within ${timeoutMs / 1000} s`)));
    req.on('error', (error: Error) => reject(req.reusedSocket && (error as NodeJS.ErrnoException).code === 'ECONNRESET' ? new ClosedWhileIdle(error) : error));
    req.end();
  });
}

/**
 * One keep-alive connection kept open across measured windows, so that opening and
 * closing it (whose cost would land in a window at a time the client does not control)
 * happens outside them: open before the warm-up, closed after the last dump.
 */
export class SequentialClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  private next = 0;
  /** Connections opened so far: one more inside a window means the server closed the kept-alive one, and accepting the new one landed in the window. */
  connectionsOpened = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly paths: readonly string[],
    private readonly timeoutMs = 60_000,
  ) {
    if (paths.length === 0) throw new Error('no request paths');
  }

  /**
   * Sends `count` GETs, continuing the cycle through the paths where the last call
   * stopped. Rejects on the first answer that is not a complete 200, saying which.
   */
  async send(count: number): Promise<SequentialResult> {
    if (!Number.isInteger(count) || count < 0) throw new Error(`request count must be a whole number, got ${count}`);
    let answered = 0;
    let bodyBytes = 0;
    for (let i = 0; i < count; i++) {
      const url = new URL(this.paths[this.next % this.paths.length], this.baseUrl);
      try {
        bodyBytes += await getOnce(this.agent, url, this.timeoutMs, () => this.connectionsOpened++);
      } catch (error) {
        throw new Error(`request ${i + 1} of ${count}: ${(error as Error).message}`);
      }
      this.next++;
      answered++;
    }
    return { answered, bodyBytes };
  }

  /**
   * One request for the path the next window starts with, not counted in the cycle: it opens
   * a new connection now if the server closed the kept-alive one while the counters were
   * dumped, so that accepting it does not land in the window (pure of the cycle's order).
   */
  async prime(): Promise<void> {
    const url = new URL(this.paths[this.next % this.paths.length], this.baseUrl);
    const once = () => getOnce(this.agent, url, this.timeoutMs, () => this.connectionsOpened++);
    try {
      // A server that closes an idle connection (node:http after 5 s: a garbage collection under
      // callgrind can take that long) may do so as this request goes out; nothing was answered,
      // so it is sent again on a new connection — what this request is for.
      await once().catch((error: unknown) => (error instanceof ClosedWhileIdle ? once() : Promise.reject(error)));
    } catch (error) {
      throw new Error(`the request before a window: ${(error as Error).message}`);
    }
  }

  close(): void {
    this.agent.destroy();
  }
}
