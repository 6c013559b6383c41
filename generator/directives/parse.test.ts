import { describe, expect, it } from 'vitest';
import { DirectiveSyntaxError, parseDirective, splitHtml, unescapeWithNewlines } from './parse.ts';

const attributesOf = (text: string) => {
  const directive = parseDirective(text);
  if (!directive) throw new Error('not a directive');
  return Object.fromEntries([...directive.attributes].map(([key, a]) => [key, a.value]));
};

describe('parseDirective', () => {
  it('reads the name and double- and single-quoted values', () => {
    const directive = parseDirective(`<!-- @metric:tag="v1-baseline" format='short' -->`);
    expect(directive?.name).toBe('metric');
    expect(attributesOf(`<!-- @metric:tag="v1-baseline" format='short' -->`)).toEqual({ tag: 'v1-baseline', format: 'short' });
  });

  it('allows no whitespace after <!-- and attributes over several lines', () => {
    const text = `<!--@chart:query="SELECT a, b
  FROM t"
     title="T"
  type='bar'
-->`;
    expect(attributesOf(text)).toEqual({ query: 'SELECT a, b\n  FROM t', title: 'T', type: 'bar' });
  });

  it('resolves \\" \\\' and \\\\ escapes and keeps other backslashes as written', () => {
    const text = String.raw`<!-- @mermaid:title="say \"hi\"" other='it\'s' path="C:\\dir" diagram="A\nB" -->`;
    const directive = parseDirective(text);
    expect(attributesOf(text)).toEqual({ title: 'say "hi"', other: "it's", path: 'C:\\dir', diagram: 'A\\nB' });
    expect(directive?.attributes.get('diagram')?.raw).toBe('A\\nB');
    expect(unescapeWithNewlines(directive?.attributes.get('diagram')?.raw ?? '')).toBe('A\nB');
  });

  it('keeps a quote of the other kind and "-->" inside a value', () => {
    expect(attributesOf(`<!-- @mermaid:diagram="A --> B" title='a "quoted" word' -->`)).toEqual({
      diagram: 'A --> B',
      title: 'a "quoted" word',
    });
  });

  it('reads an unquoted value up to whitespace or "-->", as the original BookGen did', () => {
    expect(attributesOf('<!-- @demo:num=3 -->')).toEqual({ num: '3' });
    expect(attributesOf('<!-- @demo:num=3-->')).toEqual({ num: '3' });
    expect(attributesOf('<!-- @metric:tag=v1-baseline format="comma" field=p99_latency_us -->')).toEqual({ tag: 'v1-baseline', format: 'comma', field: 'p99_latency_us' });
    expect(attributesOf('<!-- @assert:query="SELECT 1" expect=>=1 message="one" -->')).toEqual({ query: 'SELECT 1', expect: '>=1', message: 'one' });
    expect(parseDirective('<!-- @demo:num=3 -->')?.attributes.get('num')?.raw).toBe('3');
  });

  it('reads single-quoted JSON verbatim', () => {
    const text = `<!-- @chart:query="SELECT 1, 2" datasets='{"a": {"label": "A", "borderWidth": 2}}' -->`;
    expect(JSON.parse(attributesOf(text).datasets as string)).toEqual({ a: { label: 'A', borderWidth: 2 } });
  });

  it('reads bare keys as null values', () => {
    expect(attributesOf('<!-- @footer:generated_at -->')).toEqual({ generated_at: null });
    expect(attributesOf('<!--@footer:generated_at-->')).toEqual({ generated_at: null });
    expect(attributesOf('<!-- @metric:tag="v1"-->')).toEqual({ tag: 'v1' });
    expect(attributesOf('<!-- @footer:generated_at style="default" -->')).toEqual({ generated_at: null, style: 'default' });
  });

  it('returns null for ordinary comments and comments without "@name:"', () => {
    expect(parseDirective('<!-- just a note -->')).toBeNull();
    expect(parseDirective('<!-- @ mention, not a directive -->')).toBeNull();
    expect(parseDirective('<!-- email me@example.com: later -->')).toBeNull();
  });

  const syntaxError = (text: string): DirectiveSyntaxError => {
    try {
      parseDirective(text);
    } catch (error) {
      if (error instanceof DirectiveSyntaxError) return error;
      throw error;
    }
    throw new Error(`no syntax error for ${text}`);
  };

  it('rejects broken directives with a reason', () => {
    expect(syntaxError('<!-- @metric:tag="v1 -->').reason).toBe('unterminated value of "tag": missing closing "');
    expect(syntaxError('<!-- @metric:tag= format="short" -->').reason).toBe('the value of "tag" is empty: write tag="…"');
    expect(syntaxError('<!-- @metric:tag=-->').reason).toBe('the value of "tag" is empty: write tag="…"');
    expect(syntaxError(`<!-- @chart:title=it's -->`).reason).toBe('the value of "title" holds a quote: quote the whole value with " or \'');
    expect(syntaxError('<!-- @chart:title=a"b" -->').reason).toBe('the value of "title" holds a quote: quote the whole value with " or \'');
    expect(syntaxError('<!-- @metric:tag="a" tag="b" -->').reason).toBe('duplicate key "tag"');
    expect(syntaxError('<!-- @metric:tag="a"field="b" -->').reason).toBe('expected whitespace or "-->" after "tag", found "f"');
    expect(syntaxError('<!-- @metric:tag="a"').reason).toBe(
      'this comment is never closed: no "-->" before the end of the file, list item or block quote it opens in (the directive and everything after it would be lost)',
    );
    const openedHere = 'this directive is never closed: another comment opens before its "-->" (the directive and what follows it would be lost)';
    expect(syntaxError('<!-- @metric:tag="a"\n\nText, more.\n\n<!-- @table:query="q" -->').reason).toBe(openedHere);
    expect(syntaxError('<!-- @metric:tag="a"\n\nText, more. -->').reason).toBe(
      'this directive is never closed: a blank line comes before its "-->" (the directive and what follows it would be lost)',
    );
    expect(syntaxError('<!-- @metric:tag="a" ? -->').reason).toBe('unexpected "?": expected key="value" or "-->"');
    expect(syntaxError('<!-- @metric:tag="a" ? -->').directive).toBe('metric');
  });

  it('rejects an ordinary comment never closed, or closed only by a later comment, where it opens', () => {
    expect(() => splitHtml('text <!-- note\n\n@metric')).toThrow(expect.objectContaining({ directive: '', offset: 5, reason: expect.stringMatching(/^this comment is never closed/) }));
    expect(() => splitHtml('<!-- note\n\n<!-- @metric:tag="v1" -->')).toThrow(expect.objectContaining({ offset: 0, reason: expect.stringMatching(/^this comment is not closed before the next "<!--"/) }));
    expect(splitHtml('<!--><!---><!-- -->').map((part) => part.text)).toEqual(['<!-->', '<!--->', '<!-- -->']);
  });

  it('rejects text that is more than one comment', () => {
    expect(syntaxError('<!-- @metric:tag="a" --> trailing').reason).toBe('expected exactly one directive comment');
  });
});

describe('splitHtml', () => {
  it('separates directives, ordinary comments and other HTML with their offsets', () => {
    const text = '<div><!-- note --><!-- @metric:tag="v1" --></div>';
    const parts = splitHtml(text);
    expect(parts.map((p) => [p.kind, p.offset])).toEqual([
      ['html', 0],
      ['comment', 5],
      ['directive', 18],
      ['html', 43],
    ]);
    expect(parts[2].text).toBe('<!-- @metric:tag="v1" -->');
  });

  it('reports the offset of the broken comment', () => {
    try {
      splitHtml('<!-- fine --> <!-- @chart:query="x -->');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DirectiveSyntaxError);
      expect((error as DirectiveSyntaxError).offset).toBe(14);
    }
  });
});
