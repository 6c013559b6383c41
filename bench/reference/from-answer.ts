/**
 * The reference server of a session: a bare node:http server fed the exact bytes and
 * headers a chapter answers to the hot search, fetched once exactly as the load
 * generators send it (no Accept-Encoding, nothing decoded).
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { startReferenceServer, type ReferenceServer } from './reference-server.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'date']);

export interface ReferenceSource {
  body: Buffer;
  headers: Record<string, string>;
}

/** One GET as the load generators send it. */
function rawGet(url: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent: false, timeout: 10_000 }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url} within 10 s`)));
    request.on('error', reject);
  });
}

/** The answer to reproduce; an error naming the subject when it is not a 200. */
export async function fetchReferenceSource(url: string, label: string): Promise<ReferenceSource> {
  const answer = await rawGet(url);
  if (answer.status !== 200) throw new Error(`${label} answered ${answer.status} to ${url}: ${answer.body.toString('utf8', 0, 300)}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (!HOP_BY_HOP.has(name.toLowerCase()) && value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return { body: answer.body, headers };
}

/** What the session's settings record of the reference. */
export function describeReference(source: ReferenceSource, label: string): Record<string, unknown> {
  return { source: label, body_bytes: source.body.length, body_sha256: createHash('sha256').update(source.body).digest('hex'), headers: source.headers };
}

export function startReferenceFrom(source: ReferenceSource, wrap: string[]): Promise<ReferenceServer> {
  return startReferenceServer(source.body, source.headers, { wrap });
}
