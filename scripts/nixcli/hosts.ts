// Which hosts a flake defines: the names of `nixosConfigurations`.
import { type TrimmedNixError, trimNixError } from './errors.js';
import { hostsArgv } from './expressions.js';
import { type FlakeRef, trimOptionsFor } from './flake.js';
import { runNix } from './run.js';
import type { NixCallOptions } from './types.js';

/** The flake does not evaluate far enough to list its hosts. */
export class FlakeError extends Error {
  constructor(
    readonly flake: FlakeRef,
    readonly trimmed: TrimmedNixError,
  ) {
    super(`cannot list the hosts of ${flake.ref}: ${trimmed.text}`);
    this.name = 'FlakeError';
  }
}

export async function listHosts(
  flake: FlakeRef,
  opts: NixCallOptions & { timeoutMs?: number } = {},
): Promise<string[]> {
  const r = await runNix(hostsArgv(flake.ref, opts.extraArgs), {
    cwd: flake.dir,
    env: opts.env,
    program: opts.program,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
  });
  if (r.timedOut) {
    const secs = Math.round((opts.timeoutMs ?? 0) / 1000);
    throw new FlakeError(flake, trimNixError(`error: listing the hosts timed out after ${secs} s`));
  }
  if (r.code !== 0) throw new FlakeError(flake, trimNixError(r.stderr, trimOptionsFor(flake, ['flake.nix'])));
  const names = JSON.parse(r.stdout) as unknown;
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw new FlakeError(flake, trimNixError('error: nixosConfigurations is not an attribute set of hosts'));
  return names;
}
