import { describe, expect, it } from 'vitest';
import { escapeHtml, scriptSafeJson } from './escape.ts';

describe('escapeHtml', () => {
  it('escapes markup characters and quotes', () => {
    expect(escapeHtml(`<script>alert("x")</script> & 'y'`)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;',
    );
  });
});

describe('scriptSafeJson', () => {
  it('leaves no < > & or line separators in the output and parses back to the same value', () => {
    const value = { label: '</script><script>alert(1)</script>', note: '<!-- a & b -->', odd: 'x\u2028y\u2029z' };
    const json = scriptSafeJson(value);
    expect(json).not.toMatch(/[<>&\u2028\u2029]/);
    expect(json).toContain('\\u003c/script\\u003e');
    expect(JSON.parse(json)).toEqual(value);
  });
});
