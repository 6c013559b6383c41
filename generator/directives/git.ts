/**
 * @git — the chapter timeline: <!-- @git:show="branches" -->
 * Chapters from the `versions` view in chapter order, each with its tag, title,
 * short commit id, headline throughput (or "no measurement yet") and, when the
 * repository URL is known, a link to the tag's tree.
 */
import type { DirectiveContext, DirectiveDefinition } from './directive.ts';
import { DirectiveProblem } from './errors.ts';
import { escapeHtml } from './escape.ts';
import { formatNumber } from './format.ts';
import { MISSING_TEXT } from './metric.ts';

export const GIT_VIEWS = ['branches'] as const;

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

export const git: DirectiveDefinition = {
  name: 'git',
  placement: 'block',
  keys: { show: { required: true } },
  render(attributes, context) {
    const show = attributes.get('show') as string;
    if (!(GIT_VIEWS as readonly string[]).includes(show)) {
      throw new DirectiveProblem(`unknown show="${show}" (allowed: ${GIT_VIEWS.join(', ')})`);
    }
    return { html: renderTimeline(timelineEntries(context), context) };
  },
};
