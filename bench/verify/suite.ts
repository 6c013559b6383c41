/**
 * The API contract suite, driven by a URL: it holds any chapter's server to the contract of
 * docs/spec/event-search-api.md. The server must have ingested the simulator's sample answers
 * 1, 2 and 3 (samples mode). Each check says from which chapter on it applies (`since`), so a
 * chapter is held to the contract it was written for, never silently to less.
 */
import assert from 'node:assert/strict';
import net from 'node:net';

export interface ContractCheck {
  name: string;
  /** The first chapter number held to this check. */
  since: number;
  run(url: string): Promise<void>;
}

export const SAMPLE_RANGE = 'starts_at=2021-02-01T00:00:00Z&ends_at=2022-07-03T00:00:00Z';

/** The answer to SAMPLE_RANGE after sample answers 1, 2, 3: base plans 291, 322 and 1591 with their latest values. */
export const EXPECTED_SAMPLE_EVENTS = [
  { id: '4c405b30-d48c-53f3-b39d-2beead710061', title: 'Pantomima Full', start_date: '2021-02-10', start_time: '20:00:00', end_date: '2021-02-10', end_time: '21:30:00', min_price: 55, max_price: 55 },
  { id: 'a4eaba49-c35e-5b15-a75c-c31b47cf077a', title: 'Camela en concierto', start_date: '2021-06-30', start_time: '21:00:00', end_date: '2021-06-30', end_time: '21:30:00', min_price: 15, max_price: 30 },
  { id: '7c2f3d9d-0658-55d9-a30f-f7862bce4508', title: 'Los Morancos', start_date: '2021-07-31', start_time: '20:00:00', end_date: '2021-07-31', end_time: '21:00:00', min_price: 65, max_price: 75 },
];

const JSON_TYPE = 'application/json; charset=utf-8';

interface Answer {
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
  body: any;
}

async function get(url: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: res.status, contentType: res.headers.get('content-type'), headers: res.headers, text, body };
}

const titles = async (url: string, query: string): Promise<string[]> => (await get(`${url}/search?${query}`)).body.data.events.map((e: { title: string }) => e.title);

function assertErrorShape(answer: { status: number; contentType: string | null; body: any }, status: number, code: string): void {
  assert.equal(answer.status, status, `status ${answer.status}, expected ${status}`);
  assert.equal(answer.contentType, JSON_TYPE);
  assert.deepEqual(answer.body, { error: { code, message: answer.body?.error?.message }, data: null });
  assert.equal(typeof answer.body.error.message, 'string');
}

