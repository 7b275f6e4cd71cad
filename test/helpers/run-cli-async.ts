// runCli without blocking the event loop: needed when the test process itself serves what the
// CLI talks to (the local forge server of the contract tests).
import { runAsync } from './git.js';
import { CLI, type CliRun } from './run-cli.js';

const STRIPPED = /^(GITHUB_|GITEA_|RUNNER_|CI$|NO_COLOR$|FORCE_COLOR$|TERM$|npm_|TAPPAAS_FORGE)/;

export function runCliAsync(
  args: string[],
  opts: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STRIPPED.test(k)) env[k] = v;
  return runAsync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...env, ...opts.env },
    timeoutMs: opts.timeoutMs ?? 120_000,
  });
}
