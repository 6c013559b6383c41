/**
 * @git — the chapter timeline: <!-- @git:show="branches" -->
 * `show`: `branches` (the original BookGen's, and the default: its books also write a bare
 * `<!-- @git: -->`; `timeline` and `tags` draw the same) or `commits` (each chapter's
 * commit: message, author, date).
 * Chapters from the `versions` view in chapter order, each with its tag, title,
 * short commit id, headline throughput (or "no measurement yet") and, when the
 * repository URL is known, a link to the tag's tree.
 */
import type { DirectiveContext, DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { formatNumber } from './format.ts';
import { MISSING_TEXT } from './metric.ts';

export const GIT_VIEWS = ['branches', 'timeline', 'tags', 'commits'] as const;

interface TimelineEntry {
  tag: string;
  chapterNumber: number;
  title: string;
  commit: string;
  rps: number | null;
}

function timelineEntries(context: DirectiveContext): TimelineEntry[] {
  const result = context.queries.run('SELECT tag, chapter_number, title, commit_hash, baseline_rps FROM versions ORDER BY chapter_number',
  );
  return result.rows.map(([tag, chapterNumber, title, commit, rps]) => ({
    tag: String(tag),
    chapterNumber: Number(chapterNumber),
    title: String(title),
    commit: String(commit),
    rps: typeof rps === 'number' ? rps : null,
  }));
}

export function renderTimeline(entries: TimelineEntry[], context: DirectiveContext): string {
  if (entries.length === 0) throw new DirectiveProblem('the database lists no chapters (is data/chapters.json synced?)');
  const items = entries.map((entry) => {
    if (entry.rps === null && context.strict) {
      throw new DirectiveProblem(`${entry.tag} has no measurement yet (run npm run bench)`);
    }
    const tag = escapeHtml(entry.tag);
    const shortCommit = `<code class="git-commit">${escapeHtml(entry.commit.slice(0, 7))}</code>`;
    const tagHtml = context.repoUrl
      ? `<a class="git-tag" href="${escapeHtml(`${context.repoUrl}/tree/${encodeURIComponent(entry.tag)}`)}">${tag}</a>`
      : `<span class="git-tag">${tag}</span>`;
    const throughput =
      entry.rps === null
        ? `<span class="metric metric-missing" data-tag="${tag}" data-field="baseline_rps">${MISSING_TEXT}</span>`
        : `<span class="metric" data-tag="${tag}" data-field="baseline_rps">${escapeHtml(formatNumber(entry.rps, 'comma'))}</span> req/s`;
    return (
      `<li class="git-chapter" data-chapter="${entry.chapterNumber}">${tagHtml} ${shortCommit} ` +
      `<span class="git-title">${escapeHtml(entry.title)}</span> <span class="git-throughput">${throughput}</span></li>`
    );
  });
  return `<ol class="git-timeline">\n${items.join('\n')}\n</ol>`;
}

/** The chapters' commits, newest chapter last, from the `commits` view. */
function renderCommitLog(context: DirectiveContext): string {
  const result = context.queries.run(
    `SELECT c.tag, c.hash, c.message, c.author, c.created_at FROM commits c JOIN versions v ON v.tag = c.tag ORDER BY v.chapter_number`,
  );
  if (result.rows.length === 0) throw new DirectiveProblem('the database lists no chapters (is data/chapters.json synced?)');
  const items = result.rows.map(([tag, hash, message, author, createdAt]) => {
    const shortCommit = escapeHtml(String(hash).slice(0, 7));
    const commit = context.repoUrl
      ? `<a class="git-commit" href="${escapeHtml(`${context.repoUrl}/commit/${String(hash)}`)}"><code>${shortCommit}</code></a>`
      : `<code class="git-commit">${shortCommit}</code>`;
    const when = createdAt === null ? '' : ` <time class="git-date" datetime="${escapeHtml(String(createdAt))}">${escapeHtml(String(createdAt).slice(0, 10))}</time>`;
    const who = author === null ? '' : ` <span class="git-author">${escapeHtml(String(author))}</span>`;
    const text = message === null ? '<span class="metric-missing">commit details unknown</span>' : escapeHtml(String(message));
    return `<li class="git-chapter">${commit} <span class="git-tag">${escapeHtml(String(tag))}</span> <span class="git-title">${text}</span>${who}${when}</li>`;
  });
  return `<ol class="git-timeline git-commits">\n${items.join('\n')}\n</ol>`;
}

export const git: DirectiveDefinition = {
  name: 'git',
  placement: 'block',
  keys: { show: {} },
  render(attributes, context) {
    const show = attributes.get('show') ?? 'branches';
    if (!(GIT_VIEWS as readonly string[]).includes(show)) {
      throw new DirectiveProblem(`unknown show="${show}" (allowed: ${GIT_VIEWS.join(', ')})`);
    }
    if (show === 'commits') return { html: renderCommitLog(context) };
    return { html: renderTimeline(timelineEntries(context), context) };
  },
};
