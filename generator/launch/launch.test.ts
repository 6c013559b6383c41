/**
 * The launcher's freshness check: a file's fingerprint (stat, else content), a manifest
 * that goes stale when an input's content changes (not when it is only touched), and the
 * real bundle of this checkout listing what it is made of.
 */
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFile, sha256 } from './fingerprint.mjs';
import { DIST, ensureBundle, freshManifest } from './bundle.mjs';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'book-launch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sets a file's mtime to an hour ago: older than the "racily clean" window. */
function age(file: string): void {
  const past = new Date(Date.now() - 3_600_000);
  utimesSync(file, past, past);
}

describe('fingerprintFile', () => {
  it('hashes the content, and does not vouch by stat for a file written just now', () => {
    const file = join(dir, 'fresh.txt');
    writeFileSync(file, 'one');
    const print = fingerprintFile(file, undefined);
    expect(print.sha256).toBe(sha256('one'));
    expect(print.stat).toBeNull();
    writeFileSync(file, 'two'); // same size, maybe the same mtime tick: must still be seen
    expect(fingerprintFile(file, print).sha256).toBe(sha256('two'));
  });

  it('reuses a settled file\'s hash while its stat is unchanged, and hashes again when it differs', () => {
    const file = join(dir, 'settled.txt');
    writeFileSync(file, 'aaa');
    age(file);
    const print = fingerprintFile(file, undefined);
    expect(print.stat).not.toBeNull();
    // The stat stands for the content: a known fingerprint with a matching stat is returned as is.
    expect(fingerprintFile(file, { ...print, sha256: 'remembered' }).sha256).toBe('remembered');
    writeFileSync(file, 'bbb');
    expect(fingerprintFile(file, print).sha256).toBe(sha256('bbb'));
    // Replaced by another file (a rename, as the bench saves the database): another inode.
    writeFileSync(join(dir, 'other.txt'), 'ccc');
    age(join(dir, 'other.txt'));
    renameSync(join(dir, 'other.txt'), file);
    expect(fingerprintFile(file, fingerprintFile(file, undefined)).sha256).toBe(sha256('ccc'));
  });

  it('hands over the bytes it read', () => {
    const file = join(dir, 'bytes.txt');
    writeFileSync(file, 'payload');
    const read: { bytes?: Buffer } = {};
    fingerprintFile(file, undefined, read);
    expect(read.bytes?.toString()).toBe('payload');
  });
});

describe('freshManifest', () => {
  const repo = () => join(dir, 'repo');
  const dist = () => join(dir, 'repo', 'dist');
  function writeManifest(): void {
    mkdirSync(dist(), { recursive: true });
    writeFileSync(join(repo(), 'a.ts'), 'export const a = 1;\n');
    age(join(repo(), 'a.ts'));
    writeFileSync(join(dist(), 'generator-0000000000000000.cjs'), '');
    writeFileSync(join(dist(), 'query-worker-0000000000000000.cjs'), '');
    const manifest = {
      version: '0000000000000000',
      generator: 'generator-0000000000000000.cjs',
      worker: 'query-worker-0000000000000000.cjs',
      inputs: { 'a.ts': fingerprintFile(join(repo(), 'a.ts'), undefined) },
    };
    writeFileSync(join(dist(), 'manifest.json'), JSON.stringify(manifest));
  }

  it('is fresh while the inputs are unchanged, also when one is only touched', () => {
    writeManifest();
    expect(freshManifest(repo(), dist())?.version).toBe('0000000000000000');
    utimesSync(join(repo(), 'a.ts'), new Date(), new Date());
    expect(freshManifest(repo(), dist())).not.toBeNull();
  });

  it('is stale when an input\'s content changed, an input is gone, or the bundle is missing', () => {
    writeManifest();
    writeFileSync(join(repo(), 'a.ts'), 'export const a = 2;\n');
    expect(freshManifest(repo(), dist())).toBeNull();
    writeManifest();
    rmSync(join(repo(), 'a.ts'));
    expect(freshManifest(repo(), dist())).toBeNull();
    writeManifest();
    rmSync(join(dist(), 'query-worker-0000000000000000.cjs'));
    expect(freshManifest(repo(), dist())).toBeNull();
  });
});

describe('ensureBundle', () => {
  it('lists every file of ours the bundle is made of and npm\'s record of the packages, and is not rebuilt while they are unchanged', async () => {
    const { manifest } = await ensureBundle();
    const inputs = Object.keys(manifest.inputs);
    for (const path of ['generator/main.ts', 'generator/query-worker/worker.ts', 'cli/args.ts', 'db/database.ts', 'generator/launch/bundle.mjs']) {
      expect(inputs).toContain(path);
    }
    expect(inputs).toContain('package-lock.json');
    expect(inputs).toContain('node_modules/.package-lock.json');
    expect(inputs.some((path) => path.startsWith('node_modules/unified/'))).toBe(false);
    expect(readFileSync(join(DIST, manifest.generator), 'utf8')).toContain('renderMarkdown');
    const again = await ensureBundle();
    expect(again.rebuilt).toBe(false);
    expect(again.manifest.version).toBe(manifest.version);
  });
});
