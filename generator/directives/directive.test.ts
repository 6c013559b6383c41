import { describe, expect, it } from 'vitest';
import { checkAttributes, parseJsonObject, type DirectiveDefinition } from './directive.ts';
import { parseDirective } from './parse.ts';

const definition: DirectiveDefinition = {
  name: 'demo',
  placement: 'block',
  keys: { query: { required: true }, flag: { bare: true }, title: {} },
  render: () => ({ html: '' }),
};

const check = (text: string) => checkAttributes(definition, parseDirective(text)!);

describe('checkAttributes', () => {
  it('accepts known keys, bare keys where allowed, and reads values', () => {
    const attributes = check('<!-- @demo:query="SELECT 1" flag -->');
    expect(attributes.get('query')).toBe('SELECT 1');
    expect(attributes.has('flag')).toBe(true);
    expect(attributes.get('flag')).toBeUndefined();
    expect(attributes.keys()).toEqual(['query', 'flag']);
  });

  it('names an unknown key with the allowed ones, a missing required key, a bare key that needs a value', () => {
    expect(() => check('<!-- @demo:query="x" colour="red" -->')).toThrow('unknown key "colour" (allowed: query, flag, title)');
    expect(() => check('<!-- @demo:title="x" -->')).toThrow('missing required key "query"');
    expect(() => check('<!-- @demo:query="x" title -->')).toThrow('key "title" needs a value: title="…"');
  });
});

describe('parseJsonObject', () => {
  it('keeps the JSON parser message and requires an object', () => {
    expect(parseJsonObject('options', '{"a": 1}')).toEqual({ a: 1 });
    expect(() => parseJsonObject('options', '{a: 1}')).toThrow(/^invalid JSON in "options": /);
    expect(() => parseJsonObject('options', '[1]')).toThrow('"options" must be a JSON object');
  });
});
