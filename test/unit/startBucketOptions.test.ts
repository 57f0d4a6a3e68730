/** `npm start -- --bucket NAME [--distribution ID]` (local/startOptions.ts): checked at the flags. */
import { describe, expect, it } from 'vitest';
import { parseStartArgs, UsageError } from '../../local/startOptions.js';

describe('npm start --bucket', () => {
  it.each(['charts-local', 'charts.example.com', 'a.b.c', 'x1.y-2.z3'])(
    'takes any valid bucket name, dots included: %s',
    (bucket) => {
      expect(parseStartArgs(['--bucket', bucket], {})).toMatchObject({ bucket });
    },
  );

  it('has no bucket of its own when not given', () => {
    expect(parseStartArgs([], {})).not.toHaveProperty('bucket');
  });

  it.each([
    ['Charts.Example.com', 'may only contain lower-case letters'],
    ['ab', 'must be 3 to 63 characters long'],
    ['charts..example', 'must not contain two adjacent dots'],
    ['192.168.0.1', 'must not be formatted as an IP address'],
    ['.charts', 'must start and end with a letter or digit'],
  ])('refuses %s, naming the flag', (bucket, why) => {
    expect(() => parseStartArgs(['--bucket', bucket], {})).toThrow(UsageError);
    expect(() => parseStartArgs(['--bucket', bucket], {})).toThrow(
      `--bucket: "${bucket}" is not a valid S3 bucket name: it ${why}`,
    );
  });

  it('takes --distribution with --bucket, and refuses it alone or malformed', () => {
    expect(
      parseStartArgs(['--bucket', 'charts.example.com', '--distribution', 'E2EXAMPLE1ABCD'], {}),
    ).toMatchObject({ bucket: 'charts.example.com', distribution: 'E2EXAMPLE1ABCD' });
    expect(() => parseStartArgs(['--distribution', 'E2EXAMPLE1ABCD'], {})).toThrow(
      /^--distribution goes with --bucket/,
    );
    expect(() =>
      parseStartArgs(['--bucket', 'charts.example.com', '--distribution', 'e2-x'], {}),
    ).toThrow(/^--distribution: expected a distribution id/);
  });
});
