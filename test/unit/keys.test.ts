import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../shared/errors.js';
import {
  decodeEventKey,
  encodePath,
  invalidationForKey,
  invalidationPathForKey,
  invalidationPathProblem,
  keyPrefixForPath,
  keyWarnings,
  MAX_INVALIDATION_PATH_CHARS,
  REFUSED_RAW_IN_INVALIDATIONS,
  viewerPathForKey,
} from '../../shared/keys.js';
import { encodeEventKey } from '../helpers/factories.js';

describe('decodeEventKey', () => {
  it.each([
    ['videos/clip+final.mp4', 'videos/clip final.mp4'],
    ['a%2Bb.png', 'a+b.png'],
    ['videos%2Fclip+final%2B1+%C3%A9%2A%3F%23.mp4', 'videos/clip final+1 é*?#.mp4'],
    ['100%25.pdf', '100%.pdf'],
    ['%E2%9C%93%20ok', '✓ ok'],
  ])('decodes %s as %s', (raw, key) => {
    expect(decodeEventKey(raw)).toBe(key);
  });

  it('round-trips any key through S3 event encoding', () => {
    const keys = [
      'a b+c',
      'x/y%z',
      'ünï/çødé ✓.png',
      '*?#[]{}|\\^`"<>',
      'tab\there',
      'a'.repeat(1024),
    ];
    for (const key of keys) expect(decodeEventKey(encodeEventKey(key))).toBe(key);
  });

  it('accepts a key of exactly 1 024 bytes and rejects 1 025, naming the field', () => {
    expect(decodeEventKey('é'.repeat(512))).toHaveLength(512);
    expect(() => decodeEventKey('a'.repeat(1025), 'Records[0].s3.object.key')).toThrow(
      /Records\[0\]\.s3\.object\.key: is 1025 bytes long/,
    );
  });

  it.each([['%E0%A4%A'], ['%'], ['bad%zz']])(
    'throws InvalidInputError for undecodable %s',
    (raw) => {
      expect(() => decodeEventKey(raw)).toThrow(InvalidInputError);
      expect(() => decodeEventKey(raw)).toThrow(/s3\.object\.key: is not valid URL encoding/);
    },
  );

  it.each([[undefined], [''], [42]])('throws for a missing key (%s)', (raw) => {
    expect(() => decodeEventKey(raw)).toThrow(/s3\.object\.key: is missing or empty/);
  });
});

describe('encodePath', () => {
  it.each([
    ['/videos/clip final.mp4', '/videos/clip%20final.mp4'],
    ['/a+b.png', '/a%2Bb.png'],
    ['/100%.pdf', '/100%25.pdf'],
    ['/q?x=1#frag', '/q%3Fx=1%23frag'],
    ['/é', '/%C3%A9'],
    ['/✓', '/%E2%9C%93'],
    ['/~user/(1),[2]', '/~user/(1),%5B2%5D'],
    ['/tab\tnl\n', '/tab%09nl%0A'],
    ['/"<>\\^`{|}', '/%22%3C%3E%5C%5E%60%7B%7C%7D'],
    ["/!$&'*;=:@", "/!$&'*;=:@"],
  ])('encodes %j as %s', (input, expected) => {
    expect(encodePath(input)).toBe(expected);
  });

  it('is the inverse of decodeURIComponent for any text', () => {
    const text = '/ünï code/a b%c?d#e+f*g\u0001';
    expect(decodeURIComponent(encodePath(text))).toBe(text);
  });
});

describe('viewerPathForKey', () => {
  it.each([
    ['a.jpg', '', '/a.jpg'],
    ['prod/a.jpg', '/prod', '/a.jpg'],
    ['prod/a.jpg', 'prod/', '/a.jpg'],
    ['production/a.jpg', '/prod', undefined],
    ['other/a.jpg', '/prod', undefined],
    ['p/q/a.jpg', '/p/q', '/a.jpg'],
  ])('serves key %s under origin path %j at %s', (key, originPath, expected) => {
    expect(viewerPathForKey(key, originPath)).toBe(expected);
  });
});

