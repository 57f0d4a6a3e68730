/**
 * LOCAL ONLY. Lifecycle of the embedded AWS emulator (moto in server mode) used by `npm start`
 * and by the integration tests. Never imported by production code paths.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const MOTO_PIP_SPEC = 'moto[server]>=5.1,<6';
export const MOTO_INSTALL_HINT = `python3 -m pip install "${MOTO_PIP_SPEC}"`;

export interface Emulator {
  /** e.g. http://127.0.0.1:4566 */
  readonly endpoint: string;
  readonly port: number;
  /** True when this process started the server (false when an existing one was reused). */
  readonly owned: boolean;
  /** The server's pid: the child started here, or the process found listening on the port. */
  readonly pid?: number;
  /**
   * Settles when a server started here exits, with how it ended (`signal SIGKILL`, `exit code
   * 1`), unless `stop()` ended it. Absent for a reused server: nothing here sees it exit.
   */
  readonly exited?: Promise<string>;
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  /** 0 picks a free port. Default 4566. */
  port?: number;
  host?: string;
  /** Reuse a server already answering on the port instead of failing. Default true. */
  reuse?: boolean;
  /** Install moto with pip when it is missing. Default true. */
  install?: boolean;
  log?: (line: string) => void;
  /** How long to wait for the server to answer. Default 20 s. */
  readyTimeoutMs?: number;
}

interface Command {
  cmd: string;
  args: string[];
}

function works(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 30_000 });
  return r.status === 0;
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Finds a way to run moto's server: `moto_server` on PATH, else `python3 -m moto.server`. */
export function findMotoCommand(): Command | undefined {
  // A PATH look-up, not a trial run: starting Python just to ask costs ~0.9 s per start.
  const server = onPath('moto_server');
  if (server) return { cmd: server, args: [] };
  for (const py of ['python3', 'python']) {
    if (works(py, ['-c', 'import moto.server, flask']))
      return { cmd: py, args: ['-m', 'moto.server'] };
  }
  return undefined;
}

/** Returns a runnable moto, installing it with pip when absent (and allowed). */
export function ensureMoto(
  options: { install?: boolean; log?: (line: string) => void } = {},
): Command {
  const found = findMotoCommand();
  if (found) return found;
  if (options.install !== false) {
    options.log?.(`moto is not installed; running: ${MOTO_INSTALL_HINT}`);
    const r = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', MOTO_PIP_SPEC], {
      stdio: 'inherit',
      timeout: 600_000,
    });
    if (r.status === 0) {
      const again = findMotoCommand();
      if (again) return again;
    }
  }
  throw new Error(
    `The local AWS emulator (moto) is not available. Install it with:\n  ${MOTO_INSTALL_HINT}\n` +
      'Python 3.9+ is required.',
  );
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * The pid of the process listening on a TCP port of this machine, when it can be told: Linux's
 * /proc (sockets of this user's processes), else `lsof`; undefined when neither knows.
 */
export function listenerPid(port: number): number | undefined {
  try {
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        // local_address is HEXIP:HEXPORT, st 0A is LISTEN, column 9 the socket's inode.
        if (cols[1]?.endsWith(`:${hex}`) && cols[3] === '0A' && cols[9]) inodes.add(cols[9]);
      }
    }
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      let fds: string[];
      try {
        fds = readdirSync(`/proc/${pid}/fd`);
      } catch {
        continue; // another user's process, or gone
      }
      for (const fd of fds) {
        try {
          const inode = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
          if (inode && inodes.has(inode)) return Number(pid);
        } catch {
          // closed meanwhile
        }
      }
    }
    return undefined;
  } catch {
    const r = spawnSync('lsof', ['-nP', `-iTCP:${port}`, '-sTCP:LISTEN', '-t'], {
      encoding: 'utf8',
      timeout: 5_000,
    });
    const pid = Number(r.stdout?.split('\n')[0]);
    return r.status === 0 && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }
}

