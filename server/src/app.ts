import express, { type NextFunction, type Request, type Response } from 'express';
import type { CatalogEntry } from './catalog.ts';
import { describeError, type Logger } from './log.ts';
import { parseSearchQuery, searchEvents } from './search.ts';

/** What the HTTP layer reads; the service swaps `entries` after each ingested poll. */
export interface SearchSource {
  /** True once data came from disk or from a first successful poll. */
  ready(): boolean;
  entries(): readonly CatalogEntry[];
  status(): Record<string, unknown>;
}

function sendError(res: Response, status: number, code: string, message: string): void {
  res.status(status).json({ error: { code, message }, data: null });
}

function rawQuery(req: Request): string {
  const q = req.originalUrl.indexOf('?');
  return q === -1 ? '' : req.originalUrl.slice(q + 1);
}

/** The HTTP layer: GET /search, GET /health, JSON errors for everything else. */
export function createApp(source: SearchSource, log: Logger): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', false); // /search reads the raw query itself, to see repeated parameters

  app.get('/search', (req, res) => {
    const query = parseSearchQuery(rawQuery(req));
    if (!query.ok) return sendError(res, 400, 'invalid_parameter', query.message);
    res.json({ data: { events: searchEvents(source.entries(), query.range) }, error: null });
  });

  app.get('/health', (_req, res) => {
    if (source.ready()) res.json({ data: { status: 'ok', ...source.status() }, error: null });
    else sendError(res, 503, 'not_ready', 'no data yet: waiting for the first successful poll');
  });

  app.all(['/search', '/health'], (req, res) => {
    res.set('Allow', 'GET, HEAD');
    sendError(res, 405, 'method_not_allowed', `${req.method} is not allowed on ${req.path}; use GET`);
  });

  app.use((req, res) => sendError(res, 404, 'not_found', `no route for ${req.method} ${req.path}`));

  // Express 5 routes thrown errors here. Client faults it detects itself (e.g. a malformed URL) keep their 4xx.
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return sendError(res, status, 'bad_request', describeError(err));
    }
    log.error('request.failed', { error: describeError(err), stack: (err as Error).stack });
    if (res.headersSent) return res.end();
    sendError(res, 500, 'internal_error', 'internal error');
  });

  return app;
}
