/** Test support: a writable stream that keeps what was written, for a runner's stdout/stderr. */
import { Writable } from 'node:stream';

export function sink(): Writable & { text: string } {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      stream.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  stream.text = '';
  return stream;
}
