import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectProfiles, monotonicMicros, pidOfProfileName, stateAndGroup, stopProfiledServer, withCpuProfile } from './capture.ts';

describe('withCpuProfile', () => {
  it('inserts the flags right after node', () => {
    expect(withCpuProfile(['node', 'server/dist/server.mjs', '--port', '1'], '/p')).toEqual(['node', '--cpu-prof', '--cpu-prof-dir', '/p', 'server/dist/server.mjs', '--port', '1']);
    expect(withCpuProfile(['/usr/local/bin/node', 'a.mjs'], '/p')[1]).toBe('--cpu-prof');
    expect(withCpuProfile([process.execPath, 'a.mjs'], '/p')[1]).toBe('--cpu-prof');
  });

  it('refuses a command that does not run node directly', () => {
    expect(() => withCpuProfile(['npm', 'start'], '/p')).toThrow(/must run `node` directly.*NODE_OPTIONS/);
    expect(() => withCpuProfile([], '/p')).toThrow(/must run `node` directly/);
  });
});

describe('file names and /proc lines', () => {
  it('reads the pid from Node profile names', () => {
    expect(pidOfProfileName('CPU.20261123.150028.5801.0.001.cpuprofile')).toBe(5801);
    expect(pidOfProfileName('mine.cpuprofile')).toBeNull();
  });

  it('reads state and process group after the last parenthesis', () => {
    expect(stateAndGroup('42 (a) b) (c) S 1 40 40 0 -1')).toEqual({ state: 'S', pgrp: 40 });
  });
});

describe('recording real processes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-capture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  /** Starts `file` profiled into a fresh directory, as its own process group; resolves once it printed `ready`. */
  const start = async (file: string) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    mkdirSync(out);
    const [program, ...args] = withCpuProfile([process.execPath, file], out);
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    await new Promise<void>((ready, fail) => {
      let seen = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        if (seen.includes('ready')) ready();
      });
      child.once('exit', (code) => fail(new Error(`${file} exited (${code}) before it was ready`)));
    });
    return { pid: child.pid!, out };
  };

  it('writes the profile of a server whose SIGTERM handler exits', async () => {
    const server = await start(script('graceful.mjs', "import http from 'node:http';\nconst s = http.createServer((q, r) => r.end('x')).listen(0, '127.0.0.1', () => console.log('ready'));\nprocess.on('SIGTERM', () => s.close(() => process.exit(0)));\n"));
    const loadStart = monotonicMicros();
    await stopProfiledServer(server.pid);
    const profiles = collectProfiles(server.out);
    expect(profiles.map((p) => [p.process, p.pid])).toEqual([['main', server.pid]]);
    expect(profiles[0].profile.samples.length).toBeGreaterThan(0);
    // One clock: the bench's reading while the server ran lies inside the profile's span.
    expect(profiles[0].profile.startTime).toBeLessThan(loadStart);
    expect(profiles[0].profile.endTime).toBeGreaterThan(loadStart);
  });

  it('writes one profile per node:cluster process, the primary labelled main', async () => {
    const server = await start(
      script(
        'cluster.mjs',
        "import cluster from 'node:cluster';\nimport http from 'node:http';\n" +
          "if (cluster.isPrimary) {\n  let up = 0;\n  for (let i = 0; i < 2; i++) cluster.fork().on('listening', () => { if (++up === 2) console.log('ready'); });\n  process.on('SIGTERM', () => process.exit(0));\n" +
          "} else http.createServer((q, r) => r.end('x')).listen(0, '127.0.0.1');\n",
      ),
    );
    await stopProfiledServer(server.pid);
    const profiles = collectProfiles(server.out);
    expect(profiles.map((p) => p.process)).toEqual(['main', 'worker-1', 'worker-2']);
    expect(profiles[0].pid).toBe(server.pid);
    expect(new Set(profiles.map((p) => p.pid)).size).toBe(3);
  });

  it('says why there is no profile when the server died of the signal', async () => {
    const server = await start(script('abrupt.mjs', "import http from 'node:http';\nhttp.createServer().listen(0, '127.0.0.1', () => console.log('ready'));\n"));
    await stopProfiledServer(server.pid);
    expect(() => collectProfiles(server.out)).toThrow(/no \.cpuprofile in .*process\.exit\(\)/);
  });

  it('kills a server that ignores SIGTERM and rejects', async () => {
    const server = await start(script('stubborn.mjs', "process.on('SIGTERM', () => {});\nsetInterval(() => {}, 1000);\nconsole.log('ready');\n"));
    await expect(stopProfiledServer(server.pid, 300)).rejects.toThrow(/did not exit within 0.3 s/);
  });
});
