import { STATUS_CODES, type ServerResponse } from 'node:http';
import { JSON_TYPE, type Reply } from './reply.ts';

/**
 * Answers whose head (status line and headers) is built once per answer and per second, not
 * per request: node:http builds and validates a head from an object of headers on every
 * writeHead. The head goes where node keeps the head it built (`res._header`), and `end(body)`
 * writes head and body with one writev. Only for a connection node keeps open (HTTP/1.1
 * keep-alive, the common case, whose head this writes as node would: `Connection:
 * keep-alive`, `Keep-Alive: timeout=5`); any other answer takes node's own path. HEAD works
 * as with writeHead: node leaves the body of a HEAD answer out.
 *
 * The `Date` header is refreshed once a second, when a request finds the second changed.
 */
export class PrebuiltAnswers {
  #second = -1;
  #date = '';
  /** Per answer body (a cached search, a constant reply): its head and the second it was built in. Weak: evicted answers go with their heads. */
  readonly #heads = new WeakMap<object, { second: number; head: string }>();

  /** Writes `reply` with a prebuilt head when its body is a Buffer and node keeps the connection; false: the caller writes it the ordinary way. */
  write(res: ServerResponse, reply: Reply): boolean {
    const body = reply.body;
    if (typeof body === 'string' || !res.shouldKeepAlive) return false;
    const second = this.#tick();
    let entry = this.#heads.get(body);
    if (entry === undefined || entry.second !== second) {
      entry = { second, head: head(reply, body.length, this.#date) };
      this.#heads.set(body, entry);
    }
    (res as unknown as { _header: string })._header = entry.head;
    res.end(body);
    return true;
  }

  /** The current second; refreshes the Date header's text when it changed. */
  #tick(): number {
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.#second) {
      this.#second = second;
      this.#date = new Date(second * 1000).toUTCString();
    }
    return this.#second;
  }
}

/** The status line and headers of a keep-alive answer, as node:http would write them. */
export function head(reply: Reply, contentLength: number, date: string): string {
  let text = `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\nContent-Type: ${JSON_TYPE}\r\nContent-Length: ${contentLength}\r\n`;
  for (const [name, value] of Object.entries(reply.headers ?? {})) text += `${name}: ${value}\r\n`;
  return `${text}Date: ${date}\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n`;
}
