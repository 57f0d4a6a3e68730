/**
 * `npm run package`: builds the stack offline with the local osls CLI (`sls package`), fake
 * credentials and no profile, so it never reaches an AWS account. The package tests run the
 * same function.
 *
 *   npm run package -- [--stage dev] [--out .serverless] [--param name=value ...]
 *
 * Writes the CloudFormation template (`cloudformation-template-update-stack.json`) and one zip
 * per function into the output folder, and prints where and how long it took.
 */
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

/** The service folder (where serverless.yml lives). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The file `sls package` writes the deployable template to, inside its output folder. */
export const TEMPLATE_FILE = 'cloudformation-template-update-stack.json';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the command could not start (e.g. ENOENT) or was killed by the timeout. */
  readonly error?: string;
}

/** execFile without a shell; never rejects, so callers can put the output in their message. */
export function run(
  file: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<RunResult> {
  return new Promise((done) => {
    execFile(
      file,
      args,
      {
        cwd: ROOT,
        env: options.env ?? process.env,
        timeout: options.timeoutMs,
        maxBuffer: 32 << 20,
      },
      (error, stdout, stderr) => {
        if (!error) return done({ code: 0, stdout, stderr });
        const code = typeof error.code === 'number' ? error.code : null;
        const why = error.killed
          ? `killed after ${options.timeoutMs} ms`
          : code !== null
            ? `exit code ${code}`
            : error.message;
        done({ code, stdout, stderr, error: why });
      },
    );
  });
}

/** The environment `sls package` gets: fake credentials, no profile, nothing interactive. */
export function offlineEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'AWS_PROFILE',
    'AWS_SESSION_TOKEN',
    'AWS_ENDPOINT_URL',
    'AWS_DEFAULT_PROFILE',
  ]) {
    delete env[name];
  }
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_INTERACTIVE_SETUP_DISABLE: '1',
    CI: '1',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  };
}

/** The local osls CLI (`npx sls`), run with this Node, without npx's own start-up. */
const SLS_BIN = createRequire(import.meta.url).resolve('serverless/bin/serverless.js');

export interface PackageOptions {
  readonly stage: string;
  /** Output folder (`--package`); relative paths are taken from the service folder. */
  readonly out: string;
  /** `name=value` pairs, each passed as `--param`. */
  readonly params?: readonly string[];
}

export interface PackageResult {
  readonly dir: string;
  readonly templatePath: string;
  readonly seconds: number;
}

/**
 * `sls package --stage <stage> --package <out> [--param …]`. Runs of the same service must not
 * overlap: serverless-esbuild and osls share `.esbuild/` and `.serverless/` in the service folder.
 * Throws with osls's output when the run fails.
 */
export async function packageStack(options: PackageOptions): Promise<PackageResult> {
  const dir = resolve(ROOT, options.out);
  const params = (options.params ?? []).flatMap((p) => ['--param', p]);
  const started = process.hrtime.bigint();
  const result = await run(
    process.execPath,
    [SLS_BIN, 'package', '--stage', options.stage, '--package', dir, ...params],
    { env: offlineEnv(), timeoutMs: 180_000 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.code !== 0) {
    throw new Error(
      `sls package --stage ${options.stage} ${params.join(' ')} failed: ${result.error}\n` +
        `--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`,
    );
  }
  return { dir, templatePath: join(dir, TEMPLATE_FILE), seconds };
}

async function main(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      stage: { type: 'string', default: 'dev' },
      out: { type: 'string', default: '.serverless' },
      param: { type: 'string', multiple: true, default: [] },
    },
  });
  const bad = values.param.find((p) => !/^[^=]+=.+$/.test(p));
  if (bad !== undefined) throw new Error(`--param "${bad}": expected name=value`);
  const packaged = await packageStack({
    stage: values.stage,
    out: values.out,
    params: values.param,
  });
  console.log(
    `packaged stage ${values.stage} in ${packaged.seconds.toFixed(1)} s: ${packaged.templatePath}`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    console.error((error as Error).message);
    process.exitCode = 1;
  });
}
