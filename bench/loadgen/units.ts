// Unit-suffixed numbers as load generators print them: times (µs/us/ms/s/m/h), SI counts
// (k/M/G, powers of 1000, as wrk's format_metric) and byte sizes (KB/MB/GB, powers of 1024,
// as wrk's format_binary).

const TIME_TO_US: Record<string, number> = {
  ns: 1e-3,
  us: 1,
  'µs': 1,
  'μs': 1, // Greek mu, which some tools print instead of the micro sign
  ms: 1e3,
  s: 1e6,
  m: 60e6,
  h: 3600e6,
};

const SI: Record<string, number> = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

const BYTES: Record<string, number> = {
  B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4,
  KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4,
};

function split(text: string, what: string): { value: number; unit: string } {
  const match = /^\s*([-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([A-Za-zµμ]*)\s*$/.exec(text);
  if (!match) throw new Error(`not a ${what}: ${JSON.stringify(text)}`);
  return { value: Number(match[1]), unit: match[2] };
}

/** "1.23ms" → 1230 (microseconds). A bare number is rejected: a time needs its unit. */
export function parseDurationToMicroseconds(text: string): number {
  const { value, unit } = split(text, 'time');
  const factor = TIME_TO_US[unit];
  if (factor === undefined) throw new Error(`unknown time unit in ${JSON.stringify(text)} (expected us, ms, s, m or h)`);
  return value * factor;
}

/** "12.34k" → 12340; "2M" → 2000000; "17" → 17. */
export function parseSiNumber(text: string): number {
  const { value, unit } = split(text, 'number');
  const factor = SI[unit];
  if (factor === undefined) throw new Error(`unknown SI suffix in ${JSON.stringify(text)} (expected k, M or G)`);
  return value * factor;
}

/** "4.52MB" → 4739563.52 (1 MB = 1024² bytes, as wrk prints it). */
export function parseByteSize(text: string): number {
  const { value, unit } = split(text, 'byte size');
  const factor = BYTES[unit];
  if (factor === undefined) throw new Error(`unknown byte unit in ${JSON.stringify(text)} (expected B, KB, MB or GB)`);
  return value * factor;
}
