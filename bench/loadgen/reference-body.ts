// The default body of the reference server when no chapter response is given (the loadgen and overload CLIs).

/** A 1 KiB JSON document (the size of a small search answer). */
export function defaultBody(): Buffer {
  const filler = 'x'.repeat(1024 - '{"events":[],"padding":""}\n'.length);
  return Buffer.from(`{"events":[],"padding":"${filler}"}\n`);
}
