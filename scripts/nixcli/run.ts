// The one place that spawns `nix`. Argv arrays only, never a shell. Every call enables the
// `nix-command flakes` features, which Nix 2.8 (Debian) needs and current Nix accepts.
//
// Not through @actions/exec: it offers neither a process group to kill nor an abort signal,
// and a timed-out evaluation must take every process it started down with it.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface RunNixOptions {
  cwd?: string;
  /** Milliseconds before the process group is stopped (SIGTERM, then SIGKILL after a grace). */
  timeoutMs?: number;
  /** Written to stdin; without it stdin is closed. */
  input?: string;
  /** Added to (and overriding) this process's environment. */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Stop the process when its resident memory exceeds this many MiB (checked every 250 ms). */
  maxRssMiB?: number;
  /** Program to run instead of `nix` from PATH (e.g. a wrapper; tests use it). */
  program?: string;
  /** Receives stderr as it arrives (progress, live logs). */
  onStderr?: (chunk: string) => void;
  /** Told the process id once it runs (e.g. to watch its memory between steps). */
  onSpawn?: (pid: number) => void;
}

export interface RunNixResult {
  /** Exit code; null when a signal ended the process. */
  code: number | null;
  /** The signal that ended the process, e.g. "SIGKILL". */
  signal: string | null;
  stdout: string;
  stderr: string;
  /** We stopped it because `timeoutMs` passed. */
  timedOut: boolean;
  /** We stopped it because its memory passed `maxRssMiB`. */
  memoryExceeded?: boolean;
  /** We stopped it because `signal` aborted. */
  aborted?: boolean;
  /** Peak resident memory we saw, in MiB (only when `maxRssMiB` was given). */
  peakRssMiB?: number;
}

/** Nix could not be started at all (not installed, not executable). */
export class NixMissingError extends Error {
  constructor(
    readonly program: string,
    readonly reason: NodeJS.ErrnoException,
  ) {
    super(`cannot run ${program}: ${reason.message}. Install Nix (2.8 or newer) or put it on PATH.`);
    this.name = 'NixMissingError';
  }
}

export const EXPERIMENTAL_FLAGS = ['--extra-experimental-features', 'nix-command flakes'] as const;

/** Seconds between SIGTERM and SIGKILL: Nix on SIGTERM stops its own builders first. */
const KILL_GRACE_MS = 3000;

/** argv of one nix call: the feature flags first, so they precede any subcommand. */
export function nixArgv(args: readonly string[]): string[] {
  return [...EXPERIMENTAL_FLAGS, ...args];
}

/** Resident memory of a process in MiB from /proc; undefined when it is gone. */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `nix <args>` and resolves with what happened. A non-zero exit, a timeout, a memory
 * stop or an abort are results, never exceptions; only a Nix that cannot start throws
 * (NixMissingError).
 */
export function runNix(args: string[], opts: RunNixOptions = {}): Promise<RunNixResult> {
  return runProcess(opts.program ?? 'nix', nixArgv(args), opts);
}

/** The runner behind runNix for Nix tools that take their own argv (nix-eval-jobs). */
export function runProcess(
  program: string,
  argv: readonly string[],
  opts: Omit<RunNixOptions, 'program'> = {},
): Promise<RunNixResult> {
  return new Promise((resolve, reject) => {
    if (opts.signal?.aborted) {
      resolve({ code: null, signal: null, stdout: '', stderr: '', timedOut: false, aborted: true });
      return;
    }
    // Its own process group, so one kill reaches every process it starts that stays in it.
    const child = spawn(program, argv, {
      cwd: opts.cwd,
      env: opts.env ? { ...process.env, ...opts.env } : process.env,
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let timedOut = false;
    let memoryExceeded = false;
    let aborted = false;
    let peak = 0;
    let stopping = false;
    let killTimer: NodeJS.Timeout | undefined;
    const signalGroup = (sig: NodeJS.Signals) => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, sig);
      } catch {
        // The group is already gone.
      }
    };
    const stop = () => {
      if (stopping) return;
      stopping = true;
      signalGroup('SIGTERM');
      killTimer = setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS);
    };
    const timer =
      opts.timeoutMs !== undefined
        ? setTimeout(() => {
            timedOut = true;
            stop();
          }, opts.timeoutMs)
        : undefined;
    const watch =
      opts.maxRssMiB !== undefined && child.pid !== undefined
        ? setInterval(() => {
            const rss = rssMiB(child.pid!);
            if (rss === undefined) return;
            peak = Math.max(peak, rss);
            if (rss > opts.maxRssMiB!) {
              memoryExceeded = true;
              // Over budget: no grace, the memory is what we must get back.
              stopping = true;
              signalGroup('SIGKILL');
            }
          }, 250)
        : undefined;
    const onAbort = () => {
      aborted = true;
      stop();
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (child.pid !== undefined) opts.onSpawn?.(child.pid);

    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => {
      err.push(b);
      opts.onStderr?.(b.toString('utf8'));
    });
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      if (watch) clearInterval(watch);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e: NodeJS.ErrnoException) => {
      cleanup();
      reject(new NixMissingError(program, e));
    });
    child.on('close', (code, signal) => {
      cleanup();
      // Anything of the group still running (it ignored SIGTERM) goes now.
      if (stopping) signalGroup('SIGKILL');
      const result: RunNixResult = {
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
      };
      if (memoryExceeded) result.memoryExceeded = true;
      if (aborted) result.aborted = true;
      if (opts.maxRssMiB !== undefined) result.peakRssMiB = Math.round(peak);
      resolve(result);
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when Nix exits before reading; its exit says why
      child.stdin.end(opts.input);
    }
  });
}
