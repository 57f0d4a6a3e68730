/** `npm start -- --edge-port` (local/startOptions.ts): the local edge's port. */
import { expect, it } from 'vitest';
import { parseStartArgs, UsageError } from '../../../local/startOptions.js';

it('defaults to 4580, then $CDN_PIPELINE_EDGE_PORT, then the flag', () => {
  expect(parseStartArgs([], {})?.edgePort).toBe(4580);
  expect(parseStartArgs([], { CDN_PIPELINE_EDGE_PORT: '4600' })?.edgePort).toBe(4600);
  expect(
    parseStartArgs(['--edge-port', '4700'], { CDN_PIPELINE_EDGE_PORT: '4600' })?.edgePort,
  ).toBe(4700);
});

it.each(['0', '65536', 'http', '45 80'])('refuses --edge-port %s, naming the flag', (value) => {
  expect(() => parseStartArgs(['--edge-port', value], {})).toThrow(UsageError);
  expect(() => parseStartArgs(['--edge-port', value], {})).toThrow(
    /^--edge-port: must be a port number/,
  );
});