/** True when a moto server answers on the endpoint. */
export async function isEmulatorUp(endpoint: string, timeoutMs = 2_000): Promise<boolean> {
  try {
    // `/moto-api/` answers in milliseconds; `data.json` dumps every resource and slows down as
    // the emulator fills up.
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** How long the second probe of a taken port waits for an answer. */
const PATIENT_PROBE_MS = 10_000;

/** Whether something already listens on the port (a listen attempt fails with EADDRINUSE). */
function portTaken(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, host, () => server.close(() => resolve(false)));
  });
}

async function waitUntilUp(
  endpoint: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`moto exited (${child.exitCode ?? child.signalCode}) before it was ready`);
    if (await isEmulatorUp(endpoint)) return;
    await sleep(100);
  }
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms`);
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // No orphans: whatever ends this process ends the servers it started.
  process.on('exit', () => {
    for (const child of children) child.kill('SIGTERM');
  });
}

export async function startEmulator(options: StartEmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const requested = options.port ?? 4566;
  const reuse = options.reuse ?? true;
  if (requested !== 0 && reuse && (await isEmulatorUp(`http://${host}:${requested}`))) {
    const pid = listenerPid(requested);
    options.log?.(
      `reusing the emulator already listening on ${host}:${requested}${pid ? ` (pid ${pid})` : ''}`,
    );
    return {
      endpoint: `http://${host}:${requested}`,
      port: requested,
      owned: false,
      ...(pid ? { pid } : {}),
      stop: async () => {},
    };
  }
  if (requested !== 0 && (await portTaken(host, requested))) {
    // Something holds the port but did not answer the quick probe: a loaded machine's moto can take
    // longer. Ask again, patiently, before calling it foreign: a second moto spawned here could not
    // bind the port, and its exit moments later would read as "the emulator was lost".
    const endpoint = `http://${host}:${requested}`;
    if (reuse && (await isEmulatorUp(endpoint, PATIENT_PROBE_MS))) {
      options.log?.(
        `reusing the emulator already listening on ${host}:${requested} (slow to answer)`,
      );
      return { endpoint, port: requested, owned: false, stop: async () => {} };
    }
    throw new Error(
      `port ${requested} on ${host} is in use by something that ${reuse ? 'does not answer as an emulator (GET /moto-api/)' : 'we were told not to reuse'}: stop it, or choose another --port`,
    );
  }
  const command = ensureMoto({ install: options.install, log: options.log });
  const port = requested === 0 ? await freePort(host) : requested;
  const endpoint = `http://${host}:${port}`;
  const child = spawn(command.cmd, [...command.args, '-H', host, '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4_000);
  });
  children.add(child);
  installExitHook();
  let stopping = false;
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => {
      children.delete(child);
      if (!stopping) resolve(signal ? `signal ${signal}` : `exit code ${code}`);
    });
  });
  try {
    await waitUntilUp(endpoint, child, options.readyTimeoutMs ?? 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr.trim()}`, { cause: error });
  }
  return {
    endpoint,
    port,
    owned: true,
    ...(child.pid ? { pid: child.pid } : {}),
    exited,
    stop: async () => {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Clears every resource the emulator holds. */
export async function resetEmulator(endpoint: string): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!res.ok) throw new Error(`emulator reset failed: HTTP ${res.status}`);
}

/**
 * Makes new CloudFront distributions stay `InProgress` for `times` reads before `Deployed`,
 * so that wait loops are exercised (moto's state manager).
 */
export async function setDistributionDeployDelay(endpoint: string, times: number): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({
      model_name: 'cloudfront::distribution',
      transition: { progression: 'manual', times },
    }),
  });
  if (!res.ok) throw new Error(`emulator state-manager call failed: HTTP ${res.status}`);
}

/** Everything the emulator holds (SNS sent notifications included), for tests and the local outbox. */
export async function emulatorData(endpoint: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${endpoint}/moto-api/data.json`);
  if (!res.ok) throw new Error(`emulator data call failed: HTTP ${res.status}`);
  return (await res.json()) as Record<string, unknown>;
}
