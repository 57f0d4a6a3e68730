/** The scheduler ingest runs a batch's records through: bounded, a key's records in turn. */
import { describe, expect, it } from 'vitest';
import { createRecordScheduler } from '../../../functions/ingest/recordScheduler.js';

/** A task that stays running until released, recording when it ran. */
function gate() {
  const opened: Array<() => void> = [];
  return {
    wait: () => new Promise<void>((resolve) => opened.push(resolve)),
    releaseAll: () => opened.splice(0).forEach((r) => r()),
    get waiting() {
      return opened.length;
    },
  };
}
const tick = () => new Promise((r) => setImmediate(r));

describe('createRecordScheduler', () => {
  it('runs at most `concurrency` tasks at once, and reaches it', async () => {
    const scheduler = createRecordScheduler({ concurrency: 3 });
    let running = 0;
    let most = 0;
    const all = Array.from({ length: 20 }, (_, i) =>
      scheduler.run(`key-${i}`, async () => {
        running += 1;
        most = Math.max(most, running);
        await tick();
        running -= 1;
        return i;
      }),
    );
    expect(await Promise.all(all)).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(most).toBe(3);
    expect(scheduler.unsettled).toBe(0);
  });

  it('runs the tasks of one key one after another, in the order they were scheduled', async () => {
    const scheduler = createRecordScheduler({ concurrency: 8 });
    const g = gate();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`start ${name}`);
      await g.wait();
      log.push(`end ${name}`);
    };
    const runs = [
      scheduler.run('same', task('a1')),
      scheduler.run('other', task('b1')),
      scheduler.run('same', task('a2')),
      scheduler.run('same', task('a3')),
    ];
    await tick();
    // a1 and b1 run side by side; a2 waits for a1, a3 for a2.
    expect(log).toEqual(['start a1', 'start b1']);
    expect(scheduler.unsettled).toBe(4);
    while (log.filter((l) => l.startsWith('end')).length < 4) {
      g.releaseAll();
      await tick();
    }
    await Promise.all(runs);
    const a = log.filter((l) => l.endsWith('a1') || l.endsWith('a2') || l.endsWith('a3'));
    expect(a).toEqual(['start a1', 'end a1', 'start a2', 'end a2', 'start a3', 'end a3']);
  });

  it("keeps each task's own outcome: a failed one does not stop the next of its key", async () => {
    const scheduler = createRecordScheduler({ concurrency: 2 });
    const order: string[] = [];
    const results = await Promise.allSettled([
      scheduler.run('k', async () => {
        order.push('first');
        throw new Error('first failed');
      }),
      scheduler.run('k', async () => {
        order.push('second');
        return 'second ok';
      }),
    ]);
    expect(order).toEqual(['first', 'second']);
    expect(results[0]).toMatchObject({ status: 'rejected', reason: { message: 'first failed' } });
    expect(results[1]).toEqual({ status: 'fulfilled', value: 'second ok' });
  });

  it('frees the slot of a task waiting for its key, so other keys never stall behind it', async () => {
    const scheduler = createRecordScheduler({ concurrency: 2 });
    const g = gate();
    const log: string[] = [];
    const first = scheduler.run('k', async () => {
      log.push('k1');
      await g.wait();
    });
    const second = scheduler.run('k', async () => void log.push('k2'));
    const other = scheduler.run('other', async () => void log.push('other'));
    await tick();
    // k2 waits for k1 without holding the second slot: `other` takes it.
    expect(log).toEqual(['k1', 'other']);
    g.releaseAll();
    await Promise.all([first, second, other]);
    expect(log).toEqual(['k1', 'other', 'k2']);
  });

  it('calls onSettled after each task', async () => {
    let settled = 0;
    const scheduler = createRecordScheduler({ concurrency: 2, onSettled: () => (settled += 1) });
    await Promise.allSettled([
      scheduler.run('a', async () => 1),
      scheduler.run('b', async () => {
        throw new Error('no');
      }),
    ]);
    expect(settled).toBe(2);
  });
});
