import { describe, expect, it } from 'vitest';
import { Slugger } from './slug.ts';

describe('Slugger', () => {
  it('makes GitHub-style ids, unique within a page', () => {
    const slugger = new Slugger();
    expect(slugger.slug('Setup & Run')).toBe('setup--run');
    expect(slugger.slug('Setup & Run')).toBe('setup--run-1');
    expect(slugger.slug('Setup & Run')).toBe('setup--run-2');
    expect(slugger.slug('Café: 541K req/s!')).toBe('café-541k-reqs');
    expect(slugger.slug('')).toBe('section');
  });

  it('does not reuse an id that a later heading text produces literally', () => {
    const slugger = new Slugger();
    expect(slugger.slug('a')).toBe('a');
    expect(slugger.slug('a-1')).toBe('a-1');
    expect(slugger.slug('a')).toBe('a-2');
  });
});
