/**
 * What a server under test says of itself around a run (side effects at the edge): the body
 * of its contract's ready path (e.g. /health, which from chapter 4 on reports its response
 * cache), and the peak resident memory of its processes. Diagnostics beside a measurement,
 * never a measurement's substitute: no answer is NULL, not a default.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { processTree } from '../proc/processes.ts';

/** Largest body kept: a report is a few hundred bytes; anything far larger is not one. */
export const MAX_REPORT_BYTES = 64 * 1024;

/** The JSON body of GET `url` + `path` with a 200, or null (other status, not JSON, too large, no answer within 2 s). */
export function fetchServerReport(url: string, path: string): Promise<string | null> {
  return new Promise((resolve) => {
    const request = http.get(new URL(path, url), { agent: false, timeout: 2000 }, (response) => {
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REPORT_BYTES) request.destroy();
        else chunks.push(chunk);
      });
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve(response.statusCode === 200 && isJson(text) ? text : null);
      });
      response.on('error', () => resolve(null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** A memory field of /proc/<pid>/status (VmHWM: the peak resident set; VmRSS: the current one), bytes; null when the process is gone or the kernel does not say. */
function statusBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export const peakRssBytes = (pid: number): number | null => statusBytes(pid, 'VmHWM');
export const rssBytes = (pid: number): number | null => statusBytes(pid, 'VmRSS');

/** A field summed over a server's process tree (a cluster's primary and workers); null when the server itself is gone. */
function treeBytes(pid: number, field: 'VmHWM' | 'VmRSS'): number | null {
  const values = processTree(pid).map((p) => statusBytes(p, field));
  return values[0] === null ? null : values.reduce<number>((sum, value) => sum + (value ?? 0), 0);
}

/** Peak resident memory summed over a server's process tree. */
export const treePeakRssBytes = (pid: number): number | null => treeBytes(pid, 'VmHWM');

/** Resident memory now, summed over a server's process tree (the soak's per-second reading). */
export const treeRssBytes = (pid: number): number | null => treeBytes(pid, 'VmRSS');
