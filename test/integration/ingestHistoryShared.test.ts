/**
 * Version histories asked together (the records of one batch) share one ListObjectVersions
 * where it answers them, and each answer is the one the key's own listing gives: overwritten,
 * new, re-created after a delete, a late event of an older version, keys that are prefixes of
 * others, a key the shared page does not reach.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { versionHistory, type NamedVersion } from '../../functions/ingest/history.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
const BUCKET = 'example-history';

beforeAll(async () => {
  emu = await startTestEmulator();
  await emu.clients.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await emu.clients.s3.send(
    new PutBucketVersioningCommand({
      Bucket: BUCKET,
      VersioningConfiguration: { Status: 'Enabled' },
    }),
  );
}, 60_000);
afterAll(() => emu?.stop());

async function put(key: string, body: string): Promise<NamedVersion> {
  const out = await emu.clients.s3.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }),
  );
  return { versionId: out.VersionId!, eTag: out.ETag!.replace(/"/g, '') };
}

/** The emulator's client, counting ListObjectVersions calls. */
function counting(): { s3: S3Client; lists: () => number } {
  let lists = 0;
  const { s3 } = emu.clients;
  const counted = Object.create(s3) as S3Client;
  Object.defineProperty(counted, 'send', {
    value: (command: unknown, ...rest: unknown[]) => {
      if (command instanceof ListObjectVersionsCommand) lists += 1;
      return (s3.send as (...a: unknown[]) => unknown).call(s3, command, ...rest);
    },
  });
  return { s3: counted, lists: () => lists };
}

describe('version histories asked together', () => {
  it('answer each key as its own listing does, with one ListObjectVersions', async () => {
    const asked: Array<{ key: string; named: NamedVersion }> = [];
    const first = await put('site/a.txt', 'v1');
    asked.push({ key: 'site/a.txt', named: await put('site/a.txt', 'v2') }); // overwrite
    asked.push({ key: 'site/a.txt.bak', named: await put('site/a.txt.bak', 'new') }); // new
    await put('site/b.txt', 'v1');
    await emu.clients.s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'site/b.txt' }));
    asked.push({ key: 'site/b.txt', named: await put('site/b.txt', 'v2') }); // re-created
    asked.push({ key: 'site/a.txt', named: first }); // late event of the older version
    asked.push({ key: 'site/ünï cødé.txt', named: await put('site/ünï cødé.txt', 'x') });
    asked.push({ key: 'site/gone.txt', named: { versionId: 'no-such-version' } });

    // Each alone (one turn each: nothing to share).
    const alone = [];
    for (const q of asked) alone.push(await versionHistory(emu.clients.s3, BUCKET, q.key, q.named));
    // All at once.
    const { s3, lists } = counting();
    const together = await Promise.all(
      asked.map((q) => versionHistory(s3, BUCKET, q.key, q.named)),
    );
    expect(together).toEqual(alone);
    expect(lists()).toBe(2); // the shared page, then site/gone.txt alone (its version is not there)
    expect(
      together.map((h) => (h.found ? [h.olderVersions, h.olderDeleteMarkers] : 'gone')),
    ).toEqual([[1, 0], [0, 0], [1, 1], [0, 0], [0, 0], 'gone']);
  });

  it('reads a key the shared page does not reach on its own', async () => {
    // 1 001 entries before the last key: the shared page (1 000) stops short of it.
    const many = Array.from({ length: 1001 }, (_, i) => `deep/a-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < many.length; i += 50)
      await Promise.all(many.slice(i, i + 50).map((k) => put(k, 'x')));
    const early = { key: 'deep/a-0000', named: await put('deep/a-0000', 'y') };
    const late = { key: 'deep/z', named: await put('deep/z', 'z') };
    const alone = [
      await versionHistory(emu.clients.s3, BUCKET, early.key, early.named),
      await versionHistory(emu.clients.s3, BUCKET, late.key, late.named),
    ];
    const { s3, lists } = counting();
    const together = await Promise.all(
      [early, late].map((q) => versionHistory(s3, BUCKET, q.key, q.named)),
    );
    expect(together).toEqual(alone);
    expect(lists()).toBe(2); // the shared page, then deep/z alone
  }, 120_000);
});
