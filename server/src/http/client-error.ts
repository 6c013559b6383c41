import type { IncomingMessage, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { quoteInput } from '../quote.ts';
import { ALLOWED_METHODS } from './routes.ts';
import { JSON_TYPE, errorReply, type Reply } from './reply.ts';

/**
 * Options of every node:http server of the service (both layers): a client that has not sent
 * its request line and headers within `headersTimeoutMs` is answered 408. node looks for such
 * requests on a timer; its default period (30 s) let a slow header run 60–90 s, so the timer
 * runs at a tenth of the timeout (at least every 100 ms, at most every 2 s).
 */
export function serverTimeouts(headersTimeoutMs: number): ServerOptions {
  return { headersTimeout: headersTimeoutMs, connectionsCheckingInterval: Math.min(2000, Math.max(100, headersTimeoutMs / 10)) };
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  417: 'Expectation Failed',
  431: 'Request Header Fields Too Large',
};

/** A complete HTTP/1.1 answer in the JSON error shape that closes the connection: for errors below the routes. */
export function closingAnswer(reply: Reply): string {
  const body = reply.body as string;
  let extra = '';
  for (const [name, value] of Object.entries(reply.headers ?? {})) extra += `${name}: ${value}\r\n`;
  return (
    `HTTP/1.1 ${reply.status} ${REASONS[reply.status]}\r\n` +
    `Content-Type: ${JSON_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    extra +
    'Connection: close\r\n\r\n' +
    body
  );
}

/**
 * Protocol-level errors (the request never became a request: headers too large or too slow, a
 * malformed request line) still get the JSON error shape, then the connection is closed. The
 * message names the problem, never the offending bytes.
 */
export function clientErrorReply(err: Error & { code?: string }): Reply {
  if (err.code === 'HPE_HEADER_OVERFLOW') return errorReply(431, 'headers_too_large', 'request line and headers exceed the server limit');
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return errorReply(408, 'request_timeout', 'the request line and headers did not arrive in time');
  return errorReply(400, 'bad_request', `malformed HTTP request (${err.code ?? 'parse error'})`);
}

export function clientErrorResponse(err: Error & { code?: string }): string {
  return closingAnswer(clientErrorReply(err));
}

/** The `clientError` listener of the server. */
export function onClientError(err: Error & { code?: string }, socket: Socket): void {
  // Nothing can be written on a socket that is already gone, or after a response started.
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  socket.end(clientErrorResponse(err));
}

/** CONNECT asks for a tunnel; this service is no proxy. node:http hands it over as 'connect' (else it only closes the socket). */
export function onConnect(req: IncomingMessage, socket: Socket): void {
  const reply = errorReply(405, 'method_not_allowed', `${quoteInput(req.method ?? '')} is not allowed: this service is not a proxy; use GET`, { Allow: ALLOWED_METHODS });
  if (socket.writable) socket.end(closingAnswer(reply));
  else socket.destroy();
}

/** An `Expect` other than 100-continue (node:http's 'checkExpectation'; without a listener it answers a bare 417). */
export function onCheckExpectation(req: IncomingMessage, res: ServerResponse): void {
  const reply = errorReply(417, 'expectation_failed', `cannot meet Expect: ${quoteInput(String(req.headers.expect ?? ''))}; only 100-continue is supported`);
  const body = reply.body as string;
  res.shouldKeepAlive = false;
  res.writeHead(417, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}
