import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Reply } from './reply.ts';

export type ContentCoding = 'br' | 'gzip';

/** Every answer that may have a compressed form varies with Accept-Encoding, its identity form included (a cache must not serve one for the other). */
const VARY = { vary: 'Accept-Encoding' } as const;

/** Picks the form of a ready 200 answer for a client's Accept-Encoding. */
export interface AnswerEncoder {
  choose(status: number, body: Buffer, acceptEncoding: string | undefined): Reply;
}

/** Which answers are compressed, when, and how hard (--compression, --compress-after, --compression-max-bytes). */
export interface CompressionSettings {
  /** on-demand (chapter 15): only what clients ask for, once asked often; second-sight (chapter 13): every answer seen twice, both codings. */
  policy: 'on-demand' | 'second-sight';
  /** on-demand: an answer is compressed into a coding at its k-th request asking for one. */
  after: number;
  /** on-demand: bytes of compressed forms held at most; a form past it is not built (the answer goes out as it is). */
  maxBytes: number;
}

/** The chapter's defaults (config.ts's flags say the same). */
export const DEFAULT_COMPRESSION: CompressionSettings = { policy: 'on-demand', after: 3, maxBytes: 16 * 1024 * 1024 };

/**
 * Levels chosen by measurement (`npm run compression-levels`, chapter 15's table): gzip gains
 * nothing on the hot answer past 7; brotli 10 is the first quality that brings it, head
 * included, past 5× smaller, at a third of quality 11's CPU. Compressed once per answer, off
 * the loop, that CPU is paid once.
 */
export const ON_DEMAND_LEVELS = { gzip: 7, br: 10 } as const;
/** Chapter 13's: the best each coding can do, whatever it costs. */
const SECOND_SIGHT_LEVELS = { gzip: constants.Z_BEST_COMPRESSION, br: constants.BROTLI_MAX_QUALITY } as const;

/** One compression in libuv's thread pool at a time: on a server pinned to one CPU the pool shares it with the loop, and a burst of new answers must not queue many. */
const MAX_PENDING = 1;

export function createAnswerEncoder(settings: CompressionSettings): AnswerEncoder {
  return settings.policy === 'second-sight' ? new SecondSightAnswers() : new OnDemandAnswers(settings.after, settings.maxBytes);
}

/** A compressed form of `body` as a reply built once (its head is then prebuilt per second, as any ready answer's). */
function compressInto(coding: ContentCoding, level: number, status: number, body: Buffer, done: (form: Reply | null) => void): void {
  const finish = (err: Error | null, compressed: Buffer): void => {
    // A compressed form that is not smaller is not used.
    done(err === null && compressed.length < body.length ? { status, body: compressed, headers: { ...VARY, 'content-encoding': coding } } : null);
  };
  if (coding === 'gzip') gzip(body, { level }, finish);
  else brotliCompress(body, { params: { [constants.BROTLI_PARAM_QUALITY]: level, [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }, finish);
}

/** What is known of one answer body: requests that asked for a coding, and its forms (null: not built, 'pending': in the thread pool, 'none': not smaller). */
interface Asked {
  identity: Reply;
  asked: number;
  gzip: Reply | null | 'pending' | 'none';
  br: Reply | null | 'pending' | 'none';
}

/**
 * Chapter 15: compression that pays. A client that asks for no coding costs nothing: its
 * answer is the identity form, and no count, map or compression is touched. For the others,
 * each answer body counts the requests that asked for a coding; at the `after`-th, the coding
 * that request prefers is compressed once, in libuv's thread pool (never on the event loop),
 * one compression at a time, at levels chosen by measurement, and only while the forms held
 * stay within `maxBytes`. Until a form is ready the identity form is sent. State is held
 * weakly by the body: an answer evicted from the response cache takes its count and forms
 * with it, and their bytes return to the budget.
 */
export class OnDemandAnswers implements AnswerEncoder {
  readonly #answers = new WeakMap<Buffer, Asked>();
  readonly #collected = new FinalizationRegistry<{ bytes: number }>((held) => {
    this.#heldBytes -= held.bytes;
  });
  #heldBytes = 0;
  #pending = 0;
  #lastHeader: string | undefined = undefined;
  #lastChoice: ContentCoding | null = null;

  constructor(
    private readonly after: number,
    private readonly maxBytes: number,
  ) {}

  /** Bytes of compressed forms held now (until the collector returns those of evicted answers). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  choose(status: number, body: Buffer, acceptEncoding: string | undefined): Reply {
    const coding = acceptEncoding === undefined ? null : this.#preferred(acceptEncoding);
    if (coding === null) return { status, body, headers: VARY };
    let answer = this.#answers.get(body);
    if (answer === undefined) {
      answer = { identity: { status, body, headers: VARY }, asked: 0, gzip: null, br: null };
      this.#answers.set(body, answer);
    }
    const form = answer[coding];
    if (typeof form === 'object' && form !== null) return form;
    if (form === null && ++answer.asked >= this.after) this.#compress(answer, coding);
    return answer.identity;
  }

  #compress(answer: Asked, coding: ContentCoding): void {
    const body = answer.identity.body as Buffer;
    if (this.#pending >= MAX_PENDING || this.#heldBytes + body.length > this.maxBytes) return; // a later request asks again
    this.#pending++;
    answer[coding] = 'pending';
    const ledger = { bytes: 0 };
    compressInto(coding, ON_DEMAND_LEVELS[coding], answer.identity.status, body, (form) => {
      this.#pending--;
      answer[coding] = form ?? 'none';
      if (form === null) return;
      const size = (form.body as Buffer).length;
      this.#heldBytes += size;
      ledger.bytes = size;
      this.#collected.register(answer, ledger);
    });
  }

  #preferred(header: string): ContentCoding | null {
    if (header !== this.#lastHeader) {
      this.#lastHeader = header;
      this.#lastChoice = preferredCoding(header);
    }
    return this.#lastChoice;
  }
}

/** An answer in three forms, each a Reply built once (chapter 13). */
interface Forms {
  identity: Reply;
  gzip: Reply | null;
  br: Reply | null;
}

/**
 * Chapter 13's policy, kept as chapter 15's experiment (`--compression second-sight`): an
 * answer body seen a second time, whoever asked, is compressed into both codings at their
 * best levels in the thread pool. On the bench's mix, which sends no Accept-Encoding, that
 * was compression nobody used, landing in the requests' time.
 */
export class SecondSightAnswers implements AnswerEncoder {
  readonly #forms = new WeakMap<Buffer, Forms | 'seen'>();
  #lastHeader: string | undefined = undefined;
  #lastChoice: ContentCoding | null = null;

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
    for (const coding of ['gzip', 'br'] as const) {
      compressInto(coding, SECOND_SIGHT_LEVELS[coding], status, body, (form) => {
        forms[coding] = form;
      });
    }
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
