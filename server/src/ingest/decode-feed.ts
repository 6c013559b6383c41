/**
 * Provider bytes → text, honouring the document's declared encoding: a byte-order mark first,
 * then `<?xml … encoding="…"?>`, UTF-8 when neither says otherwise (the XML default). The text
 * comes in slices (`decodeFeedSlices`), so a 15 MB document is never one 15–30 MB string: the
 * streaming parser reads each slice and lets it go.
 */
export type DecodeResult = { ok: true; text: string; encoding: string } | { ok: false; error: string };
export type SlicedDecodeResult = { ok: true; slices: Iterable<string>; encoding: string } | { ok: false; error: string };

const DECLARED_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;
/** Labels decoded as exact ISO-8859-1 (WHATWG's TextDecoder would read them as windows-1252). */
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'iso_8859-1']);
/** Bytes decoded at a time. */
export const SLICE_BYTES = 64 * 1024;

/** The whole text at once (small documents, tests). */
export function decodeFeed(bytes: Uint8Array): DecodeResult {
  const decoded = decodeFeedSlices(bytes);
  return decoded.ok ? { ok: true, text: [...decoded.slices].join(''), encoding: decoded.encoding } : decoded;
}

/** The text in slices of about `sliceBytes` bytes each, decoded as they are read. */
export function decodeFeedSlices(bytes: Uint8Array, sliceBytes = SLICE_BYTES): SlicedDecodeResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = byteOrderMark(buffer);
  // The declaration is ASCII in every encoding this reads without a BOM.
  const label = bom ?? DECLARED_ENCODING.exec(buffer.subarray(0, 256).toString('latin1'))?.[1]?.toLowerCase() ?? 'utf-8';
  if (LATIN1.has(label)) return { ok: true, slices: latin1Slices(buffer, sliceBytes), encoding: 'iso-8859-1' };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label); // strips a BOM of its own encoding
  } catch {
    return { ok: false, error: `unsupported encoding "${label.slice(0, 40)}"` };
  }
  return { ok: true, slices: decodedSlices(buffer, decoder, sliceBytes), encoding: decoder.encoding };
}

function* latin1Slices(buffer: Buffer, sliceBytes: number): Generator<string> {
  for (let at = 0; at < buffer.length; at += sliceBytes) yield buffer.toString('latin1', at, Math.min(at + sliceBytes, buffer.length));
}

/** A multi-byte character split between two slices is completed by the decoder's stream mode. */
function* decodedSlices(buffer: Buffer, decoder: TextDecoder, sliceBytes: number): Generator<string> {
  for (let at = 0; at < buffer.length; at += sliceBytes) yield decoder.decode(buffer.subarray(at, at + sliceBytes), { stream: true });
  yield decoder.decode();
}

function byteOrderMark(b: Buffer): string | null {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}
