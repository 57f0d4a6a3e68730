import { describe, expect, it } from 'vitest';
import { loadIngestConfig } from '../../functions/ingest/config.js';
import { loadInvalidateConfig } from '../../functions/invalidate/config.js';
import { ConfigError } from '../../shared/errors.js';
import { loadNotifyConfig } from '../../functions/provision/config.js';
import { loadReportConfig } from '../../functions/report/config.js';
import { DEFAULT_CONTENT_CLASSES } from '../../shared/contentClasses.js';

const queue = 'https://sqs.us-east-1.amazonaws.com/123456789012/requests';

describe('loadIngestConfig', () => {
  it('returns defaults when only the queue is set', () => {
    const config = loadIngestConfig({ INVALIDATION_QUEUE_URL: queue });
    expect(config.invalidateOn).toBe('overwrites');
    expect(config.contentClasses.map((c) => c.name)).toEqual([
      'video',
      'streaming',
      'image',
      'document',
    ]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it.each([
    [{}, /INVALIDATION_QUEUE_URL: .*\(not set\)/],
    [{ INVALIDATION_QUEUE_URL: 'nope' }, /INVALIDATION_QUEUE_URL: .*\(got "nope"\)/],
    [
      { INVALIDATION_QUEUE_URL: queue, INVALIDATE_ON: 'sometimes' },
      /INVALIDATE_ON: .*\(got "sometimes"\)/,
    ],
    [
      { INVALIDATION_QUEUE_URL: queue, CONTENT_CLASSES: '[{"name":"x"}]' },
      /CONTENT_CLASSES: \[0\]\.extensions/,
    ],
  ])('fails fast naming the variable for %j', (env, message) => {
    expect(() => loadIngestConfig(env)).toThrow(ConfigError);
    expect(() => loadIngestConfig(env)).toThrow(message);
  });
});

describe('loadInvalidateConfig', () => {
  it('returns the documented defaults', () => {
    expect(loadInvalidateConfig({})).toEqual({
      distributionIds: undefined,
      maxInflightPaths: 2800,
      maxInflightWildcards: 13,
      collapseMinSiblings: 20,
      wildcardMaxUnchanged: 100,
      holdMaxMs: 300_000,
      discoveryCacheMs: 60_000,
    });
  });

  it('parses a distribution list and treats an empty one as unset', () => {
    expect(loadInvalidateConfig({ DISTRIBUTION_IDS: ' E1, E2 ,' }).distributionIds).toEqual([
      'E1',
      'E2',
    ]);
    expect(loadInvalidateConfig({ DISTRIBUTION_IDS: '' }).distributionIds).toBeUndefined();
  });

  it.each([
    [{ MAX_INFLIGHT_PATHS: '3001' }, /MAX_INFLIGHT_PATHS/],
    [{ MAX_INFLIGHT_WILDCARDS: '16' }, /MAX_INFLIGHT_WILDCARDS/],
    [{ COLLAPSE_MIN_SIBLINGS: 'many' }, /COLLAPSE_MIN_SIBLINGS: .*\(got "many"\)/],
    [{ DISTRIBUTION_IDS: 'E1,not an id' }, /DISTRIBUTION_IDS: .*\(got "E1,not an id"\)/],
  ])('rejects quotas CloudFront would refuse: %j', (env, message) => {
    expect(() => loadInvalidateConfig(env)).toThrow(message);
  });
});

describe('loadReportConfig', () => {
  const required = {
    ALERTS_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:alerts',
    ALARM_TABLE: 'cdn-pipeline-dev-alarm-state',
  };

  it('returns the schema defaults, frozen, when only the topic and table are set', () => {
    const config = loadReportConfig(required);
    expect(config).toEqual({
      thresholds: {
        hitRateMin: 80,
        error5xxMax: 1,
        error4xxMax: 5,
        originLatencyMaxMs: 1000,
        minRequests: 500,
        classHitRateMin: { video: 90, image: 85, streaming: 60, document: 60 },
      },
      alarmAfter: 3,
      recoverAfter: 3,
      staleAfter: 8,
      checkWindowMinutes: 15,
      classWindowMinutes: 60,
      contentClasses: DEFAULT_CONTENT_CLASSES,
      digestWindowHours: 24,
      alertsTopicArn: required.ALERTS_TOPIC_ARN,
      alarmTable: required.ALARM_TABLE,
      distributionIds: [],
      dashboardName: undefined,
      metricsNamespace: 'CdnPipeline',
      invalidateServiceName: 'cdn-pipeline-invalidate',
      stage: 'dev',
      region: 'us-east-1',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.thresholds)).toBe(true);
  });

  it('treats the empty values a stack passes through as not set', () => {
    expect(
      loadReportConfig({ ...required, HIT_RATE_MIN: '', DASHBOARD_NAME: '', STAGE: '' }),
    ).toEqual(loadReportConfig(required));
  });

  it('reads per-class hit-rate minimums over the built-in ones, and names a bad entry', () => {
    expect(
      loadReportConfig({ ...required, HIT_RATE_THRESHOLDS: 'video=95, pages:70' }).thresholds
        .classHitRateMin,
    ).toEqual({ video: 95, image: 85, streaming: 60, document: 60, pages: 70 });
    expect(() => loadReportConfig({ ...required, HIT_RATE_THRESHOLDS: 'video=120' })).toThrow(
      /HIT_RATE_THRESHOLDS: "video=120" is not <class>=<percent 0-100>/,
    );
  });

  it.each([
    [{ ALARM_TABLE: required.ALARM_TABLE }, /ALERTS_TOPIC_ARN: is required.*\(not set\)/],
    [{ ...required, ALERTS_TOPIC_ARN: 'topic' }, /ALERTS_TOPIC_ARN: must be an SNS topic ARN/],
    [{ ...required, HIT_RATE_MIN: '101' }, /HIT_RATE_MIN: .*\(got "101"\)/],
    [{ ...required, DISTRIBUTION_IDS: 'E1,e2' }, /DISTRIBUTION_IDS: must be a comma list/],
    [{ ...required, DASHBOARD_NAME: 'a b' }, /DASHBOARD_NAME: must be a dashboard name/],
  ])('fails fast naming the variable for %j', (env, message) => {
    expect(() => loadReportConfig(env)).toThrow(ConfigError);
    expect(() => loadReportConfig(env)).toThrow(message);
  });
});

describe('loadNotifyConfig', () => {
  it('reads the alerts topic and names it when missing', () => {
    const topic = 'arn:aws:sns:us-east-1:123456789012:alerts';
    expect(loadNotifyConfig({ ALERTS_TOPIC_ARN: topic })).toEqual({ alertsTopicArn: topic });
    expect(() => loadNotifyConfig({})).toThrow(/ALERTS_TOPIC_ARN: is required/);
  });
});
