/**
 * The Lambda artifacts: each zip holds only its bundle and source map, the bundle carries its
 * dependencies (the AWS SDK included), loads on Node and exports the handler the template names.
 */
import { writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FUNCTIONS,
  HEALTH,
  NAMES,
  PROVISION,
  PROVISION_NAMES,
  REPORT,
  REPORT_NAMES,
} from './expected.js';
import { usePackagedStack } from './stack.js';
import { props } from './template.js';
import { zipEntries, zipRead } from './zip.js';

const stack = usePackagedStack();
const t = () => stack.base.template;

describe('artifacts', () => {
  /** Optional SigV4a/CRT signers the SDK tries to load in a try/catch; never needed here. */
  const OPTIONAL_REQUIRES = ['@aws-sdk/signature-v4-crt', '@aws-sdk/signature-v4a'];

  it.each(NAMES)('bundles %s with its dependencies, the AWS SDK included', async (name) => {
    const zip = await stack.base.artifact(name);
    const entries = zipEntries(zip);
    const handlerPath = `functions/${name}/handler.js`;
    // Nothing but the bundle and its map. No package.json either: the root one says
    // "type": "module", which would make Lambda load this CommonJS bundle as ESM.
    expect(entries.map((e) => e.name).sort()).toEqual([handlerPath, `${handlerPath}.map`]);
    expect(props(t(), FUNCTIONS[name].id).Handler).toBe(`functions/${name}/handler.handler`);

    const code = zipRead(
      zip,
      entries.find((e) => e.name === handlerPath)!,
    ).toString('utf8');
    expect(code.includes('sourceMappingURL=handler.js.map'), 'source map comment').toBe(true);
    const required = new Set([...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]!));
    const external = [...required].filter(
      (id) => !isBuiltin(id) && !OPTIONAL_REQUIRES.includes(id),
    );
    expect(external, 'modules left outside the bundle').toEqual([]);

    // The bundle loads on Node and exports the handler the template names.
    const file = join(stack.base.dir, `${name}.handler.cjs`);
    await writeFile(file, code);
    const loaded = createRequire(import.meta.url)(file) as { handler?: unknown };
    expect(typeof loaded.handler).toBe('function');
  });
});

/** The function's zip holds only its bundle and map, and the bundle exports the named handler. */
async function expectBundledExport(name: string, handlerPath: string, exportName: string) {
  const zip = await stack.base.artifact(name);
  const entries = zipEntries(zip);
  expect(entries.map((e) => e.name).sort()).toEqual([handlerPath, `${handlerPath}.map`]);
  const code = zipRead(
    zip,
    entries.find((e) => e.name === handlerPath)!,
  ).toString('utf8');
  const file = join(stack.base.dir, `${name}.handler.cjs`);
  await writeFile(file, code);
  const loaded = createRequire(import.meta.url)(file) as Record<string, unknown>;
  expect(typeof loaded[exportName]).toBe('function');
}

describe('provisioning artifacts', () => {
  it.each(PROVISION_NAMES)('bundles %s and exports the handler the template names', (name) =>
    expectBundledExport(name, `functions/provision/tasks/${PROVISION[name].export}.js`, 'handler'),
  );
});

describe('report artifacts', () => {
  it.each(REPORT_NAMES)('bundles %s and exports the handler the template names', (name) =>
    expectBundledExport(name, `${REPORT[name].file}.js`, REPORT[name].export),
  );
});

describe('health artifact', () => {
  it('bundles the scheduled health check and exports the handler the template names', () =>
    expectBundledExport(HEALTH.name, 'functions/health/handler.js', HEALTH.export));
});
