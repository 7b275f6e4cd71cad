// Checks a generated commit before anyone reviews it: `tappaas check` in-process (structure +
// lint of the fleet at the commit; only findings the change introduced against the base
// count, as `check --from`), and the new host's evaluation with real Nix when it can run.
// Evaluation is best effort: the fleet's flake needs nixpkgs, which an offline runner cannot
// fetch, and that is reported as skipped, never as passed.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { snapshot } from '../check/snapshot.js';
import type { FleetLayout } from '../config/fleet.js';
import type { TappaasConfig } from '../config/types.js';
import { introduced } from '../fleet/ratchet.js';
import { revisionSource } from '../fleet/source.js';
import type { Diagnostic } from '../lint/types.js';
import { flakeRelative, withCommitFlake } from '../nixcli/commit-flake.js';

export interface CheckOutcome {
  /** Findings the change introduced (structure and lint), repo-relative paths. */
  diagnostics: Diagnostic[];
  errors: number;
  warnings: number;
}

export async function checkChange(
  root: string,
  base: string,
  head: string,
  layout: FleetLayout,
  config: TappaasConfig,
  onNote?: (t: string) => void,
): Promise<CheckOutcome> {
  const opts = { root, cwd: root, layout, config, cache: false, onNote };
  const headSource = revisionSource(root, head, 'the onboarding commit', layout);
  const baseSource = revisionSource(root, base, 'the base', layout);
  try {
    const h = await snapshot(headSource, opts);
    const b = await snapshot(baseSource, { ...opts, reuse: h });
    const diagnostics = introduced(b.diagnostics, h.diagnostics).sort(
      (x, y) => x.file.localeCompare(y.file) || x.line - y.line || x.rule.localeCompare(y.rule),
    );
    return {
      diagnostics,
      errors: diagnostics.filter((d) => d.severity === 'error').length,
      warnings: diagnostics.filter((d) => d.severity === 'warning').length,
    };
  } finally {
    headSource.close();
    baseSource.close();
  }
}

export type EvalOutcome =
  | { status: 'ok'; drvPath: string | null }
  | { status: 'eval-error'; error: string }
  | { status: 'skipped'; reason: string };

/** A failure to get the flake's inputs (no network, no cache), not a fault of the host. */
const FETCH_FAILURE =
  /unable to download|couldn't resolve host|could not resolve host|unable to fetch|failed to fetch|cannot fetch|network is unreachable|while fetching the input|cannot write modified lock file/i;

export function classifyEvalError(error: string): EvalOutcome {
  if (FETCH_FAILURE.test(error)) {
    const what = /nixpkgs/i.test(error) ? 'nixpkgs unavailable' : 'a flake input is unavailable';
    return { status: 'skipped', reason: `${what} (${error.split('\n')[0]!.slice(0, 200)})` };
  }
  return { status: 'eval-error', error };
}

/** Evaluates `host` of the flake at `commit` (nixcli's checkout of the commit, where `layout` puts the flake). */
export async function evaluateAt(
  root: string,
  commit: string,
  host: string,
  layout: FleetLayout,
  opts: { timeoutMs?: number; env?: Record<string, string> } = {},
): Promise<EvalOutcome> {
  const nixcli = await import('../nixcli/index.js');
  const spec = { root, commit, flake: layout.flake, revision: true };
  return withCommitFlake<EvalOutcome>(spec, 'onboard-eval', async (c) => {
    if (!existsSync(join(c.files, layout.flake)))
      return { status: 'skipped', reason: `the repository has no ${layout.flake}` };
    const version = await nixcli.nixVersion().catch((err: unknown) => {
      if (err instanceof nixcli.NixMissingError) return undefined;
      throw err;
    });
    if (version === undefined) return { status: 'skipped', reason: 'nix is not installed' };
    const hosts = flakeRelative(c.flakeDir, layout.hosts);
    const [result] = await nixcli.evaluateHosts(c.flake, [host], {
      timeoutMs: opts.timeoutMs ?? 600_000,
      env: opts.env,
      hostFile: (h) => `${hosts}/${h}.nix`,
    });
    if (!result) return { status: 'eval-error', error: 'no result from the evaluation' };
    if (result.status === 'ok') return { status: 'ok', drvPath: result.drvPath };
    return classifyEvalError(result.error ?? result.message ?? 'evaluation failed');
  });
}
