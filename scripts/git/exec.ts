// Runs one git command. Argv arrays only, never a shell. The environment is passed
// through whole: inside a pre-receive hook GIT_DIR, GIT_QUARANTINE_PATH, GIT_OBJECT_DIRECTORY
// and GIT_ALTERNATE_OBJECT_DIRECTORIES are what make the pushed (quarantined) objects visible.
// A raw spawn, not simple-git (git/simple-git.ts, for onboarding): the hook's hot path feeds git
// stdin (a promise, so git starts before its input is known), which simple-git cannot, and
// simple-git's task queue (five processes at a time) would hold back the hook's parallel reads.
import { spawn } from 'node:child_process';

export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    super(`git ${args.join(' ')} failed (exit ${exitCode}): ${stderr.trim() || 'no message'}`);
    this.name = 'GitError';
  }
}

export interface GitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** What git reads on stdin; a promise lets git start (and load its config) before the input is known. */
  input?: string | Buffer | Promise<string | Buffer>;
  /** Stops git (the run then fails): for a process started early that turned out not to be needed. */
  signal?: AbortSignal;
  /** Exit codes that are answers rather than failures (e.g. 1 for `merge-base --is-ancestor`). */
  okCodes?: number[];
}

export interface GitResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

export function runGit(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new GitError(args, null, `cannot run git: ${e.message}`)));
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      const ok = code === 0 || (code !== null && opts.okCodes?.includes(code));
      if (!ok) reject(new GitError(args, code, stderr));
      else resolve({ code: code ?? 0, stdout: Buffer.concat(out), stderr });
    });
    child.stdin.on('error', () => {
      // git may exit before reading all input (e.g. on a bad argument); the close handler reports it.
    });
    Promise.resolve(opts.input ?? '').then(
      (input) => child.stdin.end(input),
      (err: Error) => {
        child.kill();
        reject(err);
      },
    );
  });
}
