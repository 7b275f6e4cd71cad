// `nix store diff-closures OLD NEW`: the package-level difference of two systems. The text
// is returned as Nix prints it (the plan parses it); a failure is a result, with Nix's error.
import { trimNixError } from './errors.js';
import { runNix } from './run.js';
import type { NixCallOptions } from './types.js';

export type DiffClosures = { ok: true; text: string } | { ok: false; error: string };

export function diffClosuresArgv(oldPath: string, newPath: string, extra: readonly string[] = []): string[] {
  return ['store', 'diff-closures', ...extra, oldPath, newPath];
}

export async function diffClosures(
  oldPath: string,
  newPath: string,
  opts: NixCallOptions & { cwd?: string; timeoutMs?: number } = {},
): Promise<DiffClosures> {
  const r = await runNix(diffClosuresArgv(oldPath, newPath, opts.extraArgs), {
    cwd: opts.cwd,
    env: { NO_COLOR: '1', ...opts.env },
    program: opts.program,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
  if (r.code === 0) return { ok: true, text: r.stdout.replace(/\x1b\[[0-9;]*m/g, '') };
  if (r.timedOut) return { ok: false, error: 'nix store diff-closures timed out' };
  return { ok: false, error: trimNixError(r.stderr).text };
}
