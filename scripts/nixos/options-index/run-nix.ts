// The one place `tappaas options-index` runs Nix: spawn with an argv (no shell), collect
// stdout and stderr, stop at a timeout. Small on purpose, so that it can later go through the
// shared nixcli adapter.
import { spawn } from 'node:child_process';

export interface NixRun {
  code: number;
  stdout: string;
  stderr: string;
}

export class NixRunError extends Error {
  constructor(
    message: string,
    readonly args: string[],
  ) {
    super(message);
    this.name = 'NixRunError';
  }
}

export interface RunNixOptions {
  cwd: string;
  /** Milliseconds before the process is killed. */
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** The program; tests and odd installs may point elsewhere (TAPPAAS_NIX). */
  nix?: string;
}

export function runNix(args: string[], opts: RunNixOptions): Promise<NixRun> {
  const program = opts.nix ?? process.env.TAPPAAS_NIX ?? 'nix';
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, opts.timeoutMs);
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new NixRunError(
          e.code === 'ENOENT'
            ? `${program} not found: install Nix (2.8 or later) or set TAPPAAS_NIX to its path`
            : `${program} could not be started: ${e.message}`,
          args,
        ),
      );
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(
          new NixRunError(
            `${program} ${args[0]} took longer than ${opts.timeoutMs / 1000} s and was stopped`,
            args,
          ),
        );
        return;
      }
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
