/**
 * The request heads the lean layer answers itself, parsed from their bytes (pure). Only the
 * plainest request is taken: `GET` or `HEAD`, an origin-form target of RFC 3986 characters,
 * `HTTP/1.1`, a `Host`, header lines of visible ASCII, no body (`Content-Length`,
 * `Transfer-Encoding`), no `Expect`, no `Upgrade`, and a `Connection` that is absent or
 * `keep-alive`. Anything else is `null`: the connection goes to node:http, whose parser
 * (llhttp) and server enforce every other rule (400, 405, 417, 431, 408, HTTP/1.0, bodies,
 * closing). Being stricter than llhttp is safe here; being looser would not be, so every
 * pattern below accepts a subset of what llhttp accepts.
 */
export interface LeanRequest {
  head: boolean;
  /** The raw request target, as sent (never decoded). */
  target: string;
  /** The first Accept-Encoding header's value, as node:http's `rawHeaders` would give it. */
  acceptEncoding: string | undefined;
}

/** Request line: method, origin-form target (unreserved, sub-delims, ':', '@', '/', '?', '%'), version. */
const REQUEST_LINE = /^(GET|HEAD) (\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*) HTTP\/1\.1\r\n/;
/** One header line: a token, a colon, a value of visible ASCII, spaces and tabs (trimmed, as llhttp does). */
const HEADER_LINE = /([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[\t ]*((?:[\t ]*[!-~])*)[\t ]*\r\n/y;

/**
 * Parses `text`, a request's head from its first byte up to and including the CRLF that ends
 * its last header line (the empty line that follows it excluded), read as latin1.
 */
export function parseRequestHead(text: string): LeanRequest | null {
  const line = REQUEST_LINE.exec(text);
  if (line === null) return null;
  let acceptEncoding: string | undefined;
  let host = false;
  let at = line[0].length;
  while (at < text.length) {
    HEADER_LINE.lastIndex = at;
    const header = HEADER_LINE.exec(text);
    if (header === null) return null;
    at = HEADER_LINE.lastIndex;
    const name = header[1];
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') host = true;
        break;
      case 10:
        if (name.toLowerCase() === 'connection' && header[2].toLowerCase() !== 'keep-alive') return null;
        break;
      case 15:
        if (acceptEncoding === undefined && name.toLowerCase() === 'accept-encoding') acceptEncoding = header[2];
        break;
      case 6: // expect
      case 7: // upgrade
      case 14: // content-length
      case 17: // transfer-encoding
        if (BODY_OR_PROTOCOL.has(name.toLowerCase())) return null;
        break;
    }
  }
  if (!host) return null;
  return { head: line[1] === 'HEAD', target: line[2], acceptEncoding };
}

/** Headers that bring a body, an expectation or a protocol switch: node:http's to handle. */
const BODY_OR_PROTOCOL: ReadonlySet<string> = new Set(['expect', 'upgrade', 'content-length', 'transfer-encoding']);
