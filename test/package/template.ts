/**
 * Runs `sls package` offline and reads what it wrote: the CloudFormation template and the
 * Lambda artifacts. Plus the few CloudFormation helpers the package tests need.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A CloudFormation value: literal, list, object or intrinsic function. */
export type Cfn =
  string | number | boolean | null | readonly Cfn[] | { readonly [key: string]: Cfn };
export type CfnObject = { readonly [key: string]: Cfn };

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: CfnObject;
  readonly DependsOn?: string | readonly string[];
  readonly Condition?: string;
}

export interface CfnTemplate {
  readonly Parameters?: Record<string, { readonly Default?: string }>;
  readonly Conditions?: Record<string, Cfn>;
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: Cfn }>;
}

export interface Packaged {
  readonly dir: string;
  readonly template: CfnTemplate;
  readonly seconds: number;
  artifact(name: string): Promise<Buffer>;
  cleanup(): Promise<void>;
}

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

/**
 * `sls package --stage <stage> --package <tmpdir> [extra]`. Runs of the same service must not
 * overlap: serverless-esbuild and osls share `.esbuild/` and `.serverless/` in the service folder.
 */
export async function slsPackage(stage: string, extra: readonly string[] = []): Promise<Packaged> {
  const dir = await mkdtemp(join(tmpdir(), `cdn-pipeline-package-${stage}-`));
  const started = process.hrtime.bigint();
  const result = await run(
    process.execPath,
    [SLS_BIN, 'package', '--stage', stage, '--package', dir, ...extra],
    { env: offlineEnv(), timeoutMs: 180_000 },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  let text: string;
  try {
    if (result.code !== 0) throw new Error(result.error ?? `exit code ${result.code}`);
    text = await readFile(templatePath, 'utf8');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(
      `sls package --stage ${stage} ${extra.join(' ')} failed: ${(error as Error).message}\n` +
        `--- stderr ---\n${result.stderr}\n--- stdout ---\n${result.stdout}`,
    );
  }
  return {
    dir,
    template: JSON.parse(text) as CfnTemplate,
    seconds,
    artifact: (name) => readFile(join(dir, `${name}.zip`)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

// ── CloudFormation helpers ──────────────────────────────────────────────────────────────

export function resourcesOfType(template: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}

export function resource(template: CfnTemplate, logicalId: string, type?: string): CfnResource {
  const found = template.Resources[logicalId];
  if (!found) throw new Error(`resource ${logicalId} is missing from the template`);
  if (type && found.Type !== type)
    throw new Error(`${logicalId} is a ${found.Type}, not a ${type}`);
  return found;
}

/** Properties as a loosely typed record: tests read paths they assert on. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any;
export function props(template: CfnTemplate, logicalId: string, type?: string): Loose {
  return resource(template, logicalId, type).Properties ?? {};
}

export const asArray = <T>(value: T | readonly T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? [...(value as readonly T[])] : [value as T];

/** `{ "Fn::GetAtt": [id, attr] }` or `{ "Ref": id }` → the logical id it points to. */
export function target(value: Cfn | undefined): string | undefined {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const obj = value as CfnObject;
    if (typeof obj.Ref === 'string') return obj.Ref;
    const getAtt = obj['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
    if (typeof getAtt === 'string') return getAtt.split('.')[0];
  }
  return undefined;
}

/** Evaluates a Conditions entry with the parameters' defaults (what `sls deploy` uses). */
export function evaluateCondition(template: CfnTemplate, name: string): boolean {
  const condition = template.Conditions?.[name];
  if (condition === undefined) throw new Error(`condition ${name} is missing`);
  const value = (node: Cfn): Cfn => {
    if (node && typeof node === 'object' && !Array.isArray(node)) {
      const obj = node as CfnObject;
      if (typeof obj.Ref === 'string') {
        const parameter = template.Parameters?.[obj.Ref];
        if (!parameter) throw new Error(`condition ${name} refers to unknown parameter ${obj.Ref}`);
        return parameter.Default ?? '';
      }
      if ('Fn::Equals' in obj) {
        const [a, b] = obj['Fn::Equals'] as Cfn[];
        return String(value(a!)) === String(value(b!));
      }
      if ('Fn::Not' in obj) return !value((obj['Fn::Not'] as Cfn[])[0]!);
      if ('Fn::And' in obj) return (obj['Fn::And'] as Cfn[]).every((c) => value(c) === true);
      if ('Fn::Or' in obj) return (obj['Fn::Or'] as Cfn[]).some((c) => value(c) === true);
      if (typeof obj.Condition === 'string') return evaluateCondition(template, obj.Condition);
      throw new Error(`condition ${name}: unsupported ${Object.keys(obj).join(',')}`);
    }
    return node;
  };
  return value(condition) === true;
}

export interface IamStatement {
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: Cfn;
  readonly NotResource?: Cfn;
  readonly Condition?: CfnObject;
}

/** Every statement of every inline policy of an AWS::IAM::Role. */
export function roleStatements(template: CfnTemplate, roleId: string): IamStatement[] {
  const role = props(template, roleId, 'AWS::IAM::Role');
  const policies = (role.Policies ?? []) as { PolicyDocument: { Statement: IamStatement[] } }[];
  return policies.flatMap((p) => asArray(p.PolicyDocument.Statement));
}

/** Does an IAM action pattern (`s3:Put*`, `*`) cover the concrete action? */
export function actionCovers(pattern: string, action: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(action);
}
