/**
 * Held and quota-deferred invalidation requests come back sooner than the queue's visibility
 * timeout: retryLater sets their visibility on moto's SQS, and a bad receipt handle or an
 * unknown queue is reported, never thrown.
 */
import { CreateQueueCommand, GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { retryLater } from '../../functions/invalidate/retryLater.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { receive } from '../helpers/sqs.js';

let emu: TestEmulator;
let queue: { url: string; arn: string };

beforeAll(async () => {
  emu = await startTestEmulator();
  const created = await emu.clients.sqs.send(
    new CreateQueueCommand({ QueueName: 'requests', Attributes: { VisibilityTimeout: '600' } }),
  );
  const attributes = await emu.clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: created.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  queue = { url: created.QueueUrl!, arn: attributes.Attributes!.QueueArn! };
}, 30_000);
afterAll(() => emu?.stop());

describe('retryLater', () => {
  it('makes the listed messages visible again after their seconds, the others stay hidden', async () => {
    for (const body of ['held', 'kept'])
      await emu.clients.sqs.send(
        new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }),
      );
    const first = await receive(emu.clients.sqs, queue, { min: 2 });
    const held = first.Records.find((r) => r.body === 'held')!;
    const errors: string[] = [];
    await retryLater(emu.clients.sqs, first.Records, new Map([[held.messageId, 1]]), (e) =>
      errors.push(e),
    );
    expect(errors).toEqual([]);
    const again = await receive(emu.clients.sqs, queue, { min: 1, timeoutMs: 6_000 });
    expect(again.Records.map((r) => r.body)).toEqual(['held']);
    expect(again.Records[0]!.attributes.ApproximateReceiveCount).toBe('2');
  });

  it('reports a queue it cannot find instead of throwing', async () => {
    const errors: string[] = [];
    await retryLater(
      emu.clients.sqs,
      [
        {
          messageId: 'm1',
          receiptHandle: 'x',
          eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:nope',
        },
      ] as never,
      new Map([['m1', 30]]),
      (e) => errors.push(e),
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/QueueDoesNotExist|NonExistentQueue|not exist/i);
  });
});
