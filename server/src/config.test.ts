import { describe, expect, it } from 'vitest';
import { helpText, parseConfig, workerCount } from './config.ts';

const base = ['--provider-url', 'http://127.0.0.1:9000/'];

describe('parseConfig', () => {
  it('applies defaults and strips a trailing slash from the provider URL', () => {
    const parsed = parseConfig(base, {});
    expect(parsed).toEqual({
      kind: 'config',
      config: {
        host: '127.0.0.1', port: 8080, providerUrl: 'http://127.0.0.1:9000', pollIntervalMs: 10000, pollTimeoutMs: 10000,
        backoffMaxMs: 30000, maxBodyBytes: 16 * 1024 * 1024, dataDir: './event-search-data', shutdownTimeoutMs: 10000, cacheMaxBytes: 64 * 1024 * 1024, workers: 1, httpLayer: 'lean', metricsPort: null, maxInFlight: 64, maxConnections: 0, headersTimeoutMs: 10000, limiter: 'adaptive', refusal: 'fair', refusedPause: 'next-turn', turnBudgetMs: 5, standingMs: 100, targetMs: 5, compression: 'on-demand', compressAfter: 3, compressionMaxBytes: 16 * 1024 * 1024, limitMin: 32, limitMax: 1024,
        scaleOutWindow: 3, scaleOutElu: 0.9, scaleOutInFlightRatio: 0.8, scaleOutP99Ms: 25, scaleOutRejectionRatio: 0.01,
      },
    });
  });

  it('reads the environment, and flags win over it', () => {
    const parsed = parseConfig(['--port=9001'], { PORT: '9000', PROVIDER_URL: 'http://p', POLL_INTERVAL_MS: '250', DATA_DIR: '/tmp/x' });
    expect(parsed.kind === 'config' && parsed.config).toMatchObject({ port: 9001, providerUrl: 'http://p', pollIntervalMs: 250, dataDir: '/tmp/x' });
  });

  it('asks for help', () => {
    expect(parseConfig(['--port', 'x', '-h'], {})).toEqual({ kind: 'help' });
    expect(helpText()).toContain('--data-dir');
  });

  it('reads the number of HTTP processes', () => {
    const config = (args: string[]) => {
      const parsed = parseConfig([...base, ...args], {});
      return parsed.kind === 'config' ? workerCount(parsed.config, 8) : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(config([])).toBe(1);
    expect(config(['--workers', 'auto'])).toBe(8);
    expect(config(['--workers', '3'])).toBe(3);
    expect(config(['--workers', '0'])).toBe('--workers: "0" is not auto or a number of processes (1-256)');
  });

  it('reads the limits, 0 meaning none', () => {
    const limits = (args: string[], env: Record<string, string> = {}) => {
      const parsed = parseConfig([...base, ...args], env);
      return parsed.kind === 'config' ? [parsed.config.maxInFlight, parsed.config.maxConnections] : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(limits(['--max-in-flight', '0', '--max-connections', '100'])).toEqual([0, 100]);
    expect(limits([], { MAX_IN_FLIGHT: '8', MAX_CONNECTIONS: '2', LIMITER: 'fixed' })).toEqual([8, 2]);
    expect(limits(['--max-in-flight', '-1'])).toBe('--max-in-flight: "-1" is not a whole number (0 = no limit)');
    expect(limits(['--max-connections', '1.5'])).toBe('--max-connections: "1.5" is not a whole number (0 = no limit)');
    expect(limits(['--http-layer', 'fastify'])).toBe('--max-in-flight needs --http-layer lean or node (got fastify); give --max-in-flight 0 with it');
    expect(limits(['--http-layer', 'fastify', '--max-in-flight', '0', '--max-connections', '3'])).toEqual([0, 3]);
  });

  it('reads the standing queue\'s target, refusing a turn budget below it where there is a limit', () => {
    const target = (args: string[]) => {
      const parsed = parseConfig([...base, ...args], {});
      return parsed.kind === 'config' ? [parsed.config.targetMs, parsed.config.turnBudgetMs, parsed.config.standingMs] : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(target([])).toEqual([5, 5, 100]);
    expect(target(['--target-ms', '0', '--turn-budget-ms', '0'])).toEqual([0, 0, 100]); // chapter 18: by count
    expect(target(['--target-ms', '10', '--turn-budget-ms', '10'])).toEqual([10, 10, 100]);
    expect(target(['--turn-budget-ms', '0'])).toBe('--target-ms 5 needs --turn-budget-ms of at least 5 (got 0): while behind, searches are refused once their turn has run the budget; --target-ms 0 refuses by count (chapter 18)');
    expect(target(['--target-ms', '20'])).toMatch(/^--target-ms 20 needs --turn-budget-ms of at least 20 \(got 5\)/);
    expect(target(['--max-in-flight', '0', '--turn-budget-ms', '0'])).toEqual([5, 0, 100]); // no limit: nothing to refuse
  });

  it('chooses whom to refuse and whether a refused connection is read in the next turn (chapter 20)', () => {
    const refusal = (args: string[]) => {
      const parsed = parseConfig([...base, ...args], {});
      return parsed.kind === 'config' ? [parsed.config.refusal, parsed.config.refusedPause] : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(refusal([])).toEqual(['fair', 'next-turn']);
    expect(refusal(['--refusal', 'fair-past-limit', '--refused-pause', 'none'])).toEqual(['fair-past-limit', 'none']);
    expect(refusal(['--refused-pause', 'later'])).toMatch(/--refused-pause/);
  });

  it('chooses the limiter and the adaptive bounds, refusing bounds that exclude the starting limit', () => {
    const limiter = (args: string[], env: Record<string, string> = {}) => {
      const parsed = parseConfig([...base, ...args], env);
      return parsed.kind === 'config' ? [parsed.config.limiter, parsed.config.maxInFlight, parsed.config.limitMin, parsed.config.limitMax] : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(limiter([])).toEqual(['adaptive', 64, 32, 1024]);
    expect(limiter(['--limiter', 'fixed', '--max-in-flight', '0'])).toEqual(['fixed', 0, 32, 1024]);
    expect(limiter(['--limit-min', '2', '--limit-max', '16', '--max-in-flight', '4'])).toEqual(['adaptive', 4, 2, 16]);
    expect(limiter([], { LIMITER: 'fixed', LIMIT_MIN: '1', LIMIT_MAX: '2' })).toEqual(['fixed', 64, 1, 2]);
    expect(limiter(['--limiter', 'vegas'])).toBe('--limiter: "vegas" is not one of fixed, adaptive');
    expect(limiter(['--limit-min', '0'])).toBe('--limit-min: "0" is not a whole number above 0');
    expect(limiter(['--max-in-flight', '0', '--limit-min', '9'])).toEqual(['adaptive', 0, 9, 1024]); // no limit to adapt
    expect(limiter(['--limit-min', '100', '--limit-max', '10'])).toBe('--limit-min 100 is above --limit-max 10');
    expect(limiter(['--limit-max', '48'])).toBe('--max-in-flight 64 is outside the adaptive bounds --limit-min 32 .. --limit-max 48');
  });

  it('reads the scale-out rule\'s thresholds, refusing impossible ones', () => {
    const rule = (args: string[], env: Record<string, string> = {}) => {
      const parsed = parseConfig([...base, ...args], env);
      const c = parsed.kind === 'config' ? parsed.config : null;
      return c ? [c.scaleOutWindow, c.scaleOutElu, c.scaleOutInFlightRatio, c.scaleOutP99Ms, c.scaleOutRejectionRatio] : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(rule(['--scale-out-window', '5', '--scale-out-elu', '0.75', '--scale-out-in-flight-ratio', '1.5', '--scale-out-p99-ms', '40'], { SCALE_OUT_REJECTION_RATIO: '0.05' })).toEqual([5, 0.75, 1.5, 40, 0.05]);
    expect(rule(['--scale-out-elu', '1.2'])).toBe('--scale-out-elu: "1.2" is not a number above 0 and at most 1');
    expect(rule(['--scale-out-rejection-ratio', '0'])).toBe('--scale-out-rejection-ratio: "0" is not a number above 0 and at most 1');
    expect(rule(['--scale-out-in-flight-ratio', '-1'])).toBe('--scale-out-in-flight-ratio: "-1" is not a number above 0');
    expect(rule(['--scale-out-window', '0'])).toBe('--scale-out-window: "0" is not a whole number above 0');
  });

  it('selects the HTTP layer, refusing unknown ones', () => {
    const parsed = parseConfig([...base, '--http-layer', 'fastify', '--max-in-flight', '0'], {});
    expect(parsed.kind === 'config' && parsed.config.httpLayer).toBe('fastify');
    expect(parseConfig([...base, '--http-layer', 'express'], {})).toEqual({ kind: 'error', message: '--http-layer: "express" is not one of lean, node, fastify' });
  });

  it('selects the compression policy and its bounds, refusing unknown ones', () => {
    const parsed = parseConfig([...base, '--compression', 'second-sight', '--compress-after', '5'], { COMPRESSION_MAX_BYTES: '1000' });
    expect(parsed.kind === 'config' && [parsed.config.compression, parsed.config.compressAfter, parsed.config.compressionMaxBytes]).toEqual(['second-sight', 5, 1000]);
    expect(parseConfig([...base, '--compression', 'always'], {})).toEqual({ kind: 'error', message: '--compression: "always" is not one of on-demand, second-sight' });
    expect(parseConfig([...base, '--compress-after', '0'], {})).toEqual({ kind: 'error', message: '--compress-after: "0" is not a whole number above 0' });
  });

  it('reads the metrics port, none by default', () => {
    const port = (args: string[], env: Record<string, string> = {}) => {
      const parsed = parseConfig([...base, ...args], env);
      return parsed.kind === 'config' ? parsed.config.metricsPort : parsed.kind === 'error' ? parsed.message : 'help';
    };
    expect(port([])).toBeNull();
    expect(port(['--metrics-port', '0'])).toBe(0);
    expect(port([], { METRICS_PORT: '9464' })).toBe(9464);
    expect(port(['--metrics-port', 'x'])).toBe('--metrics-port: "x" is not a port number (0-65535)');
    expect(port(['--metrics-port', '0', '--workers', '2'])).toBe('--metrics-port needs --workers 1 (got 2): the metrics describe a single process');
    expect(port(['--metrics-port', '0', '--workers', 'auto'])).toBe('--metrics-port needs --workers 1 (got auto): the metrics describe a single process');
    expect(port(['--metrics-port', '0', '--http-layer', 'fastify'])).toBe('--metrics-port needs --http-layer lean or node (got fastify): only that layer records the request metrics');
    expect(helpText()).toMatch(/--metrics-port <port> .*\(default none\); env METRICS_PORT/);
  });

  it.each([
    [['--port', '70000', ...base], '--port: "70000" is not a port number (0-65535)'],
    [['--poll-interval', '-5', ...base], '--poll-interval: "-5" is not a positive number of milliseconds'],
    [['--poll-interval'], '--poll-interval needs a value'],
    [['--poll-interval', '1.5', ...base], '--poll-interval: "1.5" is not a positive number of milliseconds'],
    [['--nope', ...base], 'unknown option "--nope"'],
    [['--port', '1', '--port', '2', ...base], '--port given more than once'],
    [[], '--provider-url (or PROVIDER_URL) is required'],
    [['--provider-url', 'localhost:80'], '--provider-url: "localhost:80" must be an http(s) URL'],
  ])('rejects %j', (argv, message) => {
    expect(parseConfig(argv, {})).toEqual({ kind: 'error', message });
  });

  it('names the environment variable when it is the bad source', () => {
    expect(parseConfig(base, { PORT: 'abc' })).toEqual({ kind: 'error', message: 'PORT: "abc" is not a port number (0-65535)' });
  });
});
