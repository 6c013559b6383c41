import type http from 'node:http';
import type { Socket } from 'node:net';
import type { LoopTurn } from '../metrics/loop-turn.ts';
import { CompleteAnswers } from './complete-answers.ts';
import { parseRequestHead } from './request-head.ts';
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
    const onData = (chunk: Buffer): void => this.#read(socket, chunk, detach);
    const onEnd = (): void => void socket.end(); // the client is done; nothing of ours is pending (answers are written as read)
    const onTimeout = (): void => void socket.destroy();
    const onError = (): void => void socket.destroy();
    const onClose = (): void => void this.#sockets.delete(socket);
    const detach = (): void => {
      socket.off('data', onData).off('end', onEnd).off('timeout', onTimeout).off('error', onError).off('close', onClose);
      socket.setTimeout(0);
      this.#sockets.delete(socket);
    };
    socket.on('data', onData).on('end', onEnd).on('timeout', onTimeout).on('error', onError).on('close', onClose);
    socket.setTimeout(KEEP_ALIVE_TIMEOUT_MS);
  }

  /** Ends every connection this layer holds: each is idle (all its requests answered), so it only flushes what was written. */
  closeAll(): void {
    this.#closing = true;
    for (const socket of this.#sockets) socket.end();
    this.#sockets.clear();
  }

  #read(socket: Socket, chunk: Buffer, detach: () => void): void {
    this.#answers.at(Date.now());
    let offset = 0;
    let written = 0;
    while (offset < chunk.length) {
      const end = chunk.indexOf(END_OF_HEAD, offset);
      const request = end === -1 || end - offset > MAX_LEAN_HEAD_BYTES ? null : parseRequestHead(chunk.toString('latin1', offset, end + 2));
      // The path as sent: a route spelled otherwise (`/%73earch`, `/search/`) is node's 404 (pathOf cuts at '?'; the target has no '#').
      const route = request === null ? undefined : this.#routes.get(pathOf(request.target));
      if (request === null || route === undefined) {
        this.#handOver(socket, chunk.subarray(offset), written, detach);
        return;
      }
      offset = end + 4;
      const position = this.turn.arrive();
      let reply: Reply;
      try {
        reply = route.get(request.target, socket, request.acceptEncoding, position);
      } catch (err) {
        reply = this.routeAnswers.failed(err);
      }
      const answer = this.#answers.of(reply);
      // Pipelined answers of one read leave in one writev: cork before the second write.
      if (written === 1) socket.cork();
      socket.write(request.head ? answer.bytes.subarray(0, answer.headLength) : answer.bytes);
      written++;
    }
    if (written > 1) socket.uncork();
  }

  /** node:http takes the connection from the first byte not answered here. */
  #handOver(socket: Socket, rest: Buffer, written: number, detach: () => void): void {
    if (written > 1) socket.uncork();
    detach();
    this.nodeConnection.call(this.server, socket);
    socket.unshift(rest);
  }
}
