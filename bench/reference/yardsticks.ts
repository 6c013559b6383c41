/**
 * The yardsticks of a session: what every chapter is measured against in the same rounds.
 * Both serve the exact bytes and headers of the first chapter's hot answer, fetched once,
 * pinned like the chapters:
 *   - 'reference': a bare node:http server (reference-server.ts) — "as fast as Node.js can";
 *   - 'nginx': nginx, one worker (nginx.ts) — "as fast as this machine can", where installed;
 *     where not, the session says so and runs without it.
 */
import { NGINX_SUBJECT, REFERENCE_SUBJECT } from '../../db/schema.ts';
import type { Cleanup } from '../subject/cleanup.ts';
import { describeReference, fetchReferenceSource, startReferenceFrom } from './from-answer.ts';
import { describeNginx, locateNginx, NGINX_PACKAGE, startNginxReference, type NginxInstall } from './nginx.ts';

export interface Yardstick { subject: string; url: string; pid: number }

export interface YardstickOptions {
  /** The hot answer to reproduce, and whose it is. */
  answerUrl: string;
  sourceLabel: string;
  /** The servers' command prefix (CPU quota group, taskset). */
  wrap: string[];
  cleanup: Cleanup;
  guard: <T>(step: Promise<T>) => Promise<T>;
  log: (line: string) => void;
  /** Where nginx is (tests: none); by default looked up on PATH and in /usr/sbin. */
  nginx?: NginxInstall | null;
}

/** Starts every yardstick this machine has; returns them and what the session's settings record of them. */
export async function startYardsticks(options: YardstickOptions): Promise<{ yardsticks: Yardstick[]; settings: Record<string, unknown> }> {
  const { guard, cleanup, log } = options;
  const answer = await guard(fetchReferenceSource(options.answerUrl, options.sourceLabel));
  const reference = await guard(startReferenceFrom(answer, options.wrap));
  await cleanup.add(`reference server (pid ${reference.pid})`, () => reference.stop());
  log(`reference server (node:http) on ${reference.url}: ${answer.body.length} bytes of ${options.sourceLabel}'s hot answer`);
  const yardsticks: Yardstick[] = [{ subject: REFERENCE_SUBJECT, url: reference.url, pid: reference.pid }];
  const settings: Record<string, unknown> = { reference: describeReference(answer, options.sourceLabel) };

  const install = options.nginx === undefined ? locateNginx() : options.nginx;
  if (install === null) {
    log(`nginx is not installed (apt-get install ${NGINX_PACKAGE}): this session has no second yardstick`);
    settings.nginx = { installed: false, note: `nginx not found on PATH or in /usr/sbin; apt-get install ${NGINX_PACKAGE}` };
    return { yardsticks, settings };
  }
  const nginx = await guard(startNginxReference(answer, install, { wrap: options.wrap }));
  await cleanup.add(`nginx reference (pid ${nginx.pid})`, () => nginx.stop());
  log(`reference server (nginx ${install.version}) on ${nginx.url}: the same bytes and headers`);
  yardsticks.push({ subject: NGINX_SUBJECT, url: nginx.url, pid: nginx.pid });
  settings.nginx = { installed: true, ...describeNginx(install) };
  return { yardsticks, settings };
}
