/**
 * hot, mix, close: a steady load at --connections, one slice per subject per round: an
 * unrecorded settle of --settle seconds (the subject was idle while the others ran, and a
 * server left idle starts slower for a second or two) over the first paths of a long list
 * (SETTLE_PATHS), then the measured run.
 */
import { createHash } from 'node:crypto';
import { summarize } from '../figures/summarize.ts';
import { FEED } from '../subject/subject.ts';
import type { Scenario } from './index.ts';
import type { ScenarioModule, ScenarioOptions } from './module.ts';

/** Part of the settings key: a short hash of the request paths. */
export function pathsKey(paths: string[]): string {
  return `paths${createHash('sha256').update(JSON.stringify(paths)).digest('hex').slice(0, 8)}`;
}

/**
 * The paths as the session's settings record them: a short list as it is, a long one (the
 * mix's 200,000 Zipf draws, 14 MB of JSON per session that every view reading the settings
 * had to parse) as its count, distinct paths, hash (the settings key's, in full) and first
 * paths — the scenario's description names the seed that reproduces it (pure).
 */
export function pathsSetting(paths: string[]): string[] | { count: number; distinct: number; sha256: string; first: string[] } {
  if (paths.length <= 64) return paths;
  return { count: paths.length, distinct: new Set(paths).size, sha256: createHash('sha256').update(JSON.stringify(paths)).digest('hex'), first: paths.slice(0, 3) };
}

/**
 * Paths the settle sends of a long list (the mix's 200,000). The settle and the measured run
 * each start wrk, and wrk formats its whole path list before its first request: 1.0–1.1 s
 * with the mix's (edition 34: the mix's slices started 5.18 s apart for 1 + 2 s of load).
 * Both runs start their rotation at the list's first path, so a settle over the first 20,000
 * sends what today's 1 s settle sent to every chapter (at most 24,000 req/s on the mix in
 * edition 34); only the yardsticks (53,000 and 72,000) go round it more than once. Its start
 * takes about a seventh of the full list's (bench/README.md, "Editions").
 */
export const SETTLE_PATHS = 20_000;

const settleLists = new WeakMap<string[], string[]>();

/** The paths of a settle: the first SETTLE_PATHS of a long list (the same list at every call, so wrk's paths file is reused), a short list whole. */
export function settlePaths(paths: string[]): string[] {
  if (paths.length <= SETTLE_PATHS) return paths;
  let settle = settleLists.get(paths);
  if (settle === undefined) {
    settle = paths.slice(0, SETTLE_PATHS);
    settleLists.set(paths, settle);
  }
  return settle;
}

export function steadyScenario(sc: Scenario): ScenarioModule {
  const headers = sc.headers ?? {};
  // Pipelining needs keep-alive: close sends one request per connection whatever the flag.
  const depth = (options: ScenarioOptions) => (sc.keepAlive ? options.pipeline : 1);
  // --connections is the requests outstanding at once: pipelining d deep opens connections ÷ d
  // sockets, so the server reads as many requests per loop turn as without it (a chapter with an
  // in-flight limit of 64 per turn would otherwise shed what 32 × 4 pipelined requests bring).
  const sockets = (options: ScenarioOptions) => Math.max(1, Math.round(options.connections / depth(options)));
  const load = (options: ScenarioOptions, durationSeconds: number) => ({ paths: sc.paths, keepAlive: sc.keepAlive, connections: sockets(options), durationSeconds, pipeline: depth(options), headers });
  const headerParts = Object.entries(headers).map(([name, value]) => `h:${name.toLowerCase()}=${value}`);
  return {
    name: sc.name,
    description: sc.description,
    // The yardsticks serve the identity answer: a compressed chapter against them would be a
    // different body, so the gzip scenarios are compared with hot and mix of the same session.
    comparesToReference: sc.headers === undefined,
    settingsKeyParts: (options) => [`c${options.connections}`, sc.keepAlive ? 'ka' : 'close', pathsKey(sc.paths), `s${options.settleSeconds}`, ...(sc.paths.length > SETTLE_PATHS ? [`sp${SETTLE_PATHS}`] : []), ...(depth(options) > 1 ? [`p${depth(options)}`] : []), ...headerParts],
    settings: (options) => ({ description: sc.description, keep_alive: sc.keepAlive, paths: pathsSetting(sc.paths), settle_seconds: options.settleSeconds, ...(sc.paths.length > SETTLE_PATHS ? { settle_paths: `the first ${SETTLE_PATHS} of the paths` } : {}), pipeline: depth(options), sockets: sockets(options), ...(sc.headers ? { headers } : {}) }),
    warmup: (options) => (options.warmupSeconds > 0 ? load(options, options.warmupSeconds) : null),
    runRound: async (context) => {
      if (context.options.settleSeconds > 0) await context.settle({ ...load(context.options, context.options.settleSeconds), paths: settlePaths(sc.paths) });
      return [(await context.measure(load(context.options, context.options.durationSeconds))).outcome];
    },
    summarize,
    failures: (runs) => runs.filter((r) => r.status === 'failed').length,
  };
}

/**
 * hot-x4, hot-x16: the hot search on a server of its own whose provider serves a catalogue
 * `scale` times the default feed — as many plans a year, over `scale` times the years — so
 * the hot window holds about the same events and only the catalogue grows: how a search's
 * cost grows with the catalogue (a linear scan with it, an index hardly). The yardsticks run
 * in its rounds as in hot's, serving the part's first chapter's hot answer on the default feed
 * (about the bytes of every size's: the hot window holds about the same events): the sizes are
 * measured in parts of their own, minutes from hot, on a host whose speed moves, so each is
 * compared with hot by its ratio to node:http measured beside it, not by raw rates (until
 * 2026-12-08 edition 79's sixteen-times catalogue read 1.9× chapter 3's default one).
 */
export function catalogueScenario(sc: Scenario, scale: number): ScenarioModule {
  const steady = steadyScenario(sc);
  const feed = { ...FEED, basePlans: FEED.basePlans * scale, years: FEED.years * scale };
  return {
    ...steady,
    settingsKeyParts: (options) => [...steady.settingsKeyParts(options), `catalogue${feed.basePlans}x${feed.plansPerBase}y${feed.years}`],
    settings: (options) => ({ ...steady.settings(options), feed }),
    ownProvider: () => ({ feed, env: {} }),
  };
}
