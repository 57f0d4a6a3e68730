/**
 * The one context every `cdn-pipeline` command runs in: the exit codes, the flags that aim a
 * command (`--local`, `--port`, `--stage`, `--region`, the same on every command), the target
 * they resolve to (`local/target.ts`), the SDK clients for it, and the environment. The only
 * place the CLI reads `process.env`.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import { createClients, type AwsClients } from '../shared/clients.js';
import { CdnPipelineError } from '../shared/errors.js';
import {
  DEFAULT_LOCAL_PORT,
  describeTarget,
  localTargetFor,
  resolveTarget,
  TargetError,
  type Target,
  type TargetFlags,
} from '../local/target.js';

/** Exit codes: 0 done, 1 failed, 2 bad usage, 3 partly done (work deferred), 4 timed out. */
export const EXIT = { ok: 0, failed: 1, usage: 2, partial: 3, timedOut: 4 } as const;

/** What a command ends with; the action maps it to the exit code. */
export type Outcome = keyof typeof EXIT;

import { resolveAliases, type Env } from '../shared/env.js';

export type { Env };

/** How long a local run waits for the emulator to answer before saying it is not there. */
const PROBE_TIMEOUT_MS = 1_500;

export interface CliContext {
  readonly target: Target;
  /** Where this command looks, for messages: `the emulator at http://127.0.0.1:4566`. */
  readonly where: string;
  readonly env: Env;
  /** The clients for the target; a local target's emulator is checked first (once). */
  clients(): Promise<AwsClients>;
}

/**
 * The environment, read here and nowhere else in the CLI, with the project's variables taken
 * from their aliases when unset (`CLOUDFRONT_DOMAIN` → `CDN_DOMAIN` …, `shared/env.ts`).
 */
export function cliEnv(): Env {
  return resolveAliases(process.env).env;
}

/** Clients by target: built once per process, like the functions' clients. */
const clientCache = new Map<string, AwsClients>();
/** Emulator endpoints that answered already (or the probe running). */
const answered = new Map<string, Promise<boolean>>();

function clientsFor(target: Target): AwsClients {
  const key = JSON.stringify([target.endpoint, target.region, Boolean(target.credentials)]);
  let clients = clientCache.get(key);
  if (!clients) {
    clients = createClients({
      // Deployed without an override: the SDK default, never an endpoint left in the env.
      endpoint: target.endpoint ?? '',
      region: target.region,
      ...(target.credentials ? { credentials: { ...target.credentials } } : {}),
    });
    clientCache.set(key, clients);
  }
  return clients;
}

/** Does anything answer HTTP at the endpoint (any status counts)? */
export function emulatorAnswers(endpoint: string): Promise<boolean> {
  let probe = answered.get(endpoint);
  if (!probe) {
    probe = fetch(endpoint, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) }).then(
      async (response) => {
        await response.body?.cancel();
        return true;
      },
      () => false,
    );
    answered.set(endpoint, probe);
  }
  return probe;
}

function contextFor(target: Target, env: Env): CliContext {
  return {
    target,
    where: describeTarget(target),
    env,
    async clients() {
      if (target.kind === 'local' && !(await emulatorAnswers(target.endpoint!))) {
        answered.delete(target.endpoint!);
        const source = target.because === 'AWS_ENDPOINT_URL' ? ' (from AWS_ENDPOINT_URL)' : '';
        throw new CdnPipelineError(
          `no emulator answers at ${target.endpoint}${source}: start the local pipeline with npm start` +
            ` (it prints the export lines), or pass --port <its port>`,
        );
      }
      return clientsFor(target);
    },
  };
}

/** The context of one command run. Throws {@link TargetError} for flags that contradict. */
export function cliContext(flags: TargetFlags): CliContext {
  const env = cliEnv();
  return contextFor(resolveTarget(flags, env), env);
}

/**
 * Where to look when nothing was found: for a deployed target, the emulator `npm start` would
 * run (when one answers); a local target never looks at a real account.
 */
export async function otherContext(ctx: CliContext): Promise<CliContext | undefined> {
  if (ctx.target.kind === 'local' || ctx.target.endpoint) return undefined;
  const local = localTargetFor(ctx.env, ctx.target.region);
  return (await emulatorAnswers(local.endpoint!)) ? contextFor(local, ctx.env) : undefined;
}

// ── Flags ───────────────────────────────────────────────────────────────────────────────────

function portNumber(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > 65_535) {
    throw new InvalidArgumentError('expected a port number 1-65535');
  }
  return n;
}

export const TARGET_HELP = `
Which stack: the deployed stage (--stage, default dev) with the standard AWS credentials, or
the emulator of npm start with --local, or when AWS_ENDPOINT_URL points at this machine
(stage local unless --stage says otherwise). --local without AWS_ENDPOINT_URL uses
http://127.0.0.1:<port> (--port, else $CDN_PIPELINE_LOCAL_PORT, else ${DEFAULT_LOCAL_PORT}) and test
credentials when none are exported.`;

/** The flags that aim a command, the same on every command. `hidden`: accepted, not shown. */
export function addTargetOptions(command: Command, options: { hidden?: boolean } = {}): Command {
  const flags = [
    new Option('--local', 'the emulator of npm start (default when AWS_ENDPOINT_URL is local)'),
    new Option(
      '--port <n>',
      `the emulator's port (implies --local; default $CDN_PIPELINE_LOCAL_PORT, else ${DEFAULT_LOCAL_PORT})`,
    ).argParser(portNumber),
    new Option('--stage <name>', 'stack stage (default: dev; on the emulator: local)'),
    new Option('--region <region>', "the stack's region (default: $AWS_REGION, else us-east-1)"),
  ];
  for (const flag of flags) command.addOption(options.hidden ? flag.hideHelp() : flag);
  return command;
}

/**
 * The action of a command: runs it and sets the exit code. A contradiction in the target flags
 * is bad usage (exit 2) with the message; anything else thrown is main's to report.
 */
export function outcomeAction<A extends unknown[]>(
  run: (...args: A) => Promise<Outcome>,
  exit: Readonly<Record<Outcome, number>> = EXIT,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      process.exitCode = exit[await run(...args)];
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      console.error(`cdn-pipeline: ${error.message}`);
      process.exitCode = exit.usage;
    }
  };
}
