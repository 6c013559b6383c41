import type http from 'node:http';
import type { Socket } from 'node:net';
import type { LoopTurn } from '../metrics/loop-turn.ts';
import { CompleteAnswers } from './complete-answers.ts';
import { parseRequestHead, type LeanRequest } from './request-head.ts';
import type { Reply } from './reply.ts';
import type { Route, RouteAnswer, RouteAnswers } from './route-answers.ts';
import { pathOf } from './routes.ts';

/** node:http's idle keep-alive timeout, which the answers' `Keep-Alive: timeout=5` announces. */
const KEEP_ALIVE_TIMEOUT_MS = 5000;
/** A head longer than this goes to node:http, whose limit (16 KiB, then 431) decides. */
const MAX_LEAN_HEAD_BYTES = 8192;
const END_OF_HEAD = Buffer.from('\r\n\r\n', 'latin1');

/**
 * The lean HTTP/1.1 path (chapter 16): the service's node:http server keeps listening,
 * limiting connections and closing gracefully, but its connections are read by this layer
 * first. A batch of bytes from a socket is cut into request heads (`\r\n\r\n`); each plain
 * GET or HEAD of a route (request-head.ts) is answered at once with one prebuilt complete
 * answer (complete-answers.ts), pipelined requests in order, through the same route answers
 * as the node layer (the limit's gate, fair refusal, metrics, codings). The first request
 * that is anything else — a head cut across two reads, an error to report, a body, another
 * path, `Connection: close`, HTTP/1.0 — hands the connection, with every byte not yet
 * answered, to node:http for good: node's own connection listener, parser and limits answer
 * it and every later request on it exactly as in chapter 14.
 */
export class LeanLayer {
  readonly #answers = new CompleteAnswers();
  readonly #sockets = new Set<Socket>();
  readonly #routes: ReadonlyMap<string, RouteAnswer>;
  #closing = false;

  /**
   * @param server the node:http server whose connections this layer reads first
   * @param nodeConnection node:http's own 'connection' listener, taken off `server`: it gets the connections handed over
   */
  constructor(
    private readonly server: http.Server,
    private readonly nodeConnection: (socket: Socket) => void,
    private readonly routeAnswers: RouteAnswers,
    private readonly turn: LoopTurn,
  ) {
    this.#routes = new Map(Object.entries(routeAnswers.routes) as [Route, RouteAnswer][]);
  }

  /** Takes `server`'s connections: node's connection listener is replaced by the lean one. */
  static install(server: http.Server, routeAnswers: RouteAnswers, turn: LoopTurn): LeanLayer {
    const [nodeConnection, ...others] = server.listeners('connection') as ((socket: Socket) => void)[];
    if (nodeConnection === undefined || others.length > 0) throw new Error(`expected node:http's one connection listener, found ${server.listenerCount('connection')}`);
    server.removeListener('connection', nodeConnection);
    const layer = new LeanLayer(server, nodeConnection, routeAnswers, turn);
    server.on('connection', (socket: Socket) => layer.adopt(socket));
    // Closing the server closes node's idle connections (closeIdleConnections); this layer's are always idle between reads.
    const closeIdle = server.closeIdleConnections.bind(server);
    server.closeIdleConnections = () => {
      closeIdle();
      layer.closeAll();
    };
    return layer;
  }

  adopt(socket: Socket): void {
    if (this.#closing) {
      this.nodeConnection.call(this.server, socket);
      return;
    }
    this.#sockets.add(socket);
    new LeanConnection(socket, this).listen();
  }

