/**
 * Framework-free answers: every route computes a Reply (status, headers, body); the HTTP layer
 * (node:http or fastify) only writes it. The JSON error shape of the spec lives here.
 */
export const JSON_TYPE = 'application/json; charset=utf-8';

export interface Reply {
  status: number;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export function jsonReply(status: number, value: unknown): Reply {
  return { status, body: JSON.stringify(value) };
}

export function errorReply(status: number, code: string, message: string, headers?: Record<string, string>): Reply {
  return { status, body: JSON.stringify({ error: { code, message }, data: null }), headers };
}
