// Read-modify-write of the hook's files in the repository directory, safe against the hooks of
// concurrent pushes: an exclusive lock file (created with O_EXCL, so exactly one process holds
// it); the writes inside it go through util/write-atomic.ts. Synchronous: the callers run at
// the end of a hook, with nothing else to do meanwhile.
import { closeSync, openSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { uniqueSuffix } from '../util/write-atomic.js';

/** A lock still held after this long belongs to a hook that died: it is broken. */
const STALE_MS = 30_000;

export class LockTimeoutError extends Error {
  constructor(readonly lockFile: string) {
    super(`could not lock ${lockFile}: another push's hook has held it too long`);
    this.name = 'LockTimeoutError';
  }
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `fn` holding `<file>.lock`; waits (with jitter) up to `timeoutMs` for another holder. */
export function withFileLock<T>(file: string, fn: () => T, timeoutMs = 15_000): T {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  let fd: number | undefined;
  while (fd === undefined) {
    try {
      fd = openSync(lock, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      breakIfStale(lock);
      if (Date.now() > deadline) throw new LockTimeoutError(lock);
      sleep(5 + Math.random() * 20);
    }
  }
  try {
    writeFileSync(fd, `${process.pid} ${new Date().toISOString()}\n`);
    closeSync(fd);
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** Removes a lock left by a dead hook: moved aside first, so two breakers cannot both win. */
function breakIfStale(lock: string): void {
  try {
    if (Date.now() - statSync(lock).mtimeMs < STALE_MS) return;
    const aside = `${lock}.stale.${uniqueSuffix()}`;
    renameSync(lock, aside);
    unlinkSync(aside);
  } catch {
    // gone already, or another process broke it first
  }
}
