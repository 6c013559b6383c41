/**
 * Reduces CPU profiles to the table the book shows: per function, the share of sampled
 * time spent in it (self) and with it on the stack (total), ranked by self time, the
 * top N kept and the rest summed into one row. Pure: files are read elsewhere and the
 * mapping of frames to places is injected (`Locator`).
 *
 * Time comes from the samples' time deltas, not hit counts: V8's interval drifts under
 * load, so a sample stands for the time until the next one (as DevTools counts it).
 * Shares are of all sampled time, '(idle)' included, so a table's self shares sum to 1.
 */
import type { CpuProfile, ProfileNode } from './cpuprofile.ts';
import type { Locator } from './locate.ts';

/** A function as the table names it (`line` 1-based, null when unknown; a line of `bundle` when that is set, see SourcePlace). */
export interface FunctionKey {
  function: string;
  file: string;
  line: number | null;
  bundle?: string | null;
}

/** Microseconds of self and inclusive time of one function. */
export interface FunctionTime extends FunctionKey {
  selfUs: number;
  totalUs: number;
}

/** What one profile (or several merged) reduces to before ranking. */
export interface ProfileTimes {
  sampledUs: number;
  functions: FunctionTime[];
}

/** One row of the table. `totalShare` is null for the summed rest (inclusive times overlap). */
export interface ProfileRow extends FunctionKey {
  /** Which process: 'main', 'worker-1'…, or 'all' for the merge of several. */
  process: string;
  /** 1-based; the rest row comes last with rank top + 1. */
  rank: number;
  selfShare: number;
  totalShare: number | null;
  selfMs: number;
}

/** A profile and the process it came from. */
export interface ProcessProfile {
  process: string;
  profile: CpuProfile;
}

/** Label of the merged table when a server ran in several processes. */
export const ALL_PROCESSES = 'all';

/** Each sample's timestamp: V8's monotonic clock in microseconds, the clock of process.hrtime. */
export function sampleStamps(profile: CpuProfile): number[] {
  let at = profile.startTime;
  return profile.timeDeltas.map((delta) => (at += delta));
}

/** Microseconds each sample stands for: the time until the next sample (the last: until endTime). */
export function sampleDurations(profile: CpuProfile): number[] {
  const stamps = sampleStamps(profile);
  return stamps.map((stamp, i) => {
    const next = i + 1 < stamps.length ? stamps[i + 1] : Math.max(profile.endTime, stamp);
    // V8 occasionally records a negative delta (samples out of order): count no time, not negative time.
    return Math.max(0, next - stamp);
  });
}

/**
 * The profile restricted to the samples taken in [fromUs, toUs), e.g. the load run alone
 * without the server's start and ingest. The bounds are process.hrtime.bigint() / 1000n
 * readings of any process on the machine (one monotonic clock).
 */
export function clipToWindow(profile: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  if (!(fromUs < toUs)) throw new Error(`the profile window must start before it ends (got ${fromUs}..${toUs} µs)`);
  const stamps = sampleStamps(profile);
  const kept = stamps.flatMap((stamp, i) => (stamp >= fromUs && stamp < toUs ? [i] : []));
  if (kept.length === 0) {
    throw new Error(`no sample between ${fromUs} and ${toUs} µs (the profile spans ${profile.startTime}..${profile.endTime}); were both read from process.hrtime?`);
  }
  return {
    nodes: profile.nodes,
    startTime: fromUs,
    endTime: Math.min(toUs, profile.endTime),
    samples: kept.map((i) => profile.samples[i]),
    timeDeltas: kept.map((i, k) => stamps[i] - (k === 0 ? fromUs : stamps[kept[k - 1]])),
  };
}

/** Microseconds of samples whose leaf is each node. */
function selfTimeByNode(profile: CpuProfile): Map<number, number> {
  const durations = sampleDurations(profile);
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + durations[i]));
  return byNode;
}

const keyString = (key: FunctionKey): string => JSON.stringify([key.function, key.file, key.line, key.bundle ?? null]);