  /**
   * Closes every connection this layer holds, as node's closeIdleConnections closes its idle
   * ones: each is idle (all its requests answered), so it is closed once what was written is
   * flushed, without waiting for the client to close its side.
   */
  closeAll(): void {
    this.#closing = true;
    for (const socket of this.#sockets) socket.end(() => socket.destroy());
    this.#sockets.clear();
  }

  /** The connection's socket is no longer this layer's (closed, or handed over). */
  release(socket: Socket): void {
    this.#sockets.delete(socket);
  }

  /** The request a head asks for, with its route; null: not one this layer answers. */
  request(text: string): RoutedRequest | null {
    const request = parseRequestHead(text);
    // The path as sent: a route spelled otherwise (`/%73earch`, `/search/`) is node's 404 (pathOf cuts at '?'; the target has no '#').
    const route = request === null ? undefined : this.#routes.get(pathOf(request.target));
    return route === undefined ? null : { ...(request as LeanRequest), route };
  }

  /** Answers one request read as the `position`-th of its loop turn: the bytes to write. */
  answer(request: RoutedRequest, connection: Socket, position: number): Buffer {
    let reply: Reply;
    try {
      reply = request.route.get(request.target, connection, request.acceptEncoding, position);
    } catch (err) {
      reply = this.routeAnswers.failed(err);
    }
    const answer = this.#answers.of(reply);
    return request.head ? answer.bytes.subarray(0, answer.headLength) : answer.bytes;
  }

  /** Called once per batch of bytes read: the `Date` of the answers about to be written. */
  refreshDate(): void {
    this.#answers.at(Date.now());
  }

  /** The position of a request just read in its loop turn (see LoopTurn). */
  arrive(): number {
    return this.turn.arrive();
  }

  /** node:http takes `socket` and reads `rest` first: every later request on it is node's. */
  handOver(socket: Socket, rest: Buffer): void {
    this.#sockets.delete(socket);
    this.nodeConnection.call(this.server, socket);
    socket.unshift(rest);
  }
}

/** A request this layer answers: its head parsed, its route resolved. */
interface RoutedRequest extends LeanRequest {
  route: RouteAnswer;
}

/**
 * One connection while the lean layer reads it. A client sends the same head again and again
 * (the same search, the same headers): the last head's text and its parse are kept, and a
 * head equal to it (one string comparison) is not parsed again.
 */
class LeanConnection {
  #lastHead = '';
  #lastRequest: RoutedRequest | null = null;

  constructor(
    private readonly socket: Socket,
    private readonly layer: LeanLayer,
  ) {}

  listen(): void {
    this.socket.on('data', this.#onData).on('end', this.#onEnd).on('timeout', this.#onTimeout).on('error', this.#onError).on('close', this.#onClose);
    this.socket.setTimeout(KEEP_ALIVE_TIMEOUT_MS);
  }

  readonly #onData = (chunk: Buffer): void => this.#read(chunk);
  readonly #onEnd = (): void => void this.socket.end(); // the client is done; nothing of ours is pending (answers are written as read)
  readonly #onTimeout = (): void => void this.socket.destroy();
  readonly #onError = (): void => void this.socket.destroy();
  readonly #onClose = (): void => this.layer.release(this.socket);

  #read(chunk: Buffer): void {
    const socket = this.socket;
    this.layer.refreshDate();
    let offset = 0;
    let written = 0;
    while (offset < chunk.length) {
      const end = chunk.indexOf(END_OF_HEAD, offset);
      const request = end === -1 || end - offset > MAX_LEAN_HEAD_BYTES ? null : this.#request(chunk.toString('latin1', offset, end + 2));
      if (request === null) {
        if (written > 1) socket.uncork();
        this.#handOver(chunk.subarray(offset));
        return;
      }
      offset = end + 4;
      const bytes = this.layer.answer(request, socket, this.layer.arrive());
      // Pipelined answers of one read leave in one writev: cork before the second write.
      if (written === 1) socket.cork();
      socket.write(bytes);
      written++;
    }
    if (written > 1) socket.uncork();
    // A client that sends requests faster than it reads the answers is read no further until they drain (as node:http does).
    if (socket.writableNeedDrain) {
      socket.pause();
      socket.once('drain', () => socket.resume());
    }
  }

  #request(text: string): RoutedRequest | null {
    if (text === this.#lastHead) return this.#lastRequest;
    const request = this.layer.request(text);
    if (request !== null) {
      this.#lastHead = text;
      this.#lastRequest = request;
    }
    return request;
  }

  #handOver(rest: Buffer): void {
    this.socket.off('data', this.#onData).off('end', this.#onEnd).off('timeout', this.#onTimeout).off('error', this.#onError).off('close', this.#onClose);
    this.socket.setTimeout(0);
    this.layer.handOver(this.socket, rest);
  }
}
