/**
 * A provider simulator on node:http: answers GET /api/events with the sample or a generated
 * feed, and misbehaves on demand (latency, 503, truncated XML, hanging, oversize bodies).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bulkDocuments, type BulkFeedOptions } from './bulk.ts';
import { defaultGeneratedFeedOptions, generatedAnswer, sampleAnswers, type GeneratedFeedOptions, type NamingVariant } from './feed.ts';
import { intBetween, rngFor } from './prng.ts';

export interface Faults {
  /** Delay before answering: fixed ms, or a [min, max] range drawn per request. */
  latencyMs?: number | [number, number];
  /** Probability (0..1; 1 = always) of answering 503 with an empty body. */
  failRate?: number;
  /** Probability of answering 200 with the document cut in half. */
  truncateRate?: number;
  /** Probability of never answering (the connection stays open until close()). */
  hangRate?: number;
  /** When set, answers are padded (with an XML comment, sent chunked) to at least this many bytes. */
  oversizeBytes?: number;
}

export interface SimulatorOptions extends Partial<Omit<GeneratedFeedOptions, 'variant'>> {
  mode?: 'samples' | 'generated';
  variant?: NamingVariant;
  host?: string;
  /** 0 (default) = an ephemeral port. */
  port?: number;
  faults?: Faults;
  /** Generated mode only: serve the large documents of bulk.ts (built once, at start) instead of the generated answers. */
  bulk?: BulkFeedOptions;
}

export interface Simulator {
  url: string;
  close(): Promise<void>;
  /** Replaces the active faults ({} = behave). */
  setFaults(faults: Faults): void;
  /** Feed requests received so far (every GET /api/events, whatever happened to it). */
  requests(): number;
  /** Complete, well-formed 200 answers sent; the feed advances only on those. */
  answers(): number;
  /** Feed requests currently open (e.g. hanging or delayed). */
  inFlight(): number;
  /** The most feed requests ever open at the same time. */
  maxInFlight(): number;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const mode = options.mode ?? 'samples';
  const variant = options.variant ?? 'current';
  const feedOptions: GeneratedFeedOptions = {
    ...defaultGeneratedFeedOptions,
    ...Object.fromEntries(Object.entries(options).filter(([k, v]) => k in defaultGeneratedFeedOptions && v !== undefined)),
    variant,
  };
  if (options.bulk && mode !== 'generated') throw new Error('simulator: a bulk feed needs mode "generated"');
  const samples = mode === 'samples' ? sampleAnswers(variant).map((xml) => Buffer.from(xml)) : [];
  const bulk = options.bulk ? bulkDocuments(feedOptions, options.bulk) : [];
  const documentFor = (answer: number): Buffer => {
    if (mode === 'samples') return samples[Math.min(answer, samples.length - 1)];
    return bulk.length > 0 ? bulk[answer % bulk.length] : Buffer.from(generatedAnswer(feedOptions, answer));
  };

  let faults: Faults = options.faults ?? {};
  const faultRandom = rngFor(feedOptions.seed, 0x5eed, 0xfa17);
  let requestCount = 0;
  let answerCount = 0;
  let open = 0;
  let maxOpen = 0;

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/api/events') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    requestCount++;
    open++;
    maxOpen = Math.max(maxOpen, open);
    let counted = true;
    const done = (): void => {
      if (counted) open--;
      counted = false;
    };
    res.on('close', done);

    const f = faults; // decisions use the faults active when the request arrived
    const roll = (p: number | undefined): boolean => p !== undefined && p > 0 && faultRandom() < p;
    if (roll(f.hangRate)) return; // never answer
    const latency = typeof f.latencyMs === 'number' ? f.latencyMs : f.latencyMs ? intBetween(faultRandom, f.latencyMs[0], f.latencyMs[1]) : 0;
    const fail = roll(f.failRate);
    const truncate = !fail && roll(f.truncateRate);
    const answer = (): void => {
      if (res.destroyed) return;
      if (fail) {
        res.writeHead(503, { 'content-length': '0' }).end();
        return;
      }
      const body = documentFor(answerCount);
      if (truncate) {
        const cut = body.subarray(0, Math.floor(body.length / 2));
        res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': String(cut.length) }).end(cut);
        return;
      }
      if (f.oversizeBytes !== undefined) {
        sendPadded(res, body, f.oversizeBytes);
        return;
      }
      answerCount++;
      res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8', 'content-length': String(body.length) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (latency > 0) {
      const timer = setTimeout(answer, latency);
      res.on('close', () => clearTimeout(timer));
    } else answer();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;

  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // hanging requests included
      }),
    setFaults: (next) => {
      faults = { ...next };
    },
    requests: () => requestCount,
    answers: () => answerCount,
    inFlight: () => open,
    maxInFlight: () => maxOpen,
  };
}

/** A valid document followed by a comment padding it to `totalBytes`, streamed with backpressure. */
function sendPadded(res: http.ServerResponse, xml: Buffer, totalBytes: number): void {
  res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }); // chunked: no declared length
  res.write(xml);
  res.write('<!--');
  let remaining = Math.max(0, totalBytes - xml.length - 7);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const pump = (): void => {
    while (remaining > 0 && !res.destroyed) {
      const piece = remaining >= chunk.length ? chunk : chunk.subarray(0, remaining);
      remaining -= piece.length;
      if (!res.write(piece)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end('-->');
  };
  pump();
}
