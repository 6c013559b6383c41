/**
 * Where a measured number comes from, shown without JavaScript: a `title` (session,
 * date, tool and version, machine, runs, confidence interval) and, when the build writes
 * the measurements appendix, a link to the session's entry there.
 */
import type { DirectiveContext } from './directive.ts';
import { escapeHtml } from './escape.ts';
import { formatNumber } from './format.ts';

export interface SessionSource {
  id: number;
  startedAt: string;
  tool: string;
  toolVersion: string;
  machine: string;
}

/** What a figure adds to its session: how many runs, and the interval of the median. */
export interface FigureSource {
  sessionId: number;
  runs?: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  /** Unit of the interval, e.g. "req/s". */
  unit?: string;
}

/** Every session with its machine, read once per page. */
export function sessionsOf(context: DirectiveContext): Map<number, SessionSource> {
  let sessions = context.cache.get('sessions') as Map<number, SessionSource> | undefined;
  if (!sessions) {
    const result = context.queries.run(
      `SELECT s.id, s.started_at, s.tool, s.tool_version, m.cpu_model, m.cores
         FROM sessions s LEFT JOIN machines m ON m.fingerprint = s.machine_fingerprint`,
    );
    sessions = new Map(
      result.rows.map(([id, startedAt, tool, toolVersion, cpu, cores]) => [
        Number(id),
        {
          id: Number(id),
          startedAt: String(startedAt),
          tool: String(tool),
          toolVersion: String(toolVersion),
          machine: cpu === null ? 'an unrecorded machine' : `${String(cpu)} (${Number(cores)} ${Number(cores) === 1 ? 'core' : 'cores'})`,
        },
      ]),
    );
    context.cache.set('sessions', sessions);
  }
  return sessions;
}

/** One line a reader sees on hover (pure). */
export function describeSource(session: SessionSource, figure: FigureSource): string {
  const parts = [`Session ${session.id}, ${session.startedAt.slice(0, 10)}`, `${session.tool} ${session.toolVersion}`, session.machine];
  if (typeof figure.runs === 'number') parts.push(`median of ${figure.runs} ${figure.runs === 1 ? 'run' : 'runs'}`);
  if (typeof figure.ciLow === 'number' && typeof figure.ciHigh === 'number') {
    parts.push(`95% CI ${formatNumber(figure.ciLow, 'comma')}–${formatNumber(figure.ciHigh, 'comma')}${figure.unit ? ` ${figure.unit}` : ''}`);
  }
  return parts.join('; ');
}

/** ` title="…"` for a figure of a known session; empty when the session is unknown. */
export function sourceTitle(context: DirectiveContext, figure: FigureSource): string {
  const session = sessionsOf(context).get(figure.sessionId);
  return session ? ` title="${escapeHtml(describeSource(session, figure))}"` : '';
}

/** Wraps a figure's HTML in a link to its session in the measurements appendix (when the build writes one). */
export function linkToSession(context: DirectiveContext, sessionId: number, html: string): string {
  if (!context.measurementsHref || !sessionsOf(context).has(sessionId)) return html;
  return `<a class="metric-source" href="${escapeHtml(`${context.measurementsHref}#session-${sessionId}`)}">${html}</a>`;
}
