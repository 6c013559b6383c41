/**
 * The gate workflow's scripts, run for real: gate-scope.sh on a temporary git repository,
 * gate-comment.sh against a stand-in `gh` that serves the pull request's comments and
 * records what would be sent to GitHub (jq is the real one, as on GitHub's runners).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const scripts = fileURLToPath(new URL('../../.github/scripts/', import.meta.url));
const gitEnv = { GIT_AUTHOR_NAME: 'T', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 'T', GIT_COMMITTER_EMAIL: 't@example.org' };
const tmp = mkdtempSync(join(tmpdir(), 'gate-scripts-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function run(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): string {
  return execFileSync('bash', [join(scripts, script), ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...gitEnv, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('gate-scope.sh', () => {
  const repo = join(tmp, 'repo');
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, ...gitEnv } }).trim();
  const commit = (file: string, text: string) => {
    mkdirSync(join(repo, file, '..'), { recursive: true });
    writeFileSync(join(repo, file), text);
    git('add', '-A');
    git('commit', '--quiet', '-m', file);
    return git('rev-parse', 'HEAD');
  };
  let n = 0;
  const scope = (base: string, head: string) => {
    const output = join(tmp, `output-${++n}`);
    const summary = join(tmp, `summary-${n}`);
    const log = run('gate-scope.sh', [base, head], repo, { GITHUB_OUTPUT: output, GITHUB_STEP_SUMMARY: summary });
    return { output: readFileSync(output, 'utf8'), log, summary: existsSync(summary) ? readFileSync(summary, 'utf8') : '' };
  };

  mkdirSync(repo);
  git('init', '--quiet', '-b', 'main');
  const base = commit('server/src/app.ts', 'v1\n');
  const docsOnly = commit('README.md', 'docs\n');
  const serverChange = commit('server/src/app.ts', 'v2\n');
  const lockChange = commit('package-lock.json', '{}\n');

  it('compares when server/ or the lockfile changed', () => {
    expect(scope(base, serverChange).output).toBe('compare=true\n');
    expect(scope(serverChange, lockChange).output).toBe('compare=true\n');
  });

  it('skips, with a notice and a summary line, when nothing that decides the speed changed', () => {
    const result = scope(base, docsOnly);
    expect(result.output).toBe('compare=false\n');
    expect(result.log).toMatch(/^::notice title=Regression gate::server\/ and the lockfile are unchanged/);
    expect(result.summary).toMatch(/^Regression gate skipped/);
  });

  it('skips with a warning when the base commit is not in the history (force push)', () => {
    const result = scope('0123456789abcdef0123456789abcdef01234567', serverChange);
    expect(result.output).toBe('compare=false\n');
    expect(result.log).toMatch(/^::warning title=Regression gate::base commit 0123456789abcdef/);
  });
});

describe('gate-comment.sh', () => {
  const bin = join(tmp, 'fake-gh');
  mkdirSync(bin);
  // `gh api …`: the GET prints $COMMENTS_JSON (pages as gh --paginate prints them); a PATCH or
  // POST appends its method, path and JSON body to $GH_LOG.
  writeFileSync(
    join(bin, 'gh'),
    `#!/bin/sh
[ "$1" = api ] || exit 9
shift
case "$1" in
  --paginate) cat "$COMMENTS_JSON" ;;
  --method) { echo "$2 $3"; cat; echo; } >>"$GH_LOG" ;;
  *) exit 9 ;;
esac
`,
  );
  chmodSync(join(bin, 'gh'), 0o755);

  const report = join(tmp, 'gate-report.md');
  writeFileSync(report, '## Regression gate: FAIL\n\n| signal | ratio |\n|---|---|\n| instructions (decided) | 1.12 |\n');

  let n = 0;
  function comment(env: { COMPARE: string; REPORT?: string }, comments: unknown[][]): { output: string; sent: { request: string; body: string }[] } {
    const id = ++n;
    const commentsJson = join(tmp, `comments-${id}.json`);
    writeFileSync(commentsJson, comments.map((page) => JSON.stringify(page)).join('\n'));
    const log = join(tmp, `gh-${id}.log`);
    const output = run('gate-comment.sh', [], tmp, {
      PATH: `${bin}:${process.env.PATH}`,
      COMMENTS_JSON: commentsJson,
      GH_LOG: log,
      REPO: 'owner/book',
      PR_NUMBER: '7',
      RUN_URL: 'https://github.com/owner/book/actions/runs/1',
      BASE_SHA: 'a'.repeat(40),
      HEAD_SHA: 'b'.repeat(40),
      REPORT: '',
      ...env,
    });
    const sent = existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .reduce<{ request: string; body: string }[]>((all, line, i, lines) => (i % 2 === 0 ? [...all, { request: line, body: JSON.parse(lines[i + 1]).body }] : all), [])
      : [];
    return { output, sent };
  }

  const bot = (id: number, body: string) => ({ id, user: { login: 'github-actions[bot]' }, body });
  const person = (id: number, body: string) => ({ id, user: { login: 'reviewer' }, body });

  it('posts the report, marked, when the pull request has no gate comment yet', () => {
    const { output, sent } = comment({ COMPARE: 'true', REPORT: report }, [[person(1, 'looks good')]]);
    expect(output).toBe('commented the gate\'s verdict on #7\n');
    expect(sent).toHaveLength(1);
    expect(sent[0].request).toBe('POST repos/owner/book/issues/7/comments');
    expect(sent[0].body.startsWith('<!-- perf-gate -->\n## Regression gate: FAIL\n')).toBe(true);
    expect(sent[0].body).toContain('| instructions (decided) | 1.12 |');
    expect(sent[0].body).toContain(`base \`${'a'.repeat(12)}\` (merge base) → head \`${'b'.repeat(12)}\``);
  });

  it('edits its own earlier comment, found by the marker on any page, never a person quoting it', () => {
    const pages = [[person(10, '<!-- perf-gate --> quoted by a person'), bot(11, 'another bot message')], [bot(12, '<!-- perf-gate -->\n## Regression gate: PASS')]];
    const { sent } = comment({ COMPARE: 'true', REPORT: report }, pages);
    expect(sent.map((s) => s.request)).toEqual(['PATCH repos/owner/book/issues/comments/12']);
    expect(sent[0].body).toContain('## Regression gate: FAIL');
  });

  it('says "no verdict" when the gate ended without a report', () => {
    const { sent } = comment({ COMPARE: 'true', REPORT: join(tmp, 'never-written.md') }, [[]]);
    expect(sent[0].body).toMatch(/^<!-- perf-gate -->\n## Regression gate: no verdict\n/);
  });

  it('marks an earlier verdict skipped once the pull request stops touching the server, and posts nothing otherwise', () => {
    const stale = comment({ COMPARE: 'false' }, [[bot(20, '<!-- perf-gate -->\n## Regression gate: FAIL')]]);
    expect(stale.sent.map((s) => s.request)).toEqual(['PATCH repos/owner/book/issues/comments/20']);
    expect(stale.sent[0].body).toMatch(/^<!-- perf-gate -->\n## Regression gate: skipped\n/);
    const none = comment({ COMPARE: 'false' }, [[person(21, 'hello')]]);
    expect(none.sent).toEqual([]);
    expect(none.output).toContain('nothing to post');
  });
});
