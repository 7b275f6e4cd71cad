// The one place that spawns ssh. A call is a fresh connection unless `controlPath` names a
// connection master to share (the fleet lock's session); a deploy confirms over a fresh one
// (`controlPath: 'none'`) precisely to prove that the new system still lets us in.
import { spawn } from 'node:child_process';
import { type SshArgOptions, type SshEndpoint, sshArgv } from './args.js';

export interface SshRunOptions extends SshArgOptions {
  /** Sent on the remote command's stdin. */
  input?: string;
  /** Kill ssh after this long (default 60 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface SshRunResult {
  /** The remote command's exit code; 255 is ssh's own failure. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

export type SshFailure = 'unreachable' | 'failed' | 'timeout' | 'aborted';

/** A failed ssh call that says which host, and whether it was the connection or the command. */
export class SshError extends Error {
  constructor(
    readonly host: string,
    readonly kind: SshFailure,
    readonly what: string,
    readonly result: SshRunResult,
  ) {
    super(sshErrorMessage(host, kind, what, result));
    this.name = 'SshError';
  }
}

/** ssh exits 255 for its own errors (connect, auth, host key, dropped connection). */
export function classifySsh(r: SshRunResult): SshFailure | undefined {
  if (r.aborted) return 'aborted';
  if (r.timedOut) return 'timeout';
  if (r.code === 0) return undefined;
  if (r.code === 255 || r.code === null) return 'unreachable';
  return 'failed';
}

export function sshErrorMessage(host: string, kind: SshFailure, what: string, r: SshRunResult): string {
  const detail =
    lastLines(r.stderr, 3) ||
    lastLines(r.stdout, 3) ||
    (r.signal ? `ssh killed by ${r.signal}` : `ssh exit ${r.code}`);
  const why = {
    unreachable: `host ${host} is unreachable over SSH while trying to ${what}`,
    failed: `on host ${host}, ${what} failed (exit ${r.code})`,
    timeout: `host ${host}: ${what} timed out`,
    aborted: `host ${host}: ${what} was cancelled`,
  }[kind];
  return `${why}: ${detail}`;
}

export function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ').trim();
}

const DEFAULT_TIMEOUT_MS = 60_000;

/** Run one remote command; never throws for a non-zero exit (see `sshExec`). */
export function sshRun(t: SshEndpoint, command: string, opts: SshRunOptions = {}): Promise<SshRunResult> {
  return new Promise((resolve) => {
    const result: SshRunResult = {
      code: null,
      signal: null,
      stdout: '',
      stderr: '',
      timedOut: false,
      aborted: false,
    };
    if (opts.signal?.aborted) {
      resolve({ ...result, aborted: true });
      return;
    }
    const child = spawn('ssh', sshArgv(t, command, opts), { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      result.timedOut = true;
      child.kill('SIGKILL');
    }, opts.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const onAbort = () => {
      result.aborted = true;
      child.kill('SIGKILL');
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => err.push(Buffer.from(`cannot run ssh: ${e.message}\n`)));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve({
        ...result,
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
    child.stdin.on('error', () => {
      // the remote side may exit before reading its input; close reports the outcome
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Run one remote command and throw an SshError unless it exits 0. */
export async function sshExec(
  t: SshEndpoint,
  command: string,
  what: string,
  opts: SshRunOptions = {},
): Promise<SshRunResult> {
  const r = await sshRun(t, command, opts);
  const kind = classifySsh(r);
  if (kind) throw new SshError(t.name, kind, what, r);
  return r;
}