/** Raw bytes on a new connection; resolves with what came back before the server closed it. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

function parseRaw(text: string): { status: number; contentType: string | null; body: any } {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  const body = split === -1 ? '' : text.slice(split + 4);
  let parsed: unknown = null;
  try {
    parsed = body ? JSON.parse(body) : null;
  } catch {
    parsed = body;
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]), contentType: /^content-type: (.*)$/im.exec(head)?.[1] ?? null, body: parsed };
}

const BAD_QUERIES: Array<[string, string, string]> = [
  ['unparseable', 'starts_at=yesterday', 'starts_at'],
  ['empty', 'ends_at=', 'ends_at'],
  ['impossible date', 'starts_at=2021-02-30', 'starts_at'],
  ['impossible month', 'ends_at=2021-13-01', 'ends_at'],
  ['repeated parameter', 'starts_at=2021-02-01&starts_at=2021-03-01', 'starts_at'],
  ['starts_at after ends_at', 'starts_at=2021-03-01&ends_at=2021-02-01', 'starts_at'],
];

export const CONTRACT_CHECKS: readonly ContractCheck[] = [
  {
    name: 'the 291/322/1591 sequence: exactly those, latest values, ordered by start, JSON',
    since: 1,
    async run(url) {
      const answer = await get(`${url}/search?${SAMPLE_RANGE}`);
      assert.equal(answer.status, 200);
      assert.equal(answer.contentType, JSON_TYPE);
      assert.deepEqual(answer.body, { data: { events: EXPECTED_SAMPLE_EVENTS }, error: null });
    },
  },
  {
    name: 'plans only seen offline (444) are never returned',
    since: 1,
    async run(url) {
      assert.deepEqual(await titles(url, ''), EXPECTED_SAMPLE_EVENTS.map((e) => e.title));
    },
  },
  {
    name: 'containment, inclusive bounds, open bounds',
    since: 1,
    async run(url) {
      assert.deepEqual(await titles(url, 'starts_at=2021-06-30T21:00:00'), ['Camela en concierto', 'Los Morancos']);
      assert.deepEqual(await titles(url, 'ends_at=2021-06-30T21:30:00Z'), ['Pantomima Full', 'Camela en concierto']);
      assert.deepEqual(await titles(url, 'starts_at=2021-06-30T21:00:01'), ['Los Morancos']);
      assert.deepEqual(await titles(url, 'ends_at=2021-06-30T21:29:59'), ['Pantomima Full']);
      assert.deepEqual(await titles(url, 'starts_at=2021-06-30T21:00:00&ends_at=2021-06-30T21:30:00'), ['Camela en concierto']);
    },
  },
  {
    name: 'offsets converted to UTC, plain dates as midnight UTC',
    since: 1,
    async run(url) {
      assert.deepEqual(await titles(url, 'starts_at=2021-06-30T23:00:00%2B02:00'), ['Camela en concierto', 'Los Morancos']);
      assert.deepEqual(await titles(url, 'starts_at=2021-06-30T23:00:00+02:00'), ['Camela en concierto', 'Los Morancos']);
      assert.deepEqual(await titles(url, 'ends_at=2021-06-30T19:30:00-02:00'), ['Pantomima Full', 'Camela en concierto']);
      assert.deepEqual(await titles(url, 'starts_at=2021-07-01'), ['Los Morancos']);
    },
  },
  {
    name: 'bad queries: 400 invalid_parameter naming the parameter',
    since: 1,
    async run(url) {
      for (const [what, query, parameter] of BAD_QUERIES) {
        const answer = await get(`${url}/search?${query}`);
        assertErrorShape(answer, 400, 'invalid_parameter');
        assert.ok(answer.body.error.message.includes(parameter), `${what}: the message names ${parameter}`);
      }
    },
  },
  {
    name: 'unknown path 404, wrong method 405 with Allow, JSON error shape',
    since: 1,
    async run(url) {
      assertErrorShape(await get(`${url}/events`), 404, 'not_found');
      for (const [method, route] of [['POST', '/search'], ['DELETE', '/health'], ['PUT', '/search']]) {
        const answer = await get(`${url}${route}`, { method });
        assertErrorShape(answer, 405, 'method_not_allowed');
        assert.equal(answer.headers.get('allow'), 'GET, HEAD');
      }
    },
  },
  {
    name: 'the same query answers the same bytes',
    since: 1,
    async run(url) {
      const [a, b] = [await get(`${url}/search?${SAMPLE_RANGE}`), await get(`${url}/search?${SAMPLE_RANGE}`)];
      assert.equal(a.text, b.text);
    },
  },
  {
    name: 'paths are exact: /SEARCH and /search/ are 404',
    since: 2,
    async run(url) {
      for (const route of ['/SEARCH', '/search/', '/Health']) assertErrorShape(await get(`${url}${route}?${SAMPLE_RANGE}`), 404, 'not_found');
    },
  },
  {
    name: 'array syntax for a bound (starts_at[]=, starts_at[a]=) is 400',
    since: 2,
    async run(url) {
      for (const query of ['starts_at[]=2021-02-01', 'starts_at[a]=2021-02-01']) assertErrorShape(await get(`${url}/search?${query}`), 400, 'invalid_parameter');
    },
  },
  {
    name: 'error messages never echo kilobytes of input',
    since: 2,
    async run(url) {
      const answer = await get(`${url}/search?starts_at=${'x'.repeat(8000)}`);
      assertErrorShape(answer, 400, 'invalid_parameter');
      assert.ok(answer.body.error.message.length < 300, `message of ${answer.body.error.message.length} characters`);
    },
  },
  {
    name: 'protocol errors in the JSON error shape: 431 too-large headers, 400 malformed request line',
    since: 2,
    async run(url) {
      assertErrorShape(parseRaw(await rawExchange(url, `GET /search?starts_at=${'1'.repeat(65536)} HTTP/1.1\r\nHost: x\r\n\r\n`)), 431, 'headers_too_large');
      assertErrorShape(parseRaw(await rawExchange(url, 'GARBAGE\r\n\r\n')), 400, 'bad_request');
    },
  },
  {
    name: '/health reports status, poll failures, catalogue age and the cache',
    since: 4,
    async run(url) {
      const answer = await get(`${url}/health`);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.data.status, 'ok');
      for (const field of ['consecutiveFailures', 'lastError', 'catalogueAgeMs', 'cache']) assert.ok(field in answer.body.data, `/health has ${field}`);
    },
  },
];

export interface CheckOutcome {
  name: string;
  since: number;
  ok: boolean;
  error?: string;
}

/** The checks a chapter is held to. */
export function checksFor(chapterNumber: number, checks: readonly ContractCheck[] = CONTRACT_CHECKS): ContractCheck[] {
  return checks.filter((check) => check.since <= chapterNumber);
}

/** Runs the chapter's checks against `url`, each to its end; never throws. */
export async function runSuite(url: string, chapterNumber: number, checks: readonly ContractCheck[] = CONTRACT_CHECKS): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = [];
  for (const check of checksFor(chapterNumber, checks)) {
    try {
      await check.run(url);
      outcomes.push({ name: check.name, since: check.since, ok: true });
    } catch (error) {
      outcomes.push({ name: check.name, since: check.since, ok: false, error: (error as Error).message.split('\n').slice(0, 6).join('\n') });
    }
  }
  return outcomes;
}