describe('invalidationPathForKey', () => {
  it.each([
    ['videos/clip final.mp4', '', '/videos/clip%20final.mp4'],
    ['a+b.png', '', '/a%2Bb.png'],
    ['what?.png', '', '/what%3F.png'],
    ['#1.png', '', '/%231.png'],
    ['charts/star*.png', '', '/charts/star*'],
    ['a b/x*y*z.png', '', '/a%20b/x*'],
    ['prod/ünï.png', '/prod', '/%C3%BCn%C3%AF.png'],
    ['elsewhere/x.png', '/prod', undefined],
  ])('maps %j (origin path %j) to %s', (key, originPath, expected) => {
    expect(invalidationPathForKey(key, originPath)).toBe(expected);
  });

  it('keeps the worst-case 1 024-byte key within the 4 000-character path limit', () => {
    const key = '\u0007'.repeat(1024); // every byte encodes to three characters
    const path = invalidationPathForKey(key)!;
    expect(path).toBe(`/${'%07'.repeat(1024)}`);
    expect(path.length).toBeLessThanOrEqual(MAX_INVALIDATION_PATH_CHARS);
  });

  it('leaves a long ASCII key as an exact path', () => {
    const key = 'k'.repeat(1024);
    expect(invalidationPathForKey(key)).toBe(`/${key}`);
  });
});

/**
 * What CloudFront accepts as an invalidation path (docs/invalidation-paths.md): a leading '/', at
 * most 4 000 characters, RFC 1738's unsafe characters (space < > " # % { } | \\ ^ ~ [ ] `),
 * control and non-ASCII characters percent-encoded, and '*' only as the last character.
 */
function acceptedByCloudFront(path: string): boolean {
  if (!path.startsWith('/') || path.length > MAX_INVALIDATION_PATH_CHARS) return false;
  const body = path.endsWith('*') ? path.slice(0, -1) : path;
  if (body.includes('*') || /%(?![0-9A-F]{2})/.test(body)) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0020\u007f-\uffff<>"#{}|\\^~[\]`]/.test(body.replace(/%[0-9A-F]{2}/g, ''));
}

/** Whether invalidating `path` removes the copy cached for a viewer request of `requested`. */
function covers(path: string, requested: string): boolean {
  return path.endsWith('*') ? requested.startsWith(path.slice(0, -1)) : path === requested;
}

/** What viewers request for a key: our URL's path, which keeps '~' and '*' raw as browsers do. */
const requested = (key: string, originPath = '') => encodePath(viewerPathForKey(key, originPath)!);

const SPECIAL_KEYS = [
  'static/js/runtime~main.3f2a.js',
  'docs/~draft.md',
  'a/b~c/d.js',
  '~user/index.html',
  'é/x~y.txt',
  '*banner.png',
  '*',
  'sprites/*',
  'sprites/a*b.png',
  'x/y*z~w',
  'a/../b.png',
  'a/./b.png',
  'a/..',
  '../x.png',
  './x.png',
  '.well-known/x',
  'a/..b/c.txt',
  'plain.txt',
  'my file.png',
];

