/**
 * CloudWatch's extraction of EMF documents (local/emf.ts), on what Powertools Metrics prints, and
 * the packing of a flush into PutMetricData calls within the API's limits.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { describe, expect, it } from 'vitest';
import {
  EmfDocumentError,
  extractEmf,
  putMetricDataInputs,
  type ExtractedMetric,
} from '../../../local/emf.js';

const T = Date.UTC(2026, 11, 2, 3, 0, 0);

/** What Powertools prints for these calls (serializeMetrics is the JSON it logs). */
function powertoolsDocument(build: (m: Metrics) => void): unknown {
  const m = new Metrics({ namespace: 'CdnPipeline', serviceName: 'cdn-pipeline-local-invalidate' });
  m.setTimestamp(T);
  build(m);
  return JSON.parse(JSON.stringify(m.serializeMetrics()));
}

describe('extractEmf', () => {
  it('returns one datum per metric with the namespace, service dimension, unit and timestamp', () => {
    const doc = powertoolsDocument((m) => {
      m.addMetric('PathsBilled', MetricUnit.Count, 7);
      m.addMetric('WildcardsUsed', MetricUnit.Count, 1);
    });
    const { metrics, notes } = extractEmf(doc);
    expect(notes).toEqual([]);
    expect(metrics).toEqual([
      {
        namespace: 'CdnPipeline',
        datum: {
          MetricName: 'PathsBilled',
          Dimensions: [{ Name: 'service', Value: 'cdn-pipeline-local-invalidate' }],
          Timestamp: new Date(T),
          Value: 7,
          Unit: 'Count',
        },
      },
      expect.objectContaining({
        datum: expect.objectContaining({ MetricName: 'WildcardsUsed', Value: 1 }),
      }),
    ]);
  });

  it('returns the values of a metric added several times as one datum with Values', () => {
    const doc = powertoolsDocument((m) => {
      m.addMetric('InvalidationCalls', MetricUnit.Count, 1);
      m.addMetric('InvalidationCalls', MetricUnit.Count, 1);
      m.addMetric('InvalidationCalls', MetricUnit.Count, 2);
    });
    const [only] = extractEmf(doc).metrics;
    expect(only!.datum).toMatchObject({ MetricName: 'InvalidationCalls', Values: [1, 1, 2] });
    expect(only!.datum.Value).toBeUndefined();
  });

  it('stores a metric once per dimension set', () => {
    const doc = powertoolsDocument((m) => {
      m.addDimension('DistributionId', 'E1');
      m.addMetric('HitRate', MetricUnit.Percent, 91.5);
    });
    const { metrics } = extractEmf(doc);
    expect(metrics.map((x) => x.datum.Dimensions)).toEqual([
      [
        { Name: 'service', Value: 'cdn-pipeline-local-invalidate' },
        { Name: 'DistributionId', Value: 'E1' },
      ],
    ]);
    const twoSets = {
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [
          { Namespace: 'N', Dimensions: [['a'], ['a', 'b'], []], Metrics: [{ Name: 'M' }] },
        ],
      },
      a: 'x',
      b: 'y',
      M: 3,
    };
    expect(extractEmf(JSON.stringify(twoSets)).metrics.map((x) => x.datum)).toEqual([
      expect.objectContaining({ Dimensions: [{ Name: 'a', Value: 'x' }], Unit: 'None' }),
      expect.objectContaining({
        Dimensions: [
          { Name: 'a', Value: 'x' },
          { Name: 'b', Value: 'y' },
        ],
      }),
      expect.not.objectContaining({ Dimensions: expect.anything() }),
    ]);
  });

  it('keeps high-resolution metrics at 1 s', () => {
    const doc = powertoolsDocument((m) => m.addMetric('Lag', MetricUnit.Milliseconds, 5, 1));
    expect(extractEmf(doc).metrics[0]!.datum).toMatchObject({ StorageResolution: 1 });
  });

  it('leaves out, with a note naming the field, what CloudWatch would not extract', () => {
    const doc = {
      _aws: {
        Timestamp: T,
        CloudWatchMetrics: [
          {
            Namespace: 'N',
            Dimensions: [['missing'], ['ok']],
            Metrics: [
              { Name: 'Text', Unit: 'Count' },
              { Name: 'Odd', Unit: 'Furlongs' },
              { Name: 'Good', Unit: 'Count' },
              { Name: 'Absent' },
            ],
          },
          { Namespace: '', Dimensions: [], Metrics: [] },
        ],
      },
      ok: 'yes',
      Text: 'seven',
      Odd: 1,
      Good: 2,
    };
    const { metrics, notes } = extractEmf(doc);
    expect(metrics.map((m) => m.datum.MetricName)).toEqual(['Good']);
    expect(notes).toEqual([
      '_aws.CloudWatchMetrics[0].Dimensions[0]: dimension missing has no string value',
      'Text: no number (or array of 1-100) at the root',
      '_aws.CloudWatchMetrics[0].Metrics[1].Unit: not a CloudWatch unit (Furlongs)',
      'Absent: no number (or array of 1-100) at the root',
      '_aws.CloudWatchMetrics[1].Namespace: must be a string of 1-255 characters',
    ]);
  });

  it.each([
    ['a plain log line', 'not json', 'document'],
    ['JSON without _aws', { message: 'hello' }, '_aws'],
    ['a bad timestamp', { _aws: { Timestamp: 'now', CloudWatchMetrics: [] } }, '_aws.Timestamp'],
    ['no directives', { _aws: { Timestamp: T } }, '_aws.CloudWatchMetrics'],
  ])('throws EmfDocumentError naming the field for %s', (_, doc, field) => {
    expect.assertions(2);
    try {
      extractEmf(doc);
    } catch (error) {
      expect(error).toBeInstanceOf(EmfDocumentError);
      expect((error as EmfDocumentError).field).toBe(field);
    }
  });
});

describe('putMetricDataInputs', () => {
  const metric = (namespace: string, i: number): ExtractedMetric => ({
    namespace,
    datum: { MetricName: `M${i}`, Value: i, Timestamp: new Date(T), Unit: 'Count' },
  });

  it('returns one call per namespace for a flush within the limits', () => {
    const inputs = putMetricDataInputs([metric('A', 1), metric('B', 2), metric('A', 3)]);
    expect(inputs.map((i) => [i.Namespace, i.MetricData!.map((d) => d.MetricName)])).toEqual([
      ['A', ['M1', 'M3']],
      ['B', ['M2']],
    ]);
  });

  it('splits at 1 000 datums a call', () => {
    const inputs = putMetricDataInputs(Array.from({ length: 2500 }, (_, i) => metric('A', i)));
    expect(inputs.map((i) => i.MetricData!.length)).toEqual([1000, 1000, 500]);
  });

  it('splits before a call would pass its byte budget', () => {
    const inputs = putMetricDataInputs(
      Array.from({ length: 10 }, (_, i) => metric('A', i)),
      { datums: 1000, bytes: 500 },
    );
    expect(inputs.length).toBeGreaterThan(1);
    expect(inputs.flatMap((i) => i.MetricData!).length).toBe(10);
  });
});
