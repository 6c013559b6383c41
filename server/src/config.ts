/**
 * Configuration from flags and environment (flags win). Parsing is pure: it returns either a
 * config, a request for help, or a readable error; main.ts turns the error into exit code 2.
 */
import { DEFAULT_COMPRESSION } from './http/encodings.ts';
import type { RefusedPause } from './limit/refused-pause.ts';

export interface Config {
  host: string;
  port: number;
  /** Base URL of the provider; the feed is fetched from `<providerUrl>/api/events`. */
  providerUrl: string;
  /** Pause between two successful polls, ms. */
  pollIntervalMs: number;
  /** Whole-request deadline of one poll (connect + headers + body), ms. */
  pollTimeoutMs: number;
  /** Cap of the retry delay after failed polls, ms. */
  backoffMaxMs: number;
  /** Larger provider answers are refused. */
  maxBodyBytes: number;
  dataDir: string;
  /** How long a graceful shutdown may take before the process exits anyway, ms. */
  shutdownTimeoutMs: number;
  /** Memory bound of the response cache (keys + bodies); 0 disables it. */
  cacheMaxBytes: number;
  /** HTTP processes: 1 = a single process; more = node:cluster (a primary polls and writes, workers answer). */
  workers: number | 'auto';
  /** Which HTTP layer serves the routes (an experiment switch; same API either way). */
  httpLayer: HttpLayer;
  /** Port of the Prometheus side listener (GET /metrics); null = none, 0 = any free port. */
  metricsPort: number | null;
  /** Requests of one event-loop turn beyond this many are answered 503 overloaded at once; 0 = no limit. */
  maxInFlight: number;
  /** node's server.maxConnections: sockets beyond it are closed at accept; 0 = no limit. */
  maxConnections: number;
  /** A client that has not sent a whole request line and headers within this many ms is answered 408 and closed. */
  headersTimeoutMs: number;
  /** fixed: --max-in-flight as given; adaptive: starts there and follows measured latency (chapter 9). */
  limiter: Limiter;
  refusal: Refusal;
  /** A connection refused while the loop is behind is left unread for the next loop turn (chapter 20), or read on. */
  refusedPause: RefusedPause;
  /** Searches read once their loop turn has run this many ms are past the limit too (chapter 17); 0 = no budget. */
  turnBudgetMs: number;
  /** The limit refuses only once every loop turn has been over (see targetMs) for this many ms (chapter 18); 0 = on every turn. */
  standingMs: number;
  /** A loop turn longer than this many ms is over, and while behind searches are refused by the turn budget alone (chapter 19); 0 = a turn is over when it read more than the limit, refused by count or budget (chapter 18). */
  targetMs: number;
  /** Which answers are compressed (chapter 15: on-demand; chapter 13's second-sight is the experiment). */
  compression: Compression;
  /** on-demand: an answer is compressed into a coding at its k-th request asking for one. */
  compressAfter: number;
  /** on-demand: bytes of compressed forms held at most. */
  compressionMaxBytes: number;
  /** Bounds of the adaptive limit. */
  limitMin: number;
  limitMax: number;
  /** The scale-out rule (chapter 10): window, per-second thresholds, rejection share. */
  scaleOutWindow: number;
  scaleOutElu: number;
  scaleOutInFlightRatio: number;
  scaleOutP99Ms: number;
  scaleOutRejectionRatio: number;
}

export const LIMITERS = ['fixed', 'adaptive'] as const;
export const REFUSALS = ['fair', 'fair-past-limit', 'unfair'] as const;
export const REFUSED_PAUSES = ['next-turn', 'none'] as const satisfies readonly RefusedPause[];
export type Refusal = (typeof REFUSALS)[number];
export const COMPRESSIONS = ['on-demand', 'second-sight'] as const;
export type Compression = (typeof COMPRESSIONS)[number];
export type Limiter = (typeof LIMITERS)[number];

/** The chapter's recommended in-flight limit (see README, chapter 8). */
export const DEFAULT_MAX_IN_FLIGHT = 64;

export const HTTP_LAYERS = ['lean', 'node', 'fastify'] as const;
export type HttpLayer = (typeof HTTP_LAYERS)[number];

export type ConfigParse = { kind: 'config'; config: Config } | { kind: 'help' } | { kind: 'error'; message: string };

interface Option {
  flag: string;
  env: string;
  key: keyof Config;
  type: 'string' | 'port' | 'ms' | 'bytes' | 'bytes0' | 'url' | 'choice' | 'workers' | 'count0' | 'count' | 'fraction' | 'decimal';
  choices?: readonly string[];
  default?: string;
  /** Without a value and a default, the key is null rather than an error. */
  optional?: true;
  description: string;
}

