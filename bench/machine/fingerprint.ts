/**
 * What machine a measurement was taken on. Results are only compared (and only
 * skipped as "already measured") within one fingerprint: a hash of the fields that
 * change what a benchmark measures — CPU model, usable cores, memory (rounded to
 * 256 MiB so tiny reporting differences do not split a machine), kernel, OS and
 * Node version.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';

export interface MachineInfo {
  fingerprint: string;
  cpu_model: string;
  cores: number;
  memory_bytes: number;
  kernel: string;
  os: string;
  node_version: string;
  details_json: string;
}

function distribution(): string | null {
  try {
    const text = readFileSync('/etc/os-release', 'utf8');
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    return match ? match[1] : null;
  } catch {
    return null;
  }
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const cpu_model = (cpus[0]?.model ?? 'unknown').replace(/\s+/g, ' ').trim();
  const cores = os.availableParallelism();
  const memory_bytes = os.totalmem();
  const kernel = os.release();
  const distro = distribution();
  const osName = `${os.type()} ${os.arch()}${distro ? ` (${distro})` : ''}`;
  const node_version = process.version;
  const memoryBucket = Math.round(memory_bytes / (256 * 1024 * 1024));
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([cpu_model, cores, memoryBucket, kernel, osName, node_version]))
    .digest('hex')
    .slice(0, 16);
  const details_json = JSON.stringify({
    arch: os.arch(),
    platform: os.platform(),
    logical_cpus: cpus.length,
    cpu_mhz: cpus[0]?.speed ?? null,
    v8: process.versions.v8,
    uv: process.versions.uv,
  });
  return { fingerprint, cpu_model, cores, memory_bytes, kernel, os: osName, node_version, details_json };
}
