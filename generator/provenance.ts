/**
 * Where the book comes from, for @git links and @footer: the repository's web address
 * and the commit being built. Both are optional: outside a git checkout (a tarball,
 * a copied folder) the book still builds, it just cannot link to commits.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Provenance {
  repoUrl?: string;
  buildCommit?: string;
}

/** Order: package.json "repository", then `git remote get-url origin`, then GitHub Actions' environment. */
export function findProvenance(root: string, env: NodeJS.ProcessEnv = process.env): Provenance {
  const repoUrl =
    toHttpsRepoUrl(repositoryFromPackageJson(root)) ??
    toHttpsRepoUrl(git(root, ['remote', 'get-url', 'origin'])) ??
    (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}` : undefined);
  const head = git(root, ['rev-parse', 'HEAD']);
  const buildCommit = head && /^[0-9a-f]{40}$/.test(head) ? head : env.GITHUB_SHA && /^[0-9a-f]{40}$/.test(env.GITHUB_SHA) ? env.GITHUB_SHA : undefined;
  return { ...(repoUrl ? { repoUrl } : {}), ...(buildCommit ? { buildCommit } : {}) };
}

/**
 * Turns the ways a repository is written (npm shorthands, scp-like SSH, git+https, .git
 * suffix) into the https address a browser opens; undefined for anything else.
 */
export function toHttpsRepoUrl(spec: string | undefined): string | undefined {
  if (!spec) return undefined;
  let s = spec.trim();
  const shorthand = /^(?:(github|gitlab|bitbucket):)?([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(s);
  if (shorthand) {
    const host = { github: 'github.com', gitlab: 'gitlab.com', bitbucket: 'bitbucket.org' }[shorthand[1] ?? 'github'];
    return `https://${host}/${shorthand[2]}/${shorthand[3].replace(/\.git$/, '')}`;
  }
  s = s.replace(/^git\+/, '');
  const scp = /^(?:[A-Za-z0-9_.-]+@)?([A-Za-z0-9.-]+):(?!\/\/)(.+)$/.exec(s);
  if (scp && !/^[a-z]+$/i.test(scp[1])) s = `https://${scp[1]}/${scp[2]}`;
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    return undefined;
  }
  if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol) || !url.hostname) return undefined;
  const path = url.pathname.replace(/\.git$/, '').replace(/\/+$/, '');
  if (path === '') return undefined;
  return `https://${url.hostname}${path}`;
}

function repositoryFromPackageJson(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { repository?: string | { url?: string } };
    return typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  } catch {
    return undefined;
  }
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}