export const OPTIONS: readonly Option[] = [
  { flag: '--host', env: 'HOST', key: 'host', type: 'string', default: '127.0.0.1', description: 'interface to listen on' },
  { flag: '--port', env: 'PORT', key: 'port', type: 'port', default: '8080', description: 'TCP port (0 = any free port; the bound port is logged)' },
  { flag: '--provider-url', env: 'PROVIDER_URL', key: 'providerUrl', type: 'url', description: 'provider base URL (required); the feed is <url>/api/events' },
  { flag: '--poll-interval', env: 'POLL_INTERVAL_MS', key: 'pollIntervalMs', type: 'ms', default: '10000', description: 'ms between successful polls' },
  { flag: '--poll-timeout', env: 'POLL_TIMEOUT_MS', key: 'pollTimeoutMs', type: 'ms', default: '10000', description: 'ms deadline of one provider request' },
  { flag: '--backoff-max', env: 'BACKOFF_MAX_MS', key: 'backoffMaxMs', type: 'ms', default: '30000', description: 'ms cap of the retry delay after failures' },
  { flag: '--max-body-bytes', env: 'MAX_BODY_BYTES', key: 'maxBodyBytes', type: 'bytes', default: String(16 * 1024 * 1024), description: 'largest provider answer accepted' },
  { flag: '--data-dir', env: 'DATA_DIR', key: 'dataDir', type: 'string', default: './event-search-data', description: 'directory of the persisted store (store.json)' },
  { flag: '--shutdown-timeout', env: 'SHUTDOWN_TIMEOUT_MS', key: 'shutdownTimeoutMs', type: 'ms', default: '10000', description: 'ms a graceful shutdown may take' },
  { flag: '--cache-max-bytes', env: 'CACHE_MAX_BYTES', key: 'cacheMaxBytes', type: 'bytes0', default: String(64 * 1024 * 1024), description: 'memory bound of the response cache (0 = no cache)' },
  { flag: '--workers', env: 'WORKERS', key: 'workers', type: 'workers', default: '1', description: 'HTTP processes: auto (one per core) or a number; 1 = no cluster' },
  { flag: '--http-layer', env: 'HTTP_LAYER', key: 'httpLayer', type: 'choice', choices: HTTP_LAYERS, default: 'lean', description: 'HTTP layer: lean (plain GET/HEAD of the routes answered on the connection, the rest by node:http; chapter 16), node (node:http + find-my-way) or fastify' },
  { flag: '--max-in-flight', env: 'MAX_IN_FLIGHT', key: 'maxInFlight', type: 'count0', default: String(DEFAULT_MAX_IN_FLIGHT), description: 'searches read in one event-loop turn beyond this many are answered 503 overloaded (0 = no limit)' },
  { flag: '--max-connections', env: 'MAX_CONNECTIONS', key: 'maxConnections', type: 'count0', default: '0', description: 'open connections beyond this many are closed at accept (0 = no limit)' },
  { flag: '--headers-timeout', env: 'HEADERS_TIMEOUT_MS', key: 'headersTimeoutMs', type: 'ms', default: '10000', description: 'ms a client may take to send a request line and headers before a 408' },
  { flag: '--limiter', env: 'LIMITER', key: 'limiter', type: 'choice', choices: LIMITERS, default: 'adaptive', description: 'fixed (--max-in-flight as given) or adaptive (starts at --max-in-flight, follows measured latency; none when it is 0)' },
  { flag: '--refusal', env: 'REFUSAL', key: 'refusal', type: 'choice', choices: REFUSALS, default: 'fair', description: 'which searches past the limit are refused: fair (a connection that sent less than half the average connection\'s searches while the loop is behind is still served, within a quarter of the limit, at most 16, per turn), fair-past-limit (the same, counting only the searches past the limit: chapters 14–19) or unfair (all of them)' },
  { flag: '--refused-pause', env: 'REFUSED_PAUSE', key: 'refusedPause', type: 'choice', choices: REFUSED_PAUSES, default: 'next-turn', description: 'next-turn: a connection refused while the loop is behind is not read in the next loop turn (its next request waits in the kernel instead of taking the turn\'s time); none: read on (chapters 8–19)' },
  { flag: '--turn-budget-ms', env: 'TURN_BUDGET_MS', key: 'turnBudgetMs', type: 'count0', default: '5', description: 'searches read once their event-loop turn has run this many ms are past the limit too, whatever their count (0 = no budget; needs --max-in-flight)' },
  { flag: '--standing-ms', env: 'STANDING_MS', key: 'standingMs', type: 'count0', default: '100', description: 'the limit refuses only once every loop turn has been over for this many ms (see --target-ms), and stops after as long with none over (CoDel\'s interval; 0 = on every turn, chapters 8–17)' },
  { flag: '--target-ms', env: 'TARGET_MS', key: 'targetMs', type: 'count0', default: '5', description: 'a loop turn longer than this is over (CoDel\'s target: the wait a turn imposes), and while behind a search is refused only once its turn has run --turn-budget-ms, whatever its count (0 = chapter 18: a turn is over when it read more searches than the limit, refused past the count or the budget)' },
  { flag: '--compression', env: 'COMPRESSION', key: 'compression', type: 'choice', choices: COMPRESSIONS, default: DEFAULT_COMPRESSION.policy, description: 'on-demand (an answer compressed into the coding clients ask for, once asked --compress-after times; none for clients asking none) or second-sight (chapter 13: every answer seen twice, gzip 9 and brotli 11)' },
  { flag: '--compress-after', env: 'COMPRESS_AFTER', key: 'compressAfter', type: 'count', default: String(DEFAULT_COMPRESSION.after), description: 'on-demand: requests asking for a coding before an answer is compressed into it' },
  { flag: '--compression-max-bytes', env: 'COMPRESSION_MAX_BYTES', key: 'compressionMaxBytes', type: 'bytes', default: String(DEFAULT_COMPRESSION.maxBytes), description: 'on-demand: bytes of compressed answers held at most' },
  { flag: '--limit-min', env: 'LIMIT_MIN', key: 'limitMin', type: 'count', default: '32', description: 'lowest adaptive limit (32: the steady scenarios are never shed)' },
  { flag: '--limit-max', env: 'LIMIT_MAX', key: 'limitMax', type: 'count', default: '1024', description: 'highest adaptive limit' },
  { flag: '--scale-out-window', env: 'SCALE_OUT_WINDOW', key: 'scaleOutWindow', type: 'count', default: '3', description: 'seconds the scale-out rule looks back' },
  { flag: '--scale-out-elu', env: 'SCALE_OUT_ELU', key: 'scaleOutElu', type: 'fraction', default: '0.9', description: 'a second is hot at this event-loop utilisation' },
  { flag: '--scale-out-in-flight-ratio', env: 'SCALE_OUT_IN_FLIGHT_RATIO', key: 'scaleOutInFlightRatio', type: 'decimal', default: '0.8', description: '... or at this in-flight / limit' },
  { flag: '--scale-out-p99-ms', env: 'SCALE_OUT_P99_MS', key: 'scaleOutP99Ms', type: 'ms', default: '25', description: '... or when its p99 reaches this (half the bench\'s 50 ms objective)' },
  { flag: '--scale-out-rejection-ratio', env: 'SCALE_OUT_REJECTION_RATIO', key: 'scaleOutRejectionRatio', type: 'fraction', default: '0.01', description: 'the signal also fires when this share of the window was shed' },
  { flag: '--metrics-port', env: 'METRICS_PORT', key: 'metricsPort', type: 'port', optional: true, description: 'port of GET /metrics (Prometheus text), on --host; 0 = any free port; none when absent' },
];

