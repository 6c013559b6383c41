// `npm run loadgen`: runs one load generator once and prints what it measured (see HELP in
// cli-args.ts). Exit codes (cli/exit.ts): 0 measured, 1 the run failed, 2 bad flags.
import { readFileSync } from 'node:fs';
import { startReferenceServer } from '../reference/reference-server.ts';
import { UsageError } from '../../cli/args.ts';
import { runCommand } from '../../cli/exit.ts';
import { HELP, parseLoadgenArgs } from './cli-args.ts';
import { requireTool, saturationCores } from './index.ts';
import { checkRequest } from './request.ts';
import { defaultBody } from './reference-body.ts';
import type { LoadRequest, LoadResult, ToolInfo } from './types.ts';

const fixed = (value: number | null | undefined, digits: number): string => (value === null || value === undefined ? '—' : value.toFixed(digits));

function summary(tool: ToolInfo, request: LoadRequest, result: LoadResult, cores: number, target: string): string {
  const lines = [
    `${tool.name} ${tool.version} → ${target}${request.paths.join(',')} · ${request.connections} connections · ${request.durationSeconds} s · keep-alive ${request.keepAlive ? 'on' : 'off'}`,
    result.ok ? `ok: ${fixed(result.requestsPerSecond, 0)} req/s (2xx)` : `FAILED: ${result.failure}`,
    `requests ${result.totalRequests} · 2xx ${result.successfulRequests} · non-2xx ${result.non2xx} · socket errors ${result.socketErrors} · timeouts ${result.timeoutErrors} · ${result.bytes} bytes`,
    result.latencyUs
      ? `latency µs: avg ${fixed(result.latencyUs.avg, 0)} · p50 ${fixed(result.latencyUs.p50, 0)} · p90 ${fixed(result.latencyUs.p90, 0)} · p99 ${fixed(result.latencyUs.p99, 0)} · max ${fixed(result.latencyUs.max, 0)}`
      : 'latency: not measured',
    `load generator: ${fixed(result.cpuSeconds, 2)} s CPU in ${fixed(result.wallSeconds, 2)} s wall (can use ${cores} core${cores === 1 ? '' : 's'})`,
    ...result.samples.map((s) => `  second ${s.second}: ${fixed(s.requestsPerSecond, 0)} req/s · ${s.errors} errors · p99 ${s.p99LatencyUs === null ? '—' : `${fixed(s.p99LatencyUs, 0)} µs`}`),
  ];
  return lines.join('\n');
}

async function main(argv: string[]): Promise<number> {
  const options = parseLoadgenArgs(argv);
  if (options.help) {
    console.log(HELP);
    return 0;
  }
  let generatorAndTool;
  try {
    generatorAndTool = await requireTool(options.tool);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { generator, tool } = generatorAndTool;
  const reference = options.url === null
    ? await startReferenceServer(options.bodyFile ? readFileSync(options.bodyFile) : defaultBody(), { 'content-type': options.contentType })
    : null;
  try {
    const request: LoadRequest = { ...options.request, url: options.url ?? reference!.url };
    try {
      checkRequest(request);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const result = await generator.run(request, options.json ? undefined : (s) => process.stderr.write(`  … second ${s.second}: ${s.requestsPerSecond.toFixed(0)} req/s\n`));
    const target = reference ? `reference server ${reference.url}` : request.url;
    console.log(options.json ? JSON.stringify({ tool, request, result }, null, 2) : summary(tool, request, result, saturationCores(generator, request), target));
    return result.ok ? 0 : 1;
  } finally {
    await reference?.stop();
  }
}

await runCommand('loadgen', () => main(process.argv.slice(2)));
