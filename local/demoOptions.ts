/**
 * LOCAL ONLY. `npm run demo`'s command line: flags, defaults, and the help text.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { WritableEnv as Env } from '../shared/env.js';
import { OUTBOX_DIR, UsageError } from './startOptions.js';

export const DEFAULT_DEMO_SECONDS = 60;
export const DEFAULT_DEMO_RATE = 40;
export const DEMO_STAGE = 'demo';

export const DEMO_HELP = `Usage: npm run demo -- [options]

Runs the pipeline locally on its own emulator (stage ${DEMO_STAGE}, free ports), uploads sample
objects of every content class, sends Zipf-distributed traffic to the local edge for a while,
overwrites the most popular objects twice during it, waits for their invalidations, then runs the
report's digest: the report lands in the outbox and its file is printed.

Options:
  --duration <s>    seconds of traffic (default ${DEFAULT_DEMO_SECONDS})
  --rate <n>        requests a second (default ${DEFAULT_DEMO_RATE})
  --seed <n>        seed of the traffic's random picks (default 1)
  --edge-port <n>   the local edge's port (default: a free one)
  --json            print the result as JSON on stdout (progress stays on stderr)
  -h, --help        show this help

The outbox is .local/outbox/ (or $CDN_PIPELINE_OUTBOX_DIR). Exit code 0 when the report was
mailed, 1 when the run failed, 2 for a bad option.
`;

export interface DemoOptions {
  readonly durationSeconds: number;
  readonly rate: number;
  readonly seed: number;
  readonly edgePort: number;
  readonly json: boolean;
  /** Absolute. */
  readonly outboxDir: string;
}

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new UsageError(`${flag}: must be a whole number ${min}-${max} (got "${value}")`);
  return n;
}

/** Undefined when help was asked for. */
export function parseDemoArgs(argv: readonly string[], env: Env): DemoOptions | undefined {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        duration: { type: 'string' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        'edge-port': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return undefined;
  return {
    durationSeconds: values.duration
      ? wholeNumber(values.duration, '--duration', 1, 3600)
      : DEFAULT_DEMO_SECONDS,
    rate: values.rate ? wholeNumber(values.rate, '--rate', 1, 1000) : DEFAULT_DEMO_RATE,
    seed: values.seed ? wholeNumber(values.seed, '--seed', 0, 2 ** 31) : 1,
    edgePort: values['edge-port'] ? wholeNumber(values['edge-port'], '--edge-port', 0, 65_535) : 0,
    json: values.json ?? false,
    outboxDir: env.CDN_PIPELINE_OUTBOX_DIR ? resolve(env.CDN_PIPELINE_OUTBOX_DIR) : OUTBOX_DIR,
  };
}