describe('invalidationForKey', () => {
  it.each(SPECIAL_KEYS)(
    'maps %j to a path CloudFront accepts that covers what viewers request, never /*',
    (key) => {
      const path = invalidationPathForKey(key);
      if (path === undefined) {
        expect(invalidationForKey(key)?.kind).toBe('unexpressible');
        return;
      }
      expect(acceptedByCloudFront(path)).toBe(true);
      expect(covers(path, requested(key))).toBe(true);
      expect(path).not.toBe('/*');
    },
  );

  it.each([
    ['static/js/runtime~main.3f2a.js', '', '/static/js/runtime*', 'static/js/runtime', /"~"/],
    ['docs/~draft.md', '', '/docs/*', 'docs/', /"~"/],
    ['a/b~c/d.js', '', '/a/b*', 'a/b', /"~"/],
    ['é/x~y.txt', '', '/%C3%A9/x*', 'é/x', /"~"/],
    ['x/y*z~w', '', '/x/y*', 'x/y', /"\*"/],
    ['sprites/a*b.png', '', '/sprites/a*', 'sprites/a', /"\*"/],
    ['sprites/*', '', '/sprites/*', 'sprites/', /"\*"/],
    ['a/../b.png', '', '/a/*', 'a/', /"\.\." segment/],
    ['a/./b.png', '', '/a/*', 'a/', /"\." segment/],
    ['a/..', '', '/a/*', 'a/', /"\.\." segment/],
    ['prod/static/runtime~x.js', '/prod', '/static/runtime*', 'prod/static/runtime', /"~"/],
  ])(
    'invalidates %j (origin path %j) with the bounded superset %s over key prefix %j',
    (key, originPath, path, keyPrefix, reason) => {
      const result = invalidationForKey(key, originPath);
      expect(result).toEqual({
        kind: 'superset-wildcard',
        path,
        keyPrefix,
        reason: expect.stringMatching(reason),
      });
      expect(invalidationPathForKey(key, originPath)).toBe(path);
    },
  );

  it.each([
    ['plain.txt', '/plain.txt'],
    ['my file.png', '/my%20file.png'],
    ['.well-known/x', '/.well-known/x'],
    ['a/..b/c.txt', '/a/..b/c.txt'],
    ['a+b/100%.png', '/a%2Bb/100%25.png'],
  ])('invalidates %j with its exact path %s', (key, path) => {
    expect(invalidationForKey(key)).toEqual({ kind: 'exact', path });
  });

  it.each([
    ['~user/index.html', '', /"~"/],
    ['*banner.png', '', /"\*"/],
    ['*', '', /"\*"/],
    ['../x.png', '', /"\.\." segment/],
    ['./x.png', '', /"\." segment/],
    ['prod/~x.js', '/prod', /"~"/],
  ])(
    'refuses %j (origin path %j): only /* would cover it, and that purges the whole distribution',
    (key, originPath, reason) => {
      const result = invalidationForKey(key, originPath);
      expect(result).toEqual({
        kind: 'unexpressible',
        reason: expect.stringMatching(reason),
      });
      expect(result?.kind === 'unexpressible' && result.reason).toMatch(/\/\*/);
      expect(invalidationPathForKey(key, originPath)).toBeUndefined();
    },
  );

  it('returns undefined for a key outside the origin path', () => {
    expect(invalidationForKey('staging/a~b', '/prod')).toBeUndefined();
  });

  it('knows "~" as the one character our URLs carry raw that CloudFront refuses raw', () => {
    expect(REFUSED_RAW_IN_INVALIDATIONS).toEqual(['~']);
  });
});

describe('invalidationPathProblem', () => {
  it.each([
    ['/a.png'],
    ['/a%20b/c%7E.png'],
    ['/static/js/runtime*'],
    ['/*'],
    ["/x:y@z;$&!'()=,.txt"],
    [`/${'%07'.repeat(1024)}`],
  ])('accepts %s', (path) => {
    expect(invalidationPathProblem(path)).toBeUndefined();
  });

  it.each([
    ['a.png', /start with "\/"/],
    ['/runtime~main.js', /"~"/],
    ['/a*b.png', /only as the last character/],
    ['/a b.png', /" "/],
    ['/a[1].png', /"\["/],
    ['/é.png', /non-ASCII/],
    ['/a\u0007', /control/],
    ['/100%.pdf', /"%"/],
    [`/${'k'.repeat(4000)}`, /4000 characters/],
  ])('names the problem with %j', (path, problem) => {
    expect(invalidationPathProblem(path)).toMatch(problem);
  });

  it.each(SPECIAL_KEYS)('finds none in what invalidationForKey sends for %j', (key) => {
    const path = invalidationPathForKey(key);
    if (path !== undefined) expect(invalidationPathProblem(path)).toBeUndefined();
  });
});

describe('keyPrefixForPath', () => {
  it('turns an encoded folder path back into a key prefix under the origin path', () => {
    expect(keyPrefixForPath('/clips%20final/', '')).toBe('clips final/');
    expect(keyPrefixForPath('/clips/', '/prod')).toBe('prod/clips/');
  });
});

describe('keyWarnings', () => {
  it('warns about wildcards and control characters only', () => {
    expect(keyWarnings('plain/key.png')).toEqual([]);
    expect(keyWarnings('a*b')).toHaveLength(1);
    expect(keyWarnings('a\u0007b')[0]).toMatch(/control characters/);
  });

  it.each([
    ['static/runtime~main.js', /superset/],
    ['a/../b.png', /no URL can reach it/],
    ['~user/index.html', /cannot be invalidated/],
  ])('warns about %j: %s', (key, warning) => {
    expect(keyWarnings(key).join(' ')).toMatch(warning);
  });
});
