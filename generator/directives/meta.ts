/**
 * @meta — page metadata, renders nothing:
 *   <!-- @meta:title="KraftServer - High-Performance HTTP Server" author="…" -->
 * Several @meta comments may appear; a later value for the same key wins.
 */
import type { DirectiveDefinition } from './directive.ts';

export const META_KEYS = ['title', 'author', 'description', 'generated', 'keywords', 'lang', 'subtitle'] as const;

export const meta: DirectiveDefinition = {
  name: 'meta',
  placement: 'none',
  keys: Object.fromEntries(META_KEYS.map((key) => [key, {}])),
  render(attributes, context) {
    for (const key of attributes.keys()) {
      const value = attributes.get(key);
      if (value !== undefined) context.meta[key] = value;
    }
    return { html: '' };
  },
};
