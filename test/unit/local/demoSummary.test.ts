/** `npm run demo`'s summary: the edge's per-class counts, then the report's per-class table. */
import { describe, expect, it } from 'vitest';
import { formatDemoSummary } from '../../../local/demo.js';
import type { DemoResult } from '../../../local/demoRun.js';

const counts = (requests: number, hits: number) => ({
  requests,
  hits,
  misses: requests - hits,
  errors: 0,
  bytes: 1000 * requests,
  hitRate: (100 * hits) / requests,
});

const result: DemoResult = {
  stage: 'demo',
  distributionId: 'E1EXAMPLE',
  edgeUrl: 'http://127.0.0.1:4580',
  durationSeconds: 10,
  rate: 30,
  samples: 18,
  traffic: { requests: 300, failed: 0, byCache: { Hit: 270, Miss: 30 } },
  overwrites: [],
  invalidations: 0,
  pathsInvalidated: 0,
  pathsSent: 0,
  edge: {
    overall: counts(300, 270),
    byClass: { image: counts(200, 190), video: counts(100, 80) },
  },
  report: {
    file: '/tmp/outbox/report.txt',
    subject: 'daily report',
    window: { start: '2026-12-01T04:00:00Z', end: '2026-12-02T04:00:00Z' },
    requests: 300,
    hitRate: 90,
    pathsBilled: 0,
    byClass: { image: counts(200, 190), video: counts(100, 80) },
  },
  logs: { files: 2, requests: 300 },
};

describe('formatDemoSummary', () => {
  it('shows the report per class, from the standard logs it counted', () => {
    const lines = formatDemoSummary(result);
    const at = lines.indexOf('report per class (standard logs: 2 files, 300 requests):');
    expect(at).toBeGreaterThan(0);
    expect(lines.slice(at + 1, at + 3)).toEqual([
      '  image          200 requests   95.0% hits',
      '  video          100 requests   80.0% hits',
    ]);
    expect(lines[at + 3]).toMatch(/^report mailed: /);
  });
});