/** Self and inclusive time per function of one profile; recursion counts a function once per stack. */
export function functionTimes(profile: CpuProfile, locate: Locator): ProfileTimes {
  const nodes = new Map<number, ProfileNode>(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const keyOfNode = new Map<number, FunctionKey | null>();
  const keyOf = (id: number): FunctionKey | null => {
    if (!keyOfNode.has(id)) {
      const frame = nodes.get(id)!.callFrame;
      // '(root)' is on every stack: a 100 % total that says nothing.
      keyOfNode.set(id, frame.functionName === '(root)' && frame.url === '' ? null : { function: frame.functionName || '(anonymous)', ...locate(frame) });
    }
    return keyOfNode.get(id)!;
  };
  const times = new Map<string, FunctionTime>();
  const timeOf = (key: FunctionKey): FunctionTime => {
    const k = keyString(key);
    let entry = times.get(k);
    if (!entry) times.set(k, (entry = { ...key, selfUs: 0, totalUs: 0 }));
    return entry;
  };
  let sampledUs = 0;
  for (const [leaf, us] of selfTimeByNode(profile)) {
    sampledUs += us;
    const leafKey = keyOf(leaf);
    if (leafKey) timeOf(leafKey).selfUs += us;
    const onStack = new Set<string>();
    for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
      const key = keyOf(id);
      if (!key || onStack.has(keyString(key))) continue;
      onStack.add(keyString(key));
      timeOf(key).totalUs += us;
    }
  }
  return { sampledUs, functions: [...times.values()] };
}

/** Several processes' times as one: sampled time and each function's times add up. */
export function mergeTimes(list: ProfileTimes[]): ProfileTimes {
  const merged = new Map<string, FunctionTime>();
  for (const times of list) {
    for (const f of times.functions) {
      const k = keyString(f);
      const entry = merged.get(k);
      if (entry) {
        entry.selfUs += f.selfUs;
        entry.totalUs += f.totalUs;
      } else merged.set(k, { ...f });
    }
  }
  return { sampledUs: list.reduce((sum, t) => sum + t.sampledUs, 0), functions: [...merged.values()] };
}

/** The ranked table: by self time (ties: total time, then name, file, line), top N and the rest summed. */
export function topRows(times: ProfileTimes, top: number, process: string): ProfileRow[] {
  if (!Number.isInteger(top) || top < 1) throw new Error(`top must be a positive integer, got ${top}`);
  if (times.sampledUs <= 0) throw new Error('the profile holds no sampled time (did the process run at all?)');
  const ranked = times.functions
    .filter((f) => f.selfUs > 0 || f.totalUs > 0)
    .sort((a, b) => b.selfUs - a.selfUs || b.totalUs - a.totalUs || a.function.localeCompare(b.function) || a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0));
  const share = (us: number) => us / times.sampledUs;
  const rows: ProfileRow[] = ranked.slice(0, top).map((f, i) => ({
    process,
    rank: i + 1,
    function: f.function,
    file: f.file,
    line: f.line,
    bundle: f.bundle ?? null,
    selfShare: share(f.selfUs),
    totalShare: share(f.totalUs),
    selfMs: f.selfUs / 1000,
  }));
  const rest = ranked.slice(top);
  if (rest.length > 0) {
    const restUs = rest.reduce((sum, f) => sum + f.selfUs, 0);
    rows.push({ process, rank: top + 1, function: `(${rest.length} other functions)`, file: '(rest)', line: null, bundle: null, selfShare: share(restUs), totalShare: null, selfMs: restUs / 1000 });
  }
  return rows;
}

/** The part of a run to reduce, in microseconds of the monotonic clock (see clipToWindow). */
export interface TimeWindow {
  fromUs: number;
  toUs: number;
}

/**
 * The tables of a server's profiles: one per process, and when there are several, a
 * merged one labelled 'all' (first, as the one a page shows). With a window, only the
 * samples taken inside it count.
 */
export function reduceProfiles(profiles: ProcessProfile[], locate: Locator, top: number, window?: TimeWindow): ProfileRow[] {
  if (profiles.length === 0) throw new Error('no CPU profile to reduce');
  const perProcess = profiles.map((p) => ({
    process: p.process,
    times: functionTimes(window ? clipToWindow(p.profile, window.fromUs, window.toUs) : p.profile, locate),
  }));
  const tables = perProcess.map((p) => topRows(p.times, top, p.process));
  if (profiles.length === 1) return tables[0];
  return [...topRows(mergeTimes(perProcess.map((p) => p.times)), top, ALL_PROCESSES), ...tables.flat()];
}
