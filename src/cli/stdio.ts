import { constants } from 'node:os';
import type { Io } from './context.js';

/** Exit status of a program whose stdout was closed: 128 + SIGPIPE, as a Unix filter killed by it. */
export const EXIT_CLOSED_STDOUT = 128 + constants.signals.SIGPIPE;

/** The write errors of a stream whose reader has gone (a closed pipe; a hung-up terminal gives EIO). */
function isClosed(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return code === 'EPIPE' || code === 'EIO' || code === 'ECONNRESET' || code === 'ERR_STREAM_DESTROYED';
}

/**
 * The process's stdout and stderr as an Io that survives readers going away
 * (`evoquant backtest | head -1`, a closed terminal). A closed stdout ends the program at once
 * and quietly through `onStdoutClosed` (nothing more it prints can arrive; every file it writes is
 * written before its output, atomically, so none is left half-written). A closed stderr only
 * silences the diagnostics: the run goes on to its result. Other write errors are rethrown.
 */
export function processIo(onStdoutClosed: () => void): Io {
  let outClosed = false;
  let errClosed = false;
  process.stdout.on('error', (e) => {
    if (!isClosed(e)) throw e;
    if (outClosed) return;
    outClosed = true;
    onStdoutClosed();
  });
  process.stderr.on('error', (e) => {
    if (!isClosed(e)) throw e;
    errClosed = true;
  });
  return {
    out: (s) => {
      if (!outClosed) process.stdout.write(s);
    },
    err: (s) => {
      if (!errClosed) process.stderr.write(s);
    },
    isTTY: process.stdout.isTTY === true,
    errIsTTY: process.stderr.isTTY === true,
    get errColumns(): number | undefined {
      return process.stderr.columns ?? process.stdout.columns;
    },
  };
}
