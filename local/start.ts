/**
 * LOCAL ONLY. `npm start`: the whole pipeline on this machine (composed in `pipeline.ts`), with
 * readable lines for what it does. Parses the flags, composes, prints the ready block, and stops
 * everything it started on Ctrl-C or SIGTERM. Every mail sent to the alerts topic lands in the
 * local outbox (`.local/outbox/`) and on the console; a message reaching a DLQ prints a line (and
 * its alarm's mail); an emulator that dies under it ends the run, exit code 3, with what was lost.
 */
import { realpathSync } from 'node:fs';
import { relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { describeLoss } from './emulatorWatch.js';
import { StartAborted, startLocalPipeline, type LocalPipeline } from './pipeline.js';
import {
  COLOR_PALETTE,
  NO_COLOR_PALETTE,
  checkKey,
  formatCheck,
  formatDigest,
  formatDlqArrival,
  formatIngestOutcome,
  formatInvalidateReport,
  formatMail,
  useColor,
  type Palette,
} from './print.js';
import { formatReady } from './ready.js';
import {
  applyPowertoolsDefaults,
  HELP,
  parseStartArgs,
  type StartOptions,
} from './startOptions.js';

const SHUTDOWN_GRACE_MS = 15_000;
/** The exit code when the emulator died under the run (2 is a usage error, 1 a failed start). */
export const EMULATOR_LOST_EXIT_CODE = 3;
const REPEAT_SIGNAL_WINDOW_MS = 2_000;

/** `/repo/.local/outbox/x.txt` → `.local/outbox/x.txt` when under the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}

async function main(): Promise<void> {
  const env = process.env;
  const palette: Palette = useColor(process.stdout, env) ? COLOR_PALETTE : NO_COLOR_PALETTE;
  const errPalette: Palette = useColor(process.stderr, env) ? COLOR_PALETTE : NO_COLOR_PALETTE;
  const out = (lines: readonly string[]) => {
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
  };
  const note = (line: string) => process.stderr.write(`${errPalette.dim(line)}\n`);
  const fail = (line: string) => process.stderr.write(`${errPalette.red(line)}\n`);

  let options: StartOptions | undefined;
  try {
    options = parseStartArgs(process.argv.slice(2), env);
  } catch (error) {
    fail((error as Error).message);
    process.stderr.write('Run `npm start -- --help` for the options.\n');
    process.exit(2);
  }
  if (!options) {
    process.stdout.write(HELP);
    return;
  }
  const { quiet } = options;

  // Powertools reads its settings at import: before the pipeline loads its heavy modules.
  applyPowertoolsDefaults(env);

  const abort = new AbortController();
  let pipeline: LocalPipeline | undefined;
  // Signal handlers are installed below, before the composition's first await can yield.
  let lastCheck = '';
  let emulatorLost = false;
  const starting = startLocalPipeline({
    port: options.port,
    stage: options.stage,
    ...(options.bucket ? { bucket: options.bucket } : {}),
    ...(options.distribution ? { distribution: options.distribution } : {}),
    env,
    outboxDir: options.outboxDir,
    schedules: { checkSeconds: options.checkSeconds, digestSeconds: options.digestSeconds },
    edge: { port: options.edgePort },
    signal: abort.signal,
    log: note,
    onError: fail,
    onEmulatorLost: (loss) => {
      emulatorLost = true;
      fail(describeLoss(loss));
      void shutdown(EMULATOR_LOST_EXIT_CODE);
    },
    observers: {
      dlq: (arrival) => out(formatDlqArrival(arrival, palette)),
      mail: (mail) => {
        if (!quiet) out(formatMail(mail.subject, shown(mail.file), palette));
      },
      ingest: (outcome) => {
        if (!quiet || outcome.status === 'failed') out(formatIngestOutcome(outcome, palette));
      },
      invalidate: (report) => {
        const shown = quiet ? { ...report, invalidations: [], deferred: [], unserved: 0 } : report;
        out(formatInvalidateReport(shown, palette));
      },
      check: (result, ms) => {
        // A check of the same window with the same outcome (a short --check-every) is quiet.
        const key = checkKey(result);
        if (!quiet && key !== lastCheck) out(formatCheck(result, ms, palette));
        lastCheck = key;
      },
      digest: (result, ms) => {
        if (!quiet || !result.mails.length) out(formatDigest(result, ms, palette));
      },
    },
  });
  let stopping = false;
  const shutdown = async (code: number): Promise<never> => {
    stopping = true;
    const force = setTimeout(() => {
      fail(`shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting`);
      process.exit(code || 1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    let emulator = pipeline?.emulator;
    if (pipeline) await pipeline.stop();
    else {
      // Interrupted during startup: the composition stops what it had started.
      abort.abort();
      await starting.catch((error: unknown) => {
        if (error instanceof StartAborted) emulator = error.emulator;
      });
    }
    if (emulator && !quiet && !emulatorLost) {
      out([
        palette.dim(
          emulator.owned
            ? 'stopped (emulator stopped)'
            : `stopped (emulator left running at ${emulator.endpoint})`,
        ),
      ]);
    }
    process.exit(code);
  };
  let firstSignalAt = 0;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (!stopping) {
        firstSignalAt = Date.now();
        void shutdown(0);
      } else if (Date.now() - firstSignalAt > REPEAT_SIGNAL_WINDOW_MS) {
        // A second Ctrl-C: leave now (the emulator's exit hook still stops moto). Copies of the
        // first signal relayed by npm and tsx arrive within milliseconds and are ignored.
        process.exit(1);
      }
    });
  }

  try {
    pipeline = await starting;
  } catch (error) {
    if (stopping) return; // interrupted during startup: shutdown() is already under way
    const e = error as Error;
    fail(`npm start failed: ${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
    await shutdown(1);
  }
  if (!pipeline || stopping) return;
  const { emulator, stack, distribution, region, polling } = pipeline;
  if (!quiet) {
    note(
      `distribution ${distribution.id} ${distribution.action} by the provisioning workflow ` +
        `(${distribution.transitions} state transitions, ${Math.round(distribution.elapsedMs)} ms)`,
    );
  }
  out(
    formatReady(
      {
        readyMs: Math.round(performance.now()),
        endpoint: emulator.endpoint,
        emulatorOwned: emulator.owned,
        stage: options.stage,
        region,
        bucket: stack.bucket,
        distributionId: distribution.id,
        distributionDomain: distribution.domainName,
        ingestQueue: stack.names.objectEventsQueue,
        invalidateQueue: stack.names.invalidationRequestsQueue,
        invalidateWindowMs: polling.invalidate.windowMs,
        checkEverySeconds: options.checkSeconds,
        digestEverySeconds: options.digestSeconds,
        alarmTable: stack.alarmTable,
        outbox: `${shown(options.outboxDir)}${sep}`,
        ...(pipeline.edge ? { edge: pipeline.edge.url } : {}),
      },
      palette,
    ),
  );
}

// Run only as the entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  await main();
}
