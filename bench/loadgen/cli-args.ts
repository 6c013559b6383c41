/** Command-line flags of `npm run loadgen`, parsed and checked (pure: no I/O). */
import { numberFlag, parseFlags, UsageError } from '../../cli/args.ts';
import { knownLoadGenerators } from './index.ts';
import type { LoadRequest } from './types.ts';


export interface LoadgenCliOptions {
  tool: string;
  /** The target; null = start the reference server and load it. */
  url: string | null;
  bodyFile: string | null;
  contentType: string;
  request: Omit<LoadRequest, 'url'>;
  json: boolean;
  help: boolean;
}

export const HELP = `Usage: npm run loadgen -- [options]

Runs one load generator once and prints what it measured: 2xx requests per second,
latency (µs), errors, per-second samples, and the tool's own CPU time. Targets only
127.0.0.1/localhost. Without --url it starts the reference server (a bare node:http
server in a child process answering --body-file's bytes) and loads that.

Options:
  --tool <name>          ${knownLoadGenerators.join(', ')}                    (default autocannon)
  --url <base>           http://127.0.0.1:<port> or http://localhost:<port>  (default: reference server)
  --body-file <file>     reference server body                  (default: a 1 KiB JSON document)
  --content-type <type>  reference server Content-Type                (default application/json)
  --path <path>          request path; repeat for a mix (each connection cycles)   (default /)
  --connections <n>      concurrent connections                                   (default 10)
  --duration <s>         seconds of load (wrk: whole seconds)                      (default 5)
  --threads <n>          wrk threads                                               (default 1)
  --timeout <s>          per-request timeout                                      (default 10)
  --no-keepalive         a new TCP connection per request ('Connection: close')
  --json                 print the whole LoadResult (with the tool's raw output) as JSON
  --help                 show this help

Exit code: 0 the run succeeded, 1 the run failed (no 2xx response, the tool failed),
2 bad flags or the tool is not installed.`;

export function parseLoadgenArgs(argv: string[]): LoadgenCliOptions {
  const { values } = parseFlags({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      tool: { type: 'string' },
      url: { type: 'string' },
      'body-file': { type: 'string' },
      'content-type': { type: 'string' },
      path: { type: 'string', multiple: true },
      connections: { type: 'string' },
      duration: { type: 'string' },
      threads: { type: 'string' },
      timeout: { type: 'string' },
      'no-keepalive': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  const tool = values.tool ?? 'autocannon';
  if (!knownLoadGenerators.includes(tool)) throw new UsageError(`--tool must be one of ${knownLoadGenerators.join(', ')} (got ${JSON.stringify(tool)})`);
  if (values.url !== undefined && (values['body-file'] !== undefined || values['content-type'] !== undefined)) {
    throw new UsageError('--body-file and --content-type describe the reference server: use them without --url');
  }
  return {
    tool,
    url: values.url ?? null,
    bodyFile: values['body-file'] ?? null,
    contentType: values['content-type'] ?? 'application/json',
    request: {
      paths: values.path ?? ['/'],
      connections: numberFlag('--connections', values.connections, { integer: true, min: 1, fallback: 10 }),
      durationSeconds: numberFlag('--duration', values.duration, { above: 0, fallback: 5 }),
      threads: numberFlag('--threads', values.threads, { integer: true, min: 1, fallback: 1 }),
      timeoutSeconds: numberFlag('--timeout', values.timeout, { above: 0, fallback: 10 }),
      keepAlive: values['no-keepalive'] !== true,
    },
    json: values.json === true,
    help: values.help === true,
  };
}
