import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCpuSeconds } from '../proc/cpu.ts';
import { locateNginx, nginxConfig, startNginxReference } from './nginx.ts';

const install = locateNginx();

describe('nginxConfig', () => {
  const base = { dir: '/tmp/x', port: 8080, configureArguments: '', user: null };

  it('serves the answer file with its content type and every other header added, nginx\'s own validators off', () => {
    const config = nginxConfig({ ...base, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'max-age=5', vary: 'Accept-Encoding' } });
    expect(config).toContain('default_type "application/json; charset=utf-8";');
    expect(config).toContain('add_header cache-control "max-age=5" always;');
    expect(config).toContain('add_header vary "Accept-Encoding" always;');
    expect(config).not.toContain('add_header content-type');
    expect(config).toContain('listen 127.0.0.1:8080 reuseport;');
    for (const line of ['sendfile off;', 'open_file_cache max=100;', 'output_buffers 1 64k;', 'etag off;', 'max_ranges 0;', 'worker_processes 1;', 'daemon off;']) expect(config).toContain(line);
  });

  it('declares only the temp paths of modules this build has', () => {
    const config = nginxConfig({ ...base, headers: {}, configureArguments: '--without-http_uwsgi_module --without-http_scgi_module' });
    expect(config).toContain('proxy_temp_path /tmp/x/proxy-temp;');
    expect(config).toContain('fastcgi_temp_path');
    expect(config).not.toContain('uwsgi_temp_path');
    expect(config).not.toContain('scgi_temp_path');
  });

  it('refuses a header nginx would misread: a "$" (a variable) or a name that is not a token', () => {
    expect(() => nginxConfig({ ...base, headers: { etag: '"a$b"' } })).toThrow(/contains "\$"/);
    expect(() => nginxConfig({ ...base, headers: { 'bad name': 'x' } })).toThrow(/not a token/);
  });

  it('runs its worker as root only when asked (nginx started as root)', () => {
    expect(nginxConfig({ ...base, headers: {}, user: 'root' }).startsWith('user root;\n')).toBe(true);
    expect(nginxConfig({ ...base, headers: {} })).not.toContain('user ');
  });
});

describe('locateNginx', () => {
  it('is null where there is no nginx', () => {
    expect(locateNginx('/nonexistent', [])).toBeNull();
  });
});

// The requirements check (bench/testing/requirements.ts) names nginx-light when nginx is missing.
describe('startNginxReference', () => {
  const body = Buffer.from([0x7b, 0x22, 0xc3, 0xa9, 0x22, 0x3a, 0x31, 0x7d, 0x0a, 0x00, 0xff]);
  const headers = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=5' };

  it('answers any GET with exactly the bytes and headers, pinned by its wrap, and stops for good', async () => {
    expect(install, 'nginx is installed (the requirements check names nginx-light)').not.toBeNull();
    const cpu = /^Cpus_allowed_list:\s*(\d+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    const server = await startNginxReference({ body, headers }, install!, { wrap: ['taskset', '-c', cpu] });
    try {
      expect(/^Cpus_allowed_list:\s*(\S+)$/m.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]).toBe(cpu);
      for (const path of ['/', '/search?starts_at=2022-01-01T00:00:00Z&ends_at=2022-03-31T23:59:59Z']) {
        const response = await fetch(`${server.url}${path}`);
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe(headers['content-type']);
        expect(response.headers.get('cache-control')).toBe(headers['cache-control']);
        expect(response.headers.get('content-length')).toBe(String(body.length));
        expect(response.headers.get('last-modified')).toBeNull();
        expect(response.headers.get('etag')).toBeNull();
        expect(response.headers.get('accept-ranges')).toBeNull();
        expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
      }
    } finally {
      await server.stop();
    }
    await server.stop(); // idempotent
    expect(readCpuSeconds(server.pid)).toBeNull();
    await expect(fetch(server.url)).rejects.toThrow();
  });
});
