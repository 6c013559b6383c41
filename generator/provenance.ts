/**
 * Where the book comes from, for @git links and @footer: the repository's web address
 * and the commit being built. Both are optional: outside a git checkout (a tarball,
 * a copied folder) the book still builds, it just cannot link to commits.
 */
import { readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

export interface Provenance {
  repoUrl?: string;
  buildCommit?: string;
}

/** Order: package.json "repository", then `git remote get-url origin`, then GitHub Actions' environment. */
export function findProvenance(root: string, env: NodeJS.ProcessEnv = process.env): Provenance {
  const repoUrl =
    toHttpsRepoUrl(repositoryFromPackageJson(root)) ??
    toHttpsRepoUrl(originUrl(root)) ??
    (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY ? `${env.GITHUB_SERVER_URL.replace(/\/+$/, '')}/${env.GITHUB_REPOSITORY}` : undefined);
  const head = readHead(root) ?? git(root, ['rev-parse', 'HEAD']);
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

/*
 * Reading HEAD and the origin URL straight from .git costs microseconds; starting git
 * costs tens of milliseconds each time, which matters for a build run on every save.
 * Anything unusual (no loose or packed ref, an unexpected layout) returns undefined,
 * and the caller asks git itself.
 */

interface GitDirs {
  /** The checkout's own git dir (differs from `common` in a linked worktree). */
  gitDir: string;
  common: string;
}

function findGitDirs(root: string): GitDirs | undefined {
  for (let dir = resolve(root); ; dir = dirname(dir)) {
    const dotGit = join(dir, '.git');
    try {
      let gitDir = dotGit;
      if (statSync(dotGit).isFile()) {
        const target = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
        if (!target) return undefined;
        gitDir = resolve(dir, target);
      }
      let common = gitDir;
      try {
        common = resolve(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim());
      } catch {
        // not a linked worktree
      }
      return { gitDir, common };
    } catch {
      if (dirname(dir) === dir) return undefined;
    }
  }
}

/** The commit HEAD points to, from .git/HEAD and the loose or packed ref. */
export function readHead(root: string): string | undefined {
  const dirs = findGitDirs(root);
  if (!dirs) return undefined;
  try {
    const head = readFileSync(join(dirs.gitDir, 'HEAD'), 'utf8').trim();
    if (/^[0-9a-f]{40}$/.test(head)) return head;
    const ref = /^ref:\s*(refs\/\S+)$/.exec(head)?.[1];
    if (!ref) return undefined;
    for (const base of [dirs.gitDir, dirs.common]) {
      try {
        const value = readFileSync(join(base, ref), 'utf8').trim();
        if (/^[0-9a-f]{40}$/.test(value)) return value;
      } catch {
        // not a loose ref here
      }
    }
    const packed = readFileSync(join(dirs.common, 'packed-refs'), 'utf8');
    for (const line of packed.split('\n')) {
      const [hash, name] = line.trim().split(' ');
      if (name === ref && /^[0-9a-f]{40}$/.test(hash)) return hash;
    }
  } catch {
    // fall through to git
  }
  return undefined;
}

function originUrl(root: string): string | undefined {
  const read = readOriginUrl(root);
  if (read === null) return undefined; // the config says: no origin
  return read ?? git(root, ['remote', 'get-url', 'origin']);
}

/**
 * `remote.origin.url` from .git/config: the URL, null when the config has no origin,
 * undefined when it cannot tell (no config, includes, url rewrites: ask git).
 */
export function readOriginUrl(root: string): string | null | undefined {
  const dirs = findGitDirs(root);
  if (!dirs) return undefined;
  let config: string;
  try {
    config = readFileSync(join(dirs.common, 'config'), 'utf8');
  } catch {
    return undefined;
  }
  if (/^\s*\[(include|includeIf)\b/m.test(config) || /insteadOf/i.test(config)) return undefined;
  let inOrigin = false;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inOrigin = /^\[remote\s+"origin"\]$/.test(line);
    else if (inOrigin) {
      const url = /^url\s*=\s*(.+)$/.exec(line)?.[1]?.trim();
      if (url) return url.replace(/^"(.*)"$/, '$1');
    }
  }
  return null;
}

function git(cwd: string, args: string[]): string | undefined {
  // Loaded only here: most builds read .git directly, and node:child_process costs ~10 ms to load.
  const { execFileSync } = createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).trim() || undefined;
  } catch {
    return undefined;
  }
}
