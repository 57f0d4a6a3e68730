/**
 * The fault proxy from `npm start -- --faults FILE`: the script is checked when the flags are
 * parsed (errors name the flag, the file and the field), and the composed local pipeline then
 * sends its calls through the proxy: an overwrite ends as an invalidation in the proxy's ledger,
 * InProgress as on AWS, with the scripted faults on the way.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  faultChooser,
  FaultScriptError,
  parseFaultScript,
  readFaultScript,
} from '../../local/faultProxyScript.js';
import { startLocalPipeline, type LocalPipeline } from '../../local/pipeline.js';
import { parseStartArgs, UsageError } from '../../local/startOptions.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

const dir = mkdtempSync(join(tmpdir(), 'faults-'));
function scriptFile(name: string, content: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
}

describe('the fault script', () => {
  it('takes the bare map of operations to rules, or the full form with seed and completion time', () => {
    const bare = parseFaultScript({
      CreateInvalidation: [{ call: 2, fault: 'TooManyInvalidationsInProgress' }],
      '*': [{ probability: 0.1, fault: '503' }],
    });
    expect(bare.faults.CreateInvalidation).toHaveLength(1);
    const full = parseFaultScript({ seed: 3, completeAfterMs: 5000, faults: {} });
    expect(full).toMatchObject({ seed: 3, completeAfterMs: 5000 });
  });

  it.each([
    [{ CreateInvalidation: [{ fault: 'Explode' }] }, 'faults.CreateInvalidation.0.fault'],
    [{ CreateInvalidation: [{ call: 0, fault: '503' }] }, 'faults.CreateInvalidation.0.call'],
    [{ '*': [{ probability: 2, fault: '503' }] }, 'faults.*.0.probability'],
    [{ Invalidate: [{ fault: '503' }] }, 'faults'],
    [{ faults: {}, seeds: 1 }, '(root)'],
  ])('names the field of a bad script: %j → %s', (script, field) => {
    expect(() => parseFaultScript(script, 'faults.json')).toThrow(FaultScriptError);
    expect(() => parseFaultScript(script, 'faults.json')).toThrow(`faults.json: ${field}`);
  });

  it('call numbers count per operation; * rules count every CloudFront call', () => {
    const choose = faultChooser(
      parseFaultScript({
        CreateInvalidation: [{ call: [2, 3], fault: 'Throttling' }],
        '*': [{ every: 4, fault: 'reset' }],
      }),
    );
    const seen = [
      'ListInvalidations',
      'CreateInvalidation',
      'CreateInvalidation',
      'GetInvalidation',
      'CreateInvalidation',
    ].map((op) => choose(op)?.fault ?? '-');
    expect(seen).toEqual(['-', '-', 'Throttling', 'reset', 'Throttling']);
  });

  it('reads a file, naming it when it is not JSON', () => {
    expect(readFaultScript(scriptFile('ok.json', { '*': [] })).faults).toEqual({ '*': [] });
    expect(() => readFaultScript(scriptFile('bad.json', '{ nope'))).toThrow(
      /bad\.json: is not JSON/,
    );
  });
});

describe('npm start -- --faults FILE', () => {
  it('resolves the script and leaves it where the pipeline reads it', () => {
    const file = scriptFile('start.json', { '*': [] });
    const env: Record<string, string | undefined> = {};
    const options = parseStartArgs(['--faults', file], env);
    expect(options?.faults).toBe(file);
    expect(env.CDN_PIPELINE_FAULTS).toBe(file);
    expect(parseStartArgs([], {})?.faults).toBeUndefined();
  });

  it('refuses a bad script before anything starts, naming the flag, the file and the field', () => {
    const file = scriptFile('wrong.json', { GetInvalidation: [{ fault: 'slow' }] });
    expect(() => parseStartArgs(['--faults', file], {})).toThrow(UsageError);
    expect(() => parseStartArgs(['--faults', file], {})).toThrow(
      `--faults: ${file}: faults.GetInvalidation.0.fault`,
    );
    expect(() => parseStartArgs([], { CDN_PIPELINE_FAULTS: join(dir, 'missing.json') })).toThrow(
      /CDN_PIPELINE_FAULTS: .*missing\.json: cannot read/,
    );
  });

  describe('the composed pipeline', () => {
    let emu: TestEmulator;
    let pipeline: LocalPipeline;
    const log: string[] = [];
    beforeAll(async () => {
      emu = await startTestEmulator();
      pipeline = await startLocalPipeline({
        port: Number(new URL(emu.endpoint).port),
        stage: 'faults-start',
        env: {},
        faults: scriptFile('pipeline.json', {
          completeAfterMs: 60_000,
          faults: { CreateInvalidation: [{ call: 1, fault: 'Throttling' }] },
        }),
        log: (line) => log.push(line),
        onError: (line) => log.push(line),
      });
    }, 90_000);
    afterAll(async () => {
      await pipeline?.stop();
      await emu?.stop();
    });

    it('says the proxy is on and where, and its ledger holds the overwrite, InProgress', async () => {
      const proxy = pipeline.faultProxy!;
      expect(log.find((l) => l.startsWith('fault proxy on'))).toContain(
        `fault proxy on ${proxy.endpoint} `,
      );
      const put = () =>
        pipeline.clients.s3.send(
          new PutObjectCommand({ Bucket: pipeline.stack.bucket, Key: 'img/logo.png', Body: 'x' }),
        );
      await put();
      await put();
      const deadline = Date.now() + 30_000;
      while (!proxy.ledger.all().length && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200));
      const [invalidation] = proxy.ledger.all();
      expect(invalidation?.paths).toEqual(['/img/logo.png']);
      expect(proxy.ledger.view(invalidation!).status).toBe('InProgress');
      expect(proxy.log.find((r) => r.operation === 'CreateInvalidation')?.fault).toBe('Throttling');
    }, 60_000);
  });
});
