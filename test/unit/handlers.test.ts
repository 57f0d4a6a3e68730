import { describe, expect, it } from 'vitest';
import * as health from '../../functions/health/handler.js';
import * as ingest from '../../functions/ingest/handler.js';
import * as invalidate from '../../functions/invalidate/handler.js';
import * as provision from '../../functions/provision/handler.js';
import * as report from '../../functions/report/handler.js';

// The Lambda entry points as serverless.yml names them, called the way Lambda calls them, with
// the test environment (no function variables set): each builds its config at the first
// invocation and fails it naming the variable, or runs.
describe('the Lambda entry points', () => {
  it.each([
    ['ingest.handler', () => ingest.handler({ Records: [] }), 'INVALIDATION_QUEUE_URL'],
    ['report.check', () => report.check({}), 'ALERTS_TOPIC_ARN'],
    ['report.digest', () => report.digest({}), 'ALERTS_TOPIC_ARN'],
    ['provision.notify', () => provision.notify({ outcome: 'ready' }), 'ALERTS_TOPIC_ARN'],
    ['health.scheduled', () => health.scheduled({}), 'HEALTH_BUCKET'],
  ])('%s fails its cold start naming %s when it is not set', async (_, invoke, variable) => {
    await expect(invoke()).rejects.toMatchObject({ name: 'ConfigError', field: variable });
  });

  it('invalidate.handler runs on its defaults (no variable is required)', async () => {
    await expect(invalidate.handler({ Records: [] })).resolves.toEqual({ batchItemFailures: [] });
  });

  it('provision tasks other than notify need no configuration', async () => {
    await expect(provision.checkDeployment({})).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});
