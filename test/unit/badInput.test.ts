/**
 * The bad-input corpus (test/fixtures/bad-input/) for the pure parsers: provisioning specs
 * (shared/distributionSpec) and GetMetricData answers (functions/report/metrics.ts; the answers
 * come from aws-sdk-client-mock: the emulator never sends a malformed one). Ingest's and
 * invalidate's cases run through the real handlers in test/integration/badInput.test.ts.
 */
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MetricDataError,
  fetchDistributionMetrics,
  summarize,
} from '../../functions/report/metrics.js';
import { InvalidInputError } from '../../shared/errors.js';
import { parseDistributionSpec } from '../../shared/distributionSpec.js';
import { CORPUS_TARGETS, loadCases, unusedInputs, type CorpusCase } from '../helpers/badInput.js';

describe('the bad-input corpus', () => {
  it('holds at least 45 cases, every input file used by one', () => {
    const counts = Object.fromEntries(CORPUS_TARGETS.map((t) => [t, loadCases(t).length]));
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(45);
    expect(counts.spec).toBeGreaterThanOrEqual(10);
    for (const target of CORPUS_TARGETS) expect(unusedInputs(target)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// provisioning specs
// ---------------------------------------------------------------------------------------------

const specCases = loadCases('spec');

describe.each(specCases.map((c) => [c.id, c] as const))('spec %s', (_id, c) => {
  it(`is ${c.expect}${c.expectField ? `, naming ${c.expectField}` : ''}`, () => {
    const input: unknown = JSON.parse(c.text);
    if (c.expect !== 'rejected') {
      expect(() => parseDistributionSpec(input)).not.toThrow();
      return;
    }
    expect.assertions(3);
    try {
      parseDistributionSpec(input);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as InvalidInputError).field).toBe(c.expectField);
      expect((error as Error).message).toContain(c.expectMessageIncludes ?? '');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// GetMetricData answers
// ---------------------------------------------------------------------------------------------

interface MetricsInput {
  readonly distributionIds: string[];
  readonly window: { start: string; end: string; periodSeconds: number };
  /** The pages CloudWatch answers, in order. */
  readonly pages: Array<{ MetricDataResults: Array<Record<string, unknown>>; NextToken?: string }>;
  /** After the pages, keep answering the last one (a NextToken loop). */
  readonly repeatLastPage?: boolean;
}

/** Stops a reader that follows a looping NextToken forever, so the test fails instead of hanging. */
const MAX_CALLS = 50;

/** The pages as the SDK hands them over: Date timestamps, "NaN" as a number. */
function sdkPages(input: MetricsInput): GetMetricDataCommandOutput[] {
  return input.pages.map((page) => ({
    $metadata: {},
    ...(page.NextToken ? { NextToken: page.NextToken } : {}),
    MetricDataResults: page.MetricDataResults.map((r) => ({
      ...r,
      ...(Array.isArray(r.Timestamps)
        ? { Timestamps: (r.Timestamps as string[]).map((t) => new Date(t)) }
        : {}),
      ...(Array.isArray(r.Values)
        ? { Values: (r.Values as Array<number | string>).map((v) => Number(v)) }
        : {}),
    })),
  }));
}

describe('GetMetricData answers', () => {
  const cw = mockClient(CloudWatchClient);
  const client = new CloudWatchClient({ region: 'us-east-1' });
  afterEach(() => cw.reset());

  async function fetch(c: CorpusCase) {
    const input = JSON.parse(c.text) as MetricsInput;
    const pages = sdkPages(input);
    let call = 0;
    cw.on(GetMetricDataCommand).callsFake(() => {
      call += 1;
      if (call <= pages.length) return pages[call - 1];
      if (input.repeatLastPage && call <= MAX_CALLS) return pages[pages.length - 1];
      return { $metadata: {}, MetricDataResults: [] };
    });
    const window = {
      start: new Date(input.window.start),
      end: new Date(input.window.end),
      periodSeconds: input.window.periodSeconds,
    };
    return {
      ids: input.distributionIds,
      result: fetchDistributionMetrics(client, input.distributionIds, window),
    };
  }

  describe.each(loadCases('metrics').map((c) => [c.id, c] as const))('%s', (_id, c) => {
    it(`is ${c.expect}${c.expectField ? `, naming ${c.expectField}` : ''}`, async () => {
      const { ids, result } = await fetch(c);
      if (c.expect === 'rejected') {
        const error = await result.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(MetricDataError);
        expect(error).toMatchObject({ field: c.expectField });
        expect((error as Error).message).toContain(`${c.expectField}:`);
        if (c.expectMessageIncludes)
          expect((error as Error).message).toContain(c.expectMessageIncludes);
        return;
      }
      const series = await result;
      const summary = summarize(ids[0]!, series.get(ids[0]!)!);
      const expected = Object.fromEntries(
        Object.entries((c.options?.expectSummary ?? {}) as Record<string, unknown>).map(
          ([k, v]) => [k, v === null ? undefined : v],
        ),
      );
      expect(summary).toMatchObject(expected);
    });
  });
});
