/**
 * Provider bytes → text, honouring the document's declared encoding: a byte-order mark first,
 * then `<?xml … encoding="…"?>`, UTF-8 when neither says otherwise (the XML default).
 */
export type DecodeResult = { ok: true; text: string; encoding: string } | { ok: false; error: string };

const DECLARED_ENCODING = /^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/;
/** Labels decoded as exact ISO-8859-1 (WHATWG's TextDecoder would read them as windows-1252). */
const LATIN1 = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'latin-1', 'l1', 'iso_8859-1']);

export function decodeFeed(bytes: Uint8Array): DecodeResult {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bom = byteOrderMark(buffer);
  // The declaration is ASCII in every encoding this reads without a BOM.
  const label = bom ?? DECLARED_ENCODING.exec(buffer.subarray(0, 256).toString('latin1'))?.[1]?.toLowerCase() ?? 'utf-8';
  if (LATIN1.has(label)) return { ok: true, text: buffer.toString('latin1'), encoding: 'iso-8859-1' };
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label); // strips a BOM of its own encoding
  } catch {
    return { ok: false, error: `unsupported encoding "${label.slice(0, 40)}"` };
  }
  return { ok: true, text: decoder.decode(buffer), encoding: decoder.encoding };
}

function byteOrderMark(b: Buffer): string | null {
  if (b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return 'utf-8';
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return 'utf-16le';
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return 'utf-16be';
  return null;
}
