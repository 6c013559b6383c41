/**
 * The kernel connection limit: the not-run reasons with an injected command runner, and
 * — where this process is root with iptables — a real rule on an ephemeral loopback port.
 */
import { spawnSync } from 'node:child_process';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { addConnlimitRule, cleanLeftoverRules, connlimitRuleSpec, iptablesUnavailable, KernelLimitUnavailable, perfBookRules, ruleComment, runCommand, type CommandRunner } from './connlimit.ts';

/** Fake iptables: answers per subcommand, records the calls. */
function fakeIptables(answers: Partial<Record<'-V' | '-I' | '-D' | '-S', { code: number | null; stdout?: string; stderr?: string; error?: string }>>, isRoot = true) {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    const answer = answers[args[0] as '-V'] ?? { code: 0 };
    return { stdout: '', stderr: '', ...answer };
  };
  return { access: { run, isRoot: () => isRoot }, calls };
}

describe('the connlimit rule', () => {
  it('is the contract rule, on the port, with a perf-book comment naming its owner and pid', () => {
    expect(connlimitRuleSpec(4321, 8, ruleComment('session 3', 99))).toEqual([
      '-i', 'lo', '-p', 'tcp', '--syn', '--dport', '4321', '-m', 'connlimit', '--connlimit-above', '8', '--connlimit-mask', '0',
      '-m', 'comment', '--comment', 'perf-book:session_3:pid-99', '-j', 'REJECT', '--reject-with', 'tcp-reset',
    ]);
  });

  it('cannot be added without root, without iptables, or when iptables refuses it: KernelLimitUnavailable with the reason', async () => {
    const notRoot = fakeIptables({}, false);
    await expect(addConnlimitRule(1234, 2, 's1', notRoot.access)).rejects.toThrow(KernelLimitUnavailable);
    await expect(addConnlimitRule(1234, 2, 's1', notRoot.access)).rejects.toThrow(/needs root/);
    expect(notRoot.calls).toEqual([]);
    const missing = fakeIptables({ '-V': { code: null, error: 'spawn iptables ENOENT' } });
    await expect(addConnlimitRule(1234, 2, 's1', missing.access)).rejects.toThrow(/iptables is not available \(spawn iptables ENOENT\); install it: apt-get install iptables/);
    const refused = fakeIptables({ '-I': { code: 4, stderr: "iptables v1.8.9 (nf_tables): Couldn't load match `connlimit'\n" } });
    await expect(addConnlimitRule(1234, 2, 's1', refused.access)).rejects.toThrow(/iptables refused the connlimit rule on port 1234: .*connlimit/);
  });

  it('is removed once, by the same words it was added with', async () => {
    const fake = fakeIptables({});
    const rule = await addConnlimitRule(1234, 2, 's1', fake.access);
    await rule.remove();
    await rule.remove();
    const [, insert, remove] = fake.calls;
    expect(insert.slice(0, 3)).toEqual(['iptables', '-I', 'INPUT']);
    expect(remove).toEqual(['iptables', '-D', 'INPUT', ...insert.slice(3)]);
    expect(fake.calls).toHaveLength(3);
  });

  it('finds perf-book rules in iptables -S output and whether their bench still runs', () => {
    const listing = [
      '-P INPUT ACCEPT',
      '-A INPUT -i lo -p tcp -m tcp --dport 45999 --tcp-flags FIN,SYN,RST,ACK SYN -m connlimit --connlimit-above 2 --connlimit-mask 0 --connlimit-saddr -m comment --comment "perf-book:session-1:pid-11" -j REJECT --reject-with tcp-reset',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -i lo -p tcp -m tcp --dport 46000 --tcp-flags FIN,SYN,RST,ACK SYN -m comment --comment perf-book:session-2:pid-22 -j REJECT --reject-with tcp-reset',
    ].join('\n');
    expect(perfBookRules(listing, (pid) => pid === 22).map((r) => [r.pid, r.ownerAlive])).toEqual([[11, false], [22, true]]);
  });
});

/** Real iptables, where this process can use it. */
const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) await new Promise((r) => server.close(r));
});

async function holdingServer(): Promise<number> {
  const server = createServer((socket) => sockets.push(socket));
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return (server.address() as { port: number }).port;
}

/** Opens a connection: 'open', or the error code the kernel answered. */
function connect(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    sockets.push(socket);
    socket.once('connect', () => resolve('open'));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const rulesOnPort = (port: number) => spawnSync('iptables', ['-S', 'INPUT'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l.includes(`--dport ${port} `));

describe('the connlimit rule for real', () => {
  it('refuses a connection beyond the limit while it is in place, and is gone after (or, not root: not run)', async () => {
    const port = await holdingServer();
    const unavailable = await iptablesUnavailable();
    if (unavailable) {
      // Not root or no iptables here: the subject is not run, with the reason.
      await expect(addConnlimitRule(port, 2, 'test')).rejects.toThrow(KernelLimitUnavailable);
      return;
    }
    const rule = await addConnlimitRule(port, 2, 'test');
    try {
      expect(rulesOnPort(port)).toEqual([expect.stringMatching(new RegExp(`--connlimit-above 2 .*--comment "?perf-book:test:pid-${process.pid}"? `))]);
      expect(await connect(port)).toBe('open');
      expect(await connect(port)).toBe('open');
      expect(await connect(port)).toBe('ECONNREFUSED'); // the kernel's reset, before the server sees it
    } finally {
      await rule.remove();
    }
    expect(rulesOnPort(port)).toEqual([]);
    expect(await connect(port)).toBe('open');
  });

  it('--clean-iptables removes the rules of a bench that is gone and keeps those of one that runs', async () => {
    const port = await holdingServer();
    if (await iptablesUnavailable()) {
      await expect(cleanLeftoverRules()).rejects.toThrow(/cannot look for leftover rules/);
      return;
    }
    const gone = spawnSync(process.execPath, ['-e', '0']).pid; // a pid that has exited
    const leftover = connlimitRuleSpec(port, 3, ruleComment('killed', gone));
    expect((await runCommand('iptables', ['-I', 'INPUT', ...leftover])).code).toBe(0);
    const ours = await addConnlimitRule(port, 4, 'running');
    try {
      const report = await cleanLeftoverRules();
      expect(report.filter((l) => l.includes(`--dport ${port} `))).toEqual([
        expect.stringMatching(new RegExp(`^kept \\(its bench, pid ${process.pid}, still runs\\): .*--connlimit-above 4`)),
        expect.stringMatching(/^removed: .*--connlimit-above 3/),
      ]);
      expect(rulesOnPort(port)).toEqual([expect.stringMatching(/--connlimit-above 4/)]);
    } finally {
      await ours.remove();
      await runCommand('iptables', ['-D', 'INPUT', ...leftover]); // in case the assertion above failed
    }
    expect(rulesOnPort(port)).toEqual([]);
  });
});