export function helpText(program = 'node server/dist/server.mjs'): string {
  const rows = OPTIONS.map((o) => {
    const left = `  ${o.flag} <${o.type === 'ms' ? 'ms' : o.type === 'bytes' || o.type === 'bytes0' ? 'bytes' : o.type === 'port' ? 'port' : o.type === 'count0' || o.type === 'count' ? 'n' : o.type === 'fraction' || o.type === 'decimal' ? 'x' : 'value'}>`;
    const def = o.default !== undefined ? ` (default ${o.default})` : o.optional ? ' (default none)' : '';
    return `${left.padEnd(30)}${o.description}${def}; env ${o.env}`;
  });
  return [
    `Usage: ${program} --provider-url <url> [options]`,
    '',
    'Event-search service: polls the provider feed and answers GET /search and GET /health.',
    '',
    'Options (flags override environment variables):',
    ...rows,
    '  -h, --help                  show this help',
    '',
  ].join('\n');
}

export function parseConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ConfigParse {
  const fromFlags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return { kind: 'help' };
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const option = OPTIONS.find((o) => o.flag === name);
    if (!option) return { kind: 'error', message: `unknown option "${arg}"` };
    let value: string | undefined;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return { kind: 'error', message: `${name} needs a value` };
      i++;
    }
    if (fromFlags.has(name)) return { kind: 'error', message: `${name} given more than once` };
    fromFlags.set(name, value);
  }

  const config: Record<string, string | number | null> = {};
  for (const option of OPTIONS) {
    const source = fromFlags.has(option.flag) ? option.flag : option.env;
    const raw = fromFlags.get(option.flag) ?? nonEmpty(env[option.env]) ?? option.default;
    if (raw === undefined && option.optional) {
      config[option.key] = null;
      continue;
    }
    if (raw === undefined) return { kind: 'error', message: `${option.flag} (or ${option.env}) is required` };
    const value = convert(option, raw);
    if (typeof value === 'object') return { kind: 'error', message: `${source}: ${value.error}` };
    config[option.key] = value;
  }
  const checked = config as unknown as Config;
  const conflict = metricsConflict(checked) ?? limitConflict(checked);
  return conflict ? { kind: 'error', message: conflict } : { kind: 'config', config: checked };
}

