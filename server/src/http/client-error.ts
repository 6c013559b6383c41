import type { Socket } from 'node:net';
import { JSON_TYPE, errorReply } from './reply.ts';

/**
 * Protocol-level errors (the request never became a request: headers too large, a malformed
 * request line) still get the JSON error shape, then the connection is closed. The message
 * names the problem, never the offending bytes.
 */
export function clientErrorResponse(err: Error & { code?: string }): string {
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const reply = tooLarge
    ? errorReply(431, 'headers_too_large', 'request line and headers exceed the server limit')
    : errorReply(400, 'bad_request', `malformed HTTP request (${err.code ?? 'parse error'})`);
  const body = reply.body as string;
  const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
  return (
    `HTTP/1.1 ${reply.status} ${reason}\r\n` +
    `Content-Type: ${JSON_TYPE}\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
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
