/** `resolveTarget`: flags and an environment in, the stack a command talks to out. */
import { describe, expect, it } from 'vitest';
import {
  describeTarget,
  isLoopbackEndpoint,
  localTargetFor,
  resolveTarget,
  TargetError,
  type TargetEnv,
  type TargetFlags,
} from '../../local/target.js';
import { sightingsText } from '../../cli/elsewhere.js';

const TEST_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('resolveTarget', () => {
  const cases: Array<[string, TargetFlags, TargetEnv, Record<string, unknown>]> = [
    [
      'nothing: the deployed dev stage',
      {},
      {},
      { kind: 'deployed', stage: 'dev', region: 'us-east-1' },
    ],
    [
      'a loopback AWS_ENDPOINT_URL: the local stage on that endpoint, test keys',
      {},
      { AWS_ENDPOINT_URL: 'http://localhost:5000' },
      {
        kind: 'local',
        stage: 'local',
        endpoint: 'http://localhost:5000',
        port: 5000,
        credentials: TEST_KEYS,
        because: 'AWS_ENDPOINT_URL',
      },
    ],
    [
      'a loopback AWS_ENDPOINT_URL with --stage: that stage',
      { stage: 'demo' },
      { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
      { kind: 'local', stage: 'demo' },
    ],
    [
      '--local without AWS_ENDPOINT_URL: 127.0.0.1:4566',
      { local: true },
      {},
      { kind: 'local', stage: 'local', endpoint: 'http://127.0.0.1:4566', because: '--local' },
    ],
    [
      '--local with CDN_PIPELINE_LOCAL_PORT: its port, as npm start',
      { local: true },
      { CDN_PIPELINE_LOCAL_PORT: '4599', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' },
      { endpoint: 'http://127.0.0.1:4599', port: 4599 },
    ],
    [
      '--port: the emulator on it, whatever the variables say',
      { port: 4600 },
      { CDN_PIPELINE_LOCAL_PORT: '4599' },
      { kind: 'local', endpoint: 'http://127.0.0.1:4600', because: '--port' },
    ],
    [
      'a non-loopback AWS_ENDPOINT_URL: deployed through it',
      { region: 'eu-west-1' },
      { AWS_ENDPOINT_URL: 'https://vpce.example.com' },
      { kind: 'deployed', stage: 'dev', endpoint: 'https://vpce.example.com', region: 'eu-west-1' },
    ],
    [
      'the region: --region, else AWS_REGION, else AWS_DEFAULT_REGION',
      {},
      { AWS_DEFAULT_REGION: 'eu-central-1' },
      { region: 'eu-central-1' },
    ],
  ];

  it.each(cases)('%s', (_title, flags, env, expected) => {
    expect(resolveTarget(flags, env)).toMatchObject(expected);
  });

  it('keeps exported keys locally (both, or the test keys)', () => {
    const keys = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
    expect(resolveTarget({ local: true }, keys).credentials).toBeUndefined();
    expect(
      resolveTarget({ local: true }, { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }).credentials,
    ).toEqual(TEST_KEYS);
  });

  it('refuses --local with an endpoint that is not this machine', () => {
    expect(() =>
      resolveTarget({ local: true }, { AWS_ENDPOINT_URL: 'https://cloudfront.example.com' }),
    ).toThrow(
      new TargetError(
        '--local means the emulator on this machine, but AWS_ENDPOINT_URL is https://cloudfront.example.com: unset it (npm start prints the export lines), or drop --local',
      ),
    );
  });

  it('refuses a local stage that cannot be a resource name, naming --stage', () => {
    expect(() => resolveTarget({ local: true, stage: 'Bad Stage' }, {})).toThrow(/^--stage: /);
  });

  it('refuses a bad CDN_PIPELINE_LOCAL_PORT by its name', () => {
    expect(() => resolveTarget({ local: true }, { CDN_PIPELINE_LOCAL_PORT: 'x' })).toThrow(
      /^CDN_PIPELINE_LOCAL_PORT: must be a port number/,
    );
  });

  it('says where it looks', () => {
    expect(describeTarget(resolveTarget({ local: true }, {}))).toBe(
      'the emulator at http://127.0.0.1:4566',
    );
    expect(describeTarget(resolveTarget({ region: 'eu-west-1' }, {}))).toBe('AWS eu-west-1');
  });

  it('finds the emulator npm start would run, for a deployed target', () => {
    expect(
      localTargetFor(
        { AWS_ENDPOINT_URL: 'https://vpce.example.com', CDN_PIPELINE_LOCAL_PORT: '4570' },
        'us-east-1',
      ),
    ).toMatchObject({ kind: 'local', endpoint: 'http://127.0.0.1:4570' });
  });

  it.each([
    ['http://127.0.0.1:4566', true],
    ['http://127.8.0.1', true],
    ['http://localhost:5000', true],
    ['http://[::1]:4566', true],
    ['https://cloudfront.amazonaws.com', false],
    ['not a url', false],
    [undefined, false],
  ])('isLoopbackEndpoint(%s) is %s', (endpoint, expected) => {
    expect(isLoopbackEndpoint(endpoint)).toBe(expected);
  });
});

describe('sightingsText', () => {
  it('names the count, the stage, the place and the flag', () => {
    expect(
      sightingsText([
        {
          count: 1,
          stage: 'stage local',
          where: 'the emulator at http://127.0.0.1:4566',
          add: '--local',
        },
        { count: 2, stage: 'stage prod', where: '', add: '--stage prod' },
      ]),
    ).toBe(
      '1 for stage local on the emulator at http://127.0.0.1:4566: add --local; 2 for stage prod: add --stage prod',
    );
  });
});