/** The in-flight limit is the node layer's: with fastify it would not apply, so it must be 0 there. */
function limitConflict(config: Config): string | null {
  if (config.httpLayer === 'fastify' && config.maxInFlight > 0) return `--max-in-flight needs --http-layer lean or node (got ${config.httpLayer}); give --max-in-flight 0 with it`;
  if (config.maxInFlight > 0 && config.targetMs > 0 && config.turnBudgetMs < config.targetMs) {
    // A turn that refuses must be one over the target, or refusing would end the state that refuses (and it would flap).
    return `--target-ms ${config.targetMs} needs --turn-budget-ms of at least ${config.targetMs} (got ${config.turnBudgetMs}): while behind, searches are refused once their turn has run the budget; --target-ms 0 refuses by count (chapter 18)`;
  }
  if (config.limiter !== 'adaptive' || config.maxInFlight === 0) return null; // 0 = no limit, whichever limiter
  if (config.limitMin > config.limitMax) return `--limit-min ${config.limitMin} is above --limit-max ${config.limitMax}`;
  if (config.maxInFlight < config.limitMin || config.maxInFlight > config.limitMax) {
    return `--max-in-flight ${config.maxInFlight} is outside the adaptive bounds --limit-min ${config.limitMin} .. --limit-max ${config.limitMax}`;
  }
  return null;
}

/**
 * The metrics describe one process and are recorded by the node layer: with a cluster, each
 * worker would count only its share (and no aggregation is built), with fastify nothing would
 * be counted. Both are refused rather than exported wrong.
 */
function metricsConflict(config: Config): string | null {
  if (config.metricsPort === null) return null;
  if (config.workers !== 1) return `--metrics-port needs --workers 1 (got ${config.workers}): the metrics describe a single process`;
  if (config.httpLayer === 'fastify') return `--metrics-port needs --http-layer lean or node (got ${config.httpLayer}): only that layer records the request metrics`;
  return null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function convert(option: Option, raw: string): string | number | { error: string } {
  const integer = /^\d+$/.test(raw) ? Number(raw) : NaN;
  switch (option.type) {
    case 'string':
      return raw;
    case 'choice':
      return option.choices?.includes(raw) ? raw : { error: `"${raw}" is not one of ${option.choices?.join(', ')}` };
    case 'port':
      return Number.isSafeInteger(integer) && integer <= 65535 ? integer : { error: `"${raw}" is not a port number (0-65535)` };
    case 'ms':
      return Number.isSafeInteger(integer) && integer >= 1 ? integer : { error: `"${raw}" is not a positive number of milliseconds` };
    case 'bytes':
      return Number.isSafeInteger(integer) && integer >= 1 ? integer : { error: `"${raw}" is not a positive number of bytes` };
    case 'workers':
      if (raw === 'auto') return raw;
      return Number.isSafeInteger(integer) && integer >= 1 && integer <= 256 ? integer : { error: `"${raw}" is not auto or a number of processes (1-256)` };
    case 'bytes0':
      return Number.isSafeInteger(integer) ? integer : { error: `"${raw}" is not a number of bytes` };
    case 'count':
      return Number.isSafeInteger(integer) && integer >= 1 ? integer : { error: `"${raw}" is not a whole number above 0` };
    case 'fraction':
    case 'decimal': {
      const x = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
      if (option.type === 'fraction') return x > 0 && x <= 1 ? x : { error: `"${raw}" is not a number above 0 and at most 1` };
      return x > 0 ? x : { error: `"${raw}" is not a number above 0` };
    }
    case 'count0':
      return Number.isSafeInteger(integer) ? integer : { error: `"${raw}" is not a whole number (0 = no limit)` };
    case 'url': {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        return { error: `"${raw}" is not a URL` };
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `"${raw}" must be an http(s) URL` };
      return raw.replace(/\/+$/, '');
    }
  }
}

/** The number of HTTP processes `config.workers` asks for on this machine. */
export function workerCount(config: Pick<Config, 'workers'>, cores: number): number {
  return config.workers === 'auto' ? Math.max(1, cores) : config.workers;
}
