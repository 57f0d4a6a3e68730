/**
 * The local edge beside the fault proxy: invalidations live in the proxy's ledger (the emulator
 * never sees them), so the edge reads them there, in process, and an overwrite still reaches the
 * edge fresh; the edge's own reads leave the proxy's call log (and so the script's numbered
 * calls) untouched.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';

let pipeline: LocalPipeline;
const ingested: string[] = [];

beforeAll(async () => {
  const script = join(mkdtempSync(join(tmpdir(), 'edge-faults-')), 'faults.json');
  writeFileSync(script, JSON.stringify({ faults: {} }));
  pipeline = await startLocalPipeline({
    port: 0,
    reuseEmulator: false,
    stage: 'edgefaults',
    env: {},
    faults: script,
    edge: { port: 0 },
    observers: {
      ingest: (o) => {
        if (o.status === 'processed') ingested.push(o.key);
      },
    },
  });
}, 90_000);
afterAll(() => pipeline?.stop());

const body = async (path: string) => {
  const res = await fetch(`${pipeline.edge!.url}${path}`);
  return { text: await res.text(), cache: res.headers.get('x-cache') };
};

it('serves the overwrite fresh, reading invalidations from the proxy\u2019s ledger', async () => {
  const put = (Body: string) =>
    pipeline.clients.s3.send(
      new PutObjectCommand({
        Bucket: pipeline.stack.bucket,
        Key: 'img/logo.png',
        Body,
        ContentType: 'image/png',
      }),
    );
  await put('v1');
  for (let i = 0; i < 200 && !ingested.includes('img/logo.png'); i++)
    await new Promise((r) => setTimeout(r, 100));
  expect(await body('/img/logo.png')).toEqual({ text: 'v1', cache: 'Miss from cloudfront' });
  expect((await body('/img/logo.png')).cache).toBe('Hit from cloudfront');
  const calls = () => pipeline.faultProxy!.log.length;
  const before = calls();
  await new Promise((r) => setTimeout(r, 1_500)); // three of the edge's polls
  expect(calls()).toBe(before); // none of them went through the proxy

  await put('v2');
  const deadline = Date.now() + pipeline.polling.invalidate.windowMs + 2_000;
  let seen = await body('/img/logo.png');
  while (seen.text !== 'v2' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    seen = await body('/img/logo.png');
  }
  expect(seen).toEqual({ text: 'v2', cache: 'Miss from cloudfront' });
  expect(pipeline.faultProxy!.ledger.all().some((i) => i.paths.includes('/img/logo.png'))).toBe(
    true,
  );
}, 60_000);
