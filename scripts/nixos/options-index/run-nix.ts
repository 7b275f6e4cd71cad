// How `tappaas options-index` runs Nix: through the nixcli runner, with its errors in the words
// this command has always used (a missing Nix names TAPPAAS_NIX; a timeout is an error).
import { NixMissingError, runProcess } from '../../nixcli/run.js';

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
  /** Milliseconds before the process is stopped. */
  timeoutMs: number;
  /** The program; tests and odd installs may point elsewhere (TAPPAAS_NIX). */
  nix?: string;
}

/** `args` are the whole argv after the program (the caller names the experimental features). */
export async function runNix(args: string[], opts: RunNixOptions): Promise<NixRun> {
  const program = opts.nix ?? process.env.TAPPAAS_NIX ?? 'nix';
  let r: Awaited<ReturnType<typeof runProcess>>;
  try {
    r = await runProcess(program, args, { cwd: opts.cwd, timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (!(err instanceof NixMissingError)) throw err;
    throw new NixRunError(
      err.reason.code === 'ENOENT'
        ? `${program} not found: install Nix (2.8 or later) or set TAPPAAS_NIX to its path`
        : `${program} could not be started: ${err.reason.message}`,
      args,
    );
  }
  if (r.timedOut)
    throw new NixRunError(
      `${program} ${args[0]} took longer than ${opts.timeoutMs / 1000} s and was stopped`,
      args,
    );
  return { code: r.code ?? (r.signal ? 128 : 1), stdout: r.stdout, stderr: r.stderr };
}
