/**
 * Guards the cold-start fix (issue 9) on what the bundles hold, not on timings: each function's
 * bundle, built with serverless.yml's own esbuild options, carries zod's English messages only
 * (not its ~60 other locales), and only the SDK clients its functions are declared to call
 * (bench/functionClients.ts): ingest must not carry CloudFront, CloudWatch, Step Functions…
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildBundle,
  declaredClients,
  readStackBuild,
  type BuiltBundle,
} from '../../bench/bundles.js';
import { CLIENT_CLASSES, clientPackages, FUNCTION_CLIENTS } from '../../bench/functionClients.js';

const stack = readStackBuild();
const dir = mkdtempSync(join(tmpdir(), 'cdn-pipeline-bundles-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entries = [...new Set(stack.functions.map((f) => f.entry))];
const ALL_CLIENT_PACKAGES = clientPackages(
  Object.keys(CLIENT_CLASSES) as Array<keyof typeof CLIENT_CLASSES>,
);

const built = new Map<string, Promise<BuiltBundle>>();
function bundle(entry: string): Promise<BuiltBundle> {
  if (!built.has(entry))
    built.set(entry, buildBundle(entry, join(dir, `${entry.replace(/[/.]/g, '_')}.js`), stack));
  return built.get(entry)!;
}

function inputs(b: BuiltBundle): string[] {
  return Object.values(b.metafile.outputs).flatMap((o) =>
    Object.entries(o.inputs)
      .filter(([, i]) => i.bytesInOutput > 0)
      .map(([path]) => path),
  );
}

describe('function bundles (serverless.yml custom.esbuild)', () => {
  it('declares the clients of every function serverless.yml deploys, and of no other', () => {
    expect(stack.functions.length).toBeGreaterThan(0);
    expect(stack.functions.map((f) => f.name).sort()).toEqual(Object.keys(FUNCTION_CLIENTS).sort());
  });

  describe.each(entries)('%s', (entry) => {
    const names = stack.functions.filter((f) => f.entry === entry).map((f) => f.name);
    // Functions sharing an entry file share its bundle: it may hold the clients of any of them.
    const allowed = clientPackages(names.flatMap((n) => declaredClients(n)));

    it('holds zod with its English messages only', async () => {
      const paths = inputs(await bundle(entry));
      expect(paths.some((p) => p.includes('node_modules/zod/'))).toBe(true);
      const locales = paths.filter((p) => /node_modules\/zod\/.*\/locales\//.test(p));
      expect(locales.map((p) => p.replace(/^.*\/locales\//, ''))).toEqual(['en.js']);
    });

    it(`holds only the SDK clients ${names.join(', ')} call`, async () => {
      const paths = inputs(await bundle(entry));
      const present = ALL_CLIENT_PACKAGES.filter((pkg) =>
        paths.some((p) => p.includes(`node_modules/${pkg}/`)),
      );
      expect(present).toEqual(allowed);
    });
  });
});
