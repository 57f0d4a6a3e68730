/**
 * encodePath's fast paths (all raw; encodeURIComponent with the kept characters put back) give
 * exactly what the character-by-character encoding gives, and the quick pre-check of
 * invalidationForKey changes no answer: a key is exact unless it holds `*`, a refused character
 * or a dot segment.
 */
import { describe, expect, it } from 'vitest';
import {
  encodePath,
  encodePathByCharacter,
  invalidationForKey,
  REFUSED_RAW_IN_INVALIDATIONS,
} from '../../shared/keys.js';

/** Deterministic random strings over an alphabet with every class of character. */
function randomTexts(count: number, seed = 7): string[] {
  let state = seed;
  const rand = () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  const alphabet = [
    ...'abcXYZ019-._~!$&\'()*,;=:@/ +%?#"<>[\\]^`{|}',
    '\u0000',
    '\u001f',
    '\u007f',
    'é',
    'ß',
    '日本',
    '😀',
    '\ud800', // lone high surrogate
    '\udc00', // lone low surrogate
    '.',
    '..',
  ];
  return Array.from({ length: count }, () => {
    const length = Math.floor(rand() * 12);
    let text = '';
    for (let i = 0; i < length; i += 1) text += alphabet[Math.floor(rand() * alphabet.length)];
    return text;
  });
}

describe('encodePath', () => {
  it.each([
    ['videos/intro film.mp4'],
    ['a+b.png'],
    ['100%/x'],
    ['$&,;=:@/'],
    ['日本/😀.png'],
    ['lone\ud800surrogate'],
    [''],
  ])('encodes %j as the character loop does', (text) => {
    expect(encodePath(text)).toBe(encodePathByCharacter(text));
  });

  it('agrees with the character loop on 5 000 random strings', () => {
    const texts = randomTexts(5000);
    const differing = texts.filter((t) => encodePath(t) !== encodePathByCharacter(t));
    expect(differing).toEqual([]);
  });
});

describe('invalidationForKey', () => {
  it('is exact for every random key without "*", a refused character or a dot segment', () => {
    const special = (key: string) =>
      key.includes('*') ||
      REFUSED_RAW_IN_INVALIDATIONS.some((ch) => key.includes(ch)) ||
      `/${key}`.split('/').some((s) => s === '.' || s === '..');
    for (const key of randomTexts(5000, 11)) {
      const invalidation = invalidationForKey(key);
      expect(invalidation?.kind === 'exact', key).toBe(!special(key));
      if (invalidation?.kind === 'exact')
        expect(invalidation.path).toBe(encodePathByCharacter(`/${key}`));
    }
  });
});
