/**
 * @footer — <!-- @footer:generated_at --> or <!-- @footer:style="default" -->:
 * when the page was generated, from which commit, and where its numbers come from
 * (sessions and runs in the database, the latest session's date, machine and tool).
 */
import type { DirectiveContext, DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { formatNumber } from './format.ts';

/** `default`: when, from which commit, and where the numbers come from; `minimal`: when and from which commit. */
export const FOOTER_STYLES = ['default', 'minimal'] as const;

interface Provenance {
  runs: number;
  sessions: number;
  latestStartedAt: string;
  cpuModel: string;
  cores: number;
  tool: string;
  toolVersion: string;
}

/** What the database says about its measurements; null when it holds none. */
function provenance(context: DirectiveContext): Provenance | null {
  const counts = context.queries.run(`SELECT COUNT(*), COUNT(DISTINCT session_id) FROM runs WHERE status = 'ok'`,
  ).rows[0];
  const runs = Number(counts[0]);
  if (runs === 0) return null;
  const latest = context.queries.run(`SELECT s.started_at, m.cpu_model, m.cores, s.tool, s.tool_version
       FROM sessions s JOIN machines m ON m.fingerprint = s.machine_fingerprint
      WHERE s.id IN (SELECT session_id FROM runs WHERE status = 'ok')
      ORDER BY s.started_at DESC, s.id DESC LIMIT 1`,
  ).rows[0];
  if (!latest) throw new DirectiveProblem('runs refer to a session or machine that is not in the database');
  const [latestStartedAt, cpuModel, cores, tool, toolVersion] = latest;
  return {
    runs,
    sessions: Number(counts[1]),
    latestStartedAt: String(latestStartedAt),
    cpuModel: String(cpuModel),
    cores: Number(cores),
    tool: String(tool),
    toolVersion: String(toolVersion),
  };
}

/** When and from which commit a build made its pages: filled into every page at each build. */
export interface BuildStamp {
  generatedAt: Date;
  buildCommit?: string;
  repoUrl?: string;
}

/**
 * Where the footer's "Generated … from commit …" line goes. The line changes with every
 * build while the rest of the page does not, so a rendered page keeps this placeholder
 * (and can be reused from the page cache) until `stampPage` fills it in.
 */
export const GENERATED_LINE = '<!--book:generated-line-->';

export function stampPage(html: string, stamp: BuildStamp): string {
  return html.includes(GENERATED_LINE) ? html.replaceAll(GENERATED_LINE, generatedLine(stamp)) : html;
}

function generatedLine(stamp: BuildStamp): string {
  const generated = stamp.generatedAt.toISOString();
  let built = '';
  if (stamp.buildCommit) {
    const short = escapeHtml(stamp.buildCommit.slice(0, 7));
    built = stamp.repoUrl
      ? ` from commit <a href="${escapeHtml(`${stamp.repoUrl}/commit/${stamp.buildCommit}`)}"><code>${short}</code></a>`
      : ` from commit <code>${short}</code>`;
  }
  return `<p class="book-generated">Generated <time datetime="${generated}">${generated}</time>${built}.</p>`;
}

/** `numbers` undefined: the minimal footer, without the measurements line. */
export function renderFooter(numbers: Provenance | null | undefined): string {
  if (numbers === undefined) return `<footer class="book-footer">${GENERATED_LINE}</footer>`;
  const source =
    numbers === null
      ? 'The database holds no measurements yet.'
      : `Numbers: ${formatNumber(numbers.runs, 'comma')} measured ${numbers.runs === 1 ? 'run' : 'runs'} in ` +
        `${formatNumber(numbers.sessions, 'comma')} ${numbers.sessions === 1 ? 'session' : 'sessions'}; ` +
        `latest session ${escapeHtml(numbers.latestStartedAt)} on ${escapeHtml(numbers.cpuModel)} ` +
        `(${numbers.cores} ${numbers.cores === 1 ? 'core' : 'cores'}), load from ${escapeHtml(numbers.tool)} ${escapeHtml(numbers.toolVersion)}.`;
  return (
    `<footer class="book-footer">${GENERATED_LINE}<p class="book-provenance">${source}</p></footer>`
  );
}

export const footer: DirectiveDefinition = {
  name: 'footer',
  placement: 'block',
  keys: { generated_at: { bare: true }, style: {} },
  render(attributes, context) {
    const style = attributes.get('style');
    if (style !== undefined && !(FOOTER_STYLES as readonly string[]).includes(style)) {
      throw new DirectiveProblem(`unknown style "${style}" (allowed: ${FOOTER_STYLES.join(', ')})`);
    }
    if (attributes.get('generated_at') !== undefined) {
      throw new DirectiveProblem('"generated_at" is a bare key: write @footer:generated_at without a value');
    }
    if (style === 'minimal') return { html: renderFooter(undefined) };
    return { html: renderFooter(provenance(context)) };
  },
};
