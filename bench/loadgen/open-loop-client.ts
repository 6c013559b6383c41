// The sending side of the open-loop generator: a fixed set of keep-alive connections (one
// undici Client each) and a FIFO of offered requests waiting for a free one. Requests wait
// here, not in undici's pool queue, so a send costs O(1) however deep the backlog gets, and a
// request that waited past its timeout fails without being sent.
import { Client, type Dispatcher } from 'undici';
import { outcomeOfStatus, type Outcome } from './open-loop-tally.ts';

interface Waiting { intendedMs: number; path: string }

export interface OpenLoopClientOptions {
  origin: string;
  connections: number;
  timeoutMs: number;
  clock: () => number;                                   // ms since the run's start
  onEnd: (intendedMs: number, outcome: Outcome) => void; // every offered request ends here exactly once
}

export class OpenLoopClient {
  private readonly clients: Client[];
  private readonly free: Client[];
  private waiting: Waiting[] = [];
  private head = 0;

  constructor(private readonly options: OpenLoopClientOptions) {
    this.clients = Array.from({ length: options.connections }, () => new Client(options.origin, {
      pipelining: 1, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs,
    }));
    this.free = [...this.clients];
  }

  /** Requests offered and still waiting for a connection. */
  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Sends now on a free connection, or queues behind the others (the wait counts as latency). */
  offer(intendedMs: number, path: string): void {
    const client = this.free.pop();
    if (client) this.dispatch(client, { intendedMs, path });
    else this.waiting.push({ intendedMs, path });
  }

  /**
   * Before the clock starts: one GET on each of the first `count` connections, not counted. It
   * opens those sockets and loads undici's parser, costs that otherwise land in the first
   * second and make the generator late there. Any answer (or error) will do.
   */
  async warmUp(path: string, count: number): Promise<void> {
    await Promise.all(this.clients.slice(0, count).map((client) => new Promise<void>((resolve) => {
      client.dispatch({ method: 'GET', path }, {
        onConnect: () => {}, onHeaders: () => true, onData: () => true, onComplete: () => resolve(), onError: () => resolve(),
      });
    })));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.clients.map((client) => client.destroy()));
  }

  private dispatch(client: Client, request: Waiting): void {
    let status = 0;
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => {},
      onHeaders: (statusCode) => { status = statusCode; return true; },
      onData: () => true,
      onComplete: () => this.finished(client, request.intendedMs, outcomeOfStatus(status)),
      // Not inside undici's error callback: after a connect error undici fails its queued
      // requests in a loop and then asserts its queue is empty, so a request dispatched from
      // here would break that (seen as an AssertionError when a bench stopped its servers mid-step).
      onError: () => queueMicrotask(() => this.finished(client, request.intendedMs, 'failed')),
    };
    client.dispatch({ method: 'GET', path: request.path }, handler);
  }

  private finished(client: Client, intendedMs: number, outcome: Outcome): void {
    this.options.onEnd(intendedMs, outcome);
    for (let next = this.nextWaiting(); next; next = this.nextWaiting()) {
      if (this.options.clock() - next.intendedMs <= this.options.timeoutMs) {
        this.dispatch(client, next);
        return;
      }
      this.options.onEnd(next.intendedMs, 'failed'); // waited past its timeout for a connection
    }
    this.free.push(client);
  }

  private nextWaiting(): Waiting | undefined {
    const next = this.waiting[this.head];
    if (next === undefined) return undefined;
    this.head += 1;
    if (this.head > 4096 && this.head * 2 > this.waiting.length) { // drop the consumed front now and then
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    return next;
  }
}
