import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Reply } from './reply.ts';

export type ContentCoding = 'br' | 'gzip';

/** Every answer that has a compressed form varies with Accept-Encoding, its identity form included (a cache must not serve one for the other). */
const VARY = { vary: 'Accept-Encoding' } as const;

/** An answer worth keeping in three forms, each a Reply built once. */
interface Forms {
  identity: Reply;
  gzip: Reply | null;
  br: Reply | null;
}

/**
 * gzip and brotli forms of answers, compressed once per answer and never on the request path:
 * an answer body seen a second time (a cache hit: the same Buffer) is handed to zlib's
 * asynchronous functions, which run in libuv's thread pool; until they are done, and for
 * bodies seen once (a cache miss, or no cache at all), the identity form is sent. A compressed
 * form that is not smaller is not used. Forms are held weakly by their body: an answer evicted
 * from the response cache takes them with it.
 */
export class EncodedAnswers {
  readonly #forms = new WeakMap<Buffer, Forms | 'seen'>();
  #lastHeader: string | undefined = undefined;
  #lastChoice: ContentCoding | null = null;

  /** The form of a 200 answer with `body` to send to a client that sent `acceptEncoding`. */
  choose(status: number, body: Buffer, acceptEncoding: string | undefined): Reply {
    const forms = this.#forms.get(body);
    if (forms === undefined || forms === 'seen') {
      if (forms === undefined) this.#forms.set(body, 'seen');
      else this.#compress(status, body);
      return { status, body, headers: VARY };
    }
    const coding = acceptEncoding === undefined ? null : this.#preferred(acceptEncoding);
    return (coding === 'br' ? forms.br : coding === 'gzip' ? forms.gzip : null) ?? forms.identity;
  }

  #preferred(header: string): ContentCoding | null {
    if (header !== this.#lastHeader) {
      this.#lastHeader = header;
      this.#lastChoice = preferredCoding(header);
    }
    return this.#lastChoice;
  }

  #compress(status: number, body: Buffer): void {
    const forms: Forms = { identity: { status, body, headers: VARY }, gzip: null, br: null };
    this.#forms.set(body, forms);
    const form = (coding: ContentCoding) => (err: Error | null, compressed: Buffer): void => {
      if (err === null && compressed.length < body.length) forms[coding] = { status, body: compressed, headers: { ...VARY, 'content-encoding': coding } };
    };
    gzip(body, { level: constants.Z_BEST_COMPRESSION }, form('gzip'));
    brotliCompress(body, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, form('br'));
  }
}

/**
 * The coding a client prefers among br and gzip (RFC 9110 §12.5.3): the highest q-value wins,
 * brotli on a tie; `q=0` refuses a coding, `*` stands for those not named; null: identity.
 */
export function preferredCoding(header: string): ContentCoding | null {
  const q: Record<string, number> = {};
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name === '') continue;
    let weight = 1;
    for (const param of params) {
      const [key, value] = param.trim().split('=');
      if (key === 'q') weight = Number(value);
    }
    q[name] = Number.isFinite(weight) ? weight : 0;
  }
  const weightOf = (coding: ContentCoding): number => q[coding] ?? q['*'] ?? 0;
  const br = weightOf('br');
  const gz = weightOf('gzip');
  if (br <= 0 && gz <= 0) return null;
  return br >= gz ? 'br' : 'gzip';
}

/** The Accept-Encoding of a request, from its raw headers (reading `req.headers` would build the whole object). */
export function acceptEncodingOf(rawHeaders: readonly string[]): string | undefined {
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (name.length === 15 && name.toLowerCase() === 'accept-encoding') return rawHeaders[i + 1];
  }
  return undefined;
}
