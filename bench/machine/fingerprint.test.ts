import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { machineInfo } from './fingerprint.ts';

describe('machineInfo', () => {
  it('describes this machine and is stable within a process', () => {
    const info = machineInfo();
    expect(info.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(info.cores).toBe(os.availableParallelism());
    expect(info.memory_bytes).toBe(os.totalmem());
    expect(info.kernel).toBe(os.release());
    expect(info.node_version).toBe(process.version);
    expect(info.cpu_model.length).toBeGreaterThan(0);
    expect(JSON.parse(info.details_json).arch).toBe(os.arch());
    expect(machineInfo()).toEqual(info);
  });
});
