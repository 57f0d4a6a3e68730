/**
 * publishMail counts a publish that failed (EMF `MailsNotPublished`, alarmed per function) and
 * still throws, so its callers keep their own handling (take the transition back, log).
 */
import type { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MAILS_NOT_PUBLISHED_METRIC, publishMail } from '../../shared/alarms/publishMail.js';
import { metrics } from '../../shared/observability.js';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:cdn-pipeline-dev-alerts';
const MAIL = { subject: 'subject', body: 'body' };
/** A throttled publish: the emulator never refuses one. */
const sns = (send: () => Promise<unknown>) => ({ send }) as unknown as SNSClient;

afterEach(() => vi.restoreAllMocks());

describe('publishMail', () => {
  it('counts a failed publish as MailsNotPublished, then throws the error', async () => {
    const add = vi.spyOn(metrics, 'addMetric');
    const refused = Object.assign(new Error('Rate exceeded'), { name: 'Throttling' });
    await expect(
      publishMail(
        sns(() => Promise.reject(refused)),
        TOPIC,
        MAIL,
      ),
    ).rejects.toBe(refused);
    expect(add).toHaveBeenCalledTimes(1);
    expect(add).toHaveBeenCalledWith(MAILS_NOT_PUBLISHED_METRIC, 'Count', 1);
    expect(MAILS_NOT_PUBLISHED_METRIC).toBe('MailsNotPublished');
  });

  it('counts nothing when the mail went out', async () => {
    const add = vi.spyOn(metrics, 'addMetric');
    await expect(
      publishMail(
        sns(() => Promise.resolve({ MessageId: 'm-1' })),
        TOPIC,
        MAIL,
      ),
    ).resolves.toBe('m-1');
    expect(add).not.toHaveBeenCalled();
  });
});
