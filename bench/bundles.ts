/**
 * Each deployed function's bundle, built the way `sls package` builds it: the entry file named by
 * its `handler:` in serverless.yml, with the `custom.esbuild` options serverless-esbuild passes to
 * esbuild (read from the file, so the bench and the bundle test follow any change to them), through
 * esbuild's API directly (seconds, where `sls package` takes minutes). Also each function's floor:
 * the same flags over an entry, generated in a temp dir, that only constructs the SDK clients the
 * function calls plus Powertools Logger and Metrics.
 */
import * as esbuild from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIENT_CLASSES, FUNCTION_CLIENTS, type ClientName } from './functionClients.js';
import { yamlBlock, yamlLines } from '../local/yamlBlocks.js';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The SDK v3 the nodejs22.x runtime provides: left out of the bundle in the SDK-external variant. */
export const RUNTIME_SDK = ['@aws-sdk/*'] as const;

export interface DeployedFunction {
  readonly name: string;
  /** Entry file relative to the service folder (`functions/ingest/handler.ts`). */
  readonly entry: string;
  /** The exported handler (`handler`, `validate` …). */
  readonly exportName: string;
}

export interface StackBuild {
  readonly functions: readonly DeployedFunction[];
  /** esbuild options from `custom.esbuild` (serverless-esbuild's own keys mapped or dropped). */
  readonly esbuild: esbuild.BuildOptions;
  /** The packages `custom.esbuild.exclude` leaves out (external, not in the zip). */
  readonly exclude: readonly string[];
  /** `provider.environment.NODE_OPTIONS`. */
  readonly nodeOptions: string;
}

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text.startsWith('[') && text.endsWith(']'))
    return text
      .slice(1, -1)
      .split(',')
      .map((s) => s.trim().replace(/^['"]|['"]$/g, ''))
      .filter(Boolean);
  return text.replace(/^['"]|['"]$/g, '');
}

/** Functions, esbuild options and NODE_OPTIONS, from serverless.yml. */
export function readStackBuild(root = ROOT): StackBuild {
  const all = yamlLines(readFileSync(join(root, 'serverless.yml'), 'utf8'));
  const fnLines = yamlBlock(all, ['functions']);
  const fnIndent = fnLines[0]?.indent ?? 0;
  const functions: DeployedFunction[] = [];
  let current: string | undefined;
  for (const l of fnLines) {
    if (l.indent === fnIndent && l.text.endsWith(':')) current = l.text.slice(0, -1);
    else if (current && l.indent === fnIndent + 2 && l.text.startsWith('handler:')) {
      const handler = l.text.slice('handler:'.length).trim();
      const dot = handler.lastIndexOf('.');
      functions.push({
        name: current,
        entry: `${handler.slice(0, dot)}.ts`,
        exportName: handler.slice(dot + 1),
      });
    }
  }
  const options: Record<string, unknown> = {};
  for (const l of yamlBlock(all, ['custom', 'esbuild'])) {
    const colon = l.text.indexOf(':');
    options[l.text.slice(0, colon)] = scalar(l.text.slice(colon + 1).trim());
  }
  // serverless-esbuild's own keys: `exclude` becomes external (and stays out of the zip).
  const { exclude = [], ...esbuildOptions } = options as { exclude?: string[] };
  const env = yamlBlock(all, ['provider', 'environment']);
  const nodeOptions = env.find((l) => l.text.startsWith('NODE_OPTIONS:'));
  return {
    functions,
    esbuild: esbuildOptions as esbuild.BuildOptions,
    exclude,
    nodeOptions: nodeOptions ? String(scalar(nodeOptions.text.slice(13).trim())) : '',
  };
}

export interface BuiltBundle {
  /** The bundle on disk (its source map beside it). */
  readonly file: string;
  readonly bytes: number;
  readonly mapBytes: number;
  readonly metafile: esbuild.Metafile;
}

/** Builds one entry (a path under root, or a generated file) with the stack's options. */
export async function buildBundle(
  entry: string,
  outFile: string,
  stack: StackBuild,
  options: { sdkExternal?: boolean; root?: string } = {},
): Promise<BuiltBundle> {
  const root = options.root ?? ROOT;
  const external = [...stack.exclude, ...(options.sdkExternal ? RUNTIME_SDK : [])];
  const result = await esbuild.build({
    ...stack.esbuild,
    entryPoints: [entry],
    absWorkingDir: root,
    nodePaths: [join(root, 'node_modules')],
    outfile: outFile,
    external,
    metafile: true,
    write: true,
    logLevel: 'error',
  });
  const outputs = result.metafile.outputs;
  const key = Object.keys(outputs).find((k) => k.endsWith('.js'))!;
  const map = Object.keys(outputs).find((k) => k.endsWith('.js.map'));
  return {
    file: outFile,
    bytes: outputs[key]!.bytes,
    mapBytes: map ? outputs[map]!.bytes : 0,
    metafile: result.metafile,
  };
}

/**
 * The floor's entry source: only the function's SDK clients plus Powertools Logger and Metrics
 * (built at load, as `shared/observability.ts` builds them), and a handler that uses them (so
 * nothing is shaken away). The clients are constructed at the first invocation, as every
 * function's `lambdaHandler(build)` constructs its own: both inits then measure the same work,
 * none of it moved out of the floor's window or into it.
 */
export function floorSource(clients: readonly ClientName[]): string {
  const classes = [...new Map(clients.map((c) => [CLIENT_CLASSES[c].pkg, CLIENT_CLASSES[c]]))];
  const build = clients.map((c) => `new ${CLIENT_CLASSES[c].name}({})`).join(', ');
  return [
    "import { Logger } from '@aws-lambda-powertools/logger';",
    "import { Metrics } from '@aws-lambda-powertools/metrics';",
    ...classes.map(([pkg, c]) => `import { ${c.name} } from '${pkg}';`),
    'const logger = new Logger();',
    "const metrics = new Metrics({ namespace: 'Floor' });",
    'let clients;',
    'export const handler = async () => {',
    `  clients ??= [${build}];`,
    "  logger.info('floor', { clients: clients.length });",
    '  metrics.publishStoredMetrics();',
    '  return clients.map((c) => c.config.serviceId);',
    '};',
    '',
  ].join('\n');
}

/** Writes the floor entry for `clients` into `dir` and builds it there with the stack's options. */
export async function buildFloor(
  clients: readonly ClientName[],
  dir: string,
  stack: StackBuild,
  options: { sdkExternal?: boolean; root?: string } = {},
): Promise<BuiltBundle> {
  const id = [...clients].sort().join('+');
  mkdirSync(dir, { recursive: true });
  const entry = join(dir, `floor-${id}.ts`);
  writeFileSync(entry, floorSource(clients));
  const suffix = options.sdkExternal ? '.sdk-external' : '';
  return buildBundle(entry, join(dir, `floor-${id}${suffix}.js`), stack, options);
}

/** The clients declared for a function (a function missing from the list is an error). */
export function declaredClients(name: string): readonly ClientName[] {
  const clients = (FUNCTION_CLIENTS as Record<string, readonly ClientName[]>)[name];
  if (!clients)
    throw new Error(`bench/functionClients.ts: no FUNCTION_CLIENTS entry for function "${name}"`);
  return clients;
}

/** Bytes in the bundle by package (`zod`, `@aws-sdk/client-s3`) or repository folder. */
export function bytesByPackage(metafile: esbuild.Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs))
    for (const [path, input] of Object.entries(output.inputs)) {
      const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const key = m ? m[1]! : path.split('/').slice(0, 2).join('/');
      sizes.set(key, (sizes.get(key) ?? 0) + input.bytesInOutput);
    }
  return new Map([...sizes].sort((a, b) => b[1] - a[1]));
}
