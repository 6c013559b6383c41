import { head } from './prebuilt.ts';
import type { Reply } from './reply.ts';

/** A kept-alive answer's bytes: status line, headers and body in one buffer; a HEAD answer is its first `headLength` bytes. */
export interface CompleteAnswer {
  bytes: Buffer;
  headLength: number;
}

/**
 * Complete HTTP/1.1 answers (status line, headers, body) for the lean layer, written with one
 * `write`: for a body that is a ready buffer (a cached search, one of its compressed forms,
 * the limit's 503) built once per answer and per second, the `Date` header being the only
 * part that changes; other answers (errors, /health) are built per request. The answers of
 * a second are held by a WeakMap of that second only: the next second starts an empty one,
 * so an answer nobody asked for since takes no memory, and an answer evicted from the
 * response cache takes its bytes with it.
 */
export class CompleteAnswers {
  #second = -1;
  #date = '';
  #answers = new WeakMap<Buffer, CompleteAnswer>();

  /** Moves to the second `nowMs` is in (call once per batch of requests read, not per request). */
  at(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (second === this.#second) return;
    this.#second = second;
    this.#date = new Date(second * 1000).toUTCString();
    this.#answers = new WeakMap();
  }

  /** The answer to send for `reply`, on a connection kept alive. */
  of(reply: Reply): CompleteAnswer {
    const body = reply.body;
    if (typeof body === 'string') return build(reply, Buffer.from(body), this.#date);
    let answer = this.#answers.get(body);
    if (answer === undefined) {
      answer = build(reply, body, this.#date);
      this.#answers.set(body, answer);
    }
    return answer;
  }
}

function build(reply: Reply, body: Buffer, date: string): CompleteAnswer {
  const text = head(reply, body.length, date);
  const headLength = Buffer.byteLength(text, 'latin1');
  const bytes = Buffer.allocUnsafeSlow(headLength + body.length);
  bytes.write(text, 0, 'latin1');
  body.copy(bytes, headLength);
  return { bytes, headLength };
}
