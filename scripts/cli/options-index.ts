// `tappaas options-index`: flags in, one index run (scripts/nixos/options-index/build.ts), one
// report out. The lint then checks definition paths against what it wrote.
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/file.js';
import { GitError } from '../git/exec.js';
import { repoRoot } from '../git/repo-root.js';
import {
  buildOptionsIndex,
  type HostIndexResult,
  OptionsIndexError,
  type OptionsIndexRun,
} from '../nixos/options-index/build.js';
import { formatNixError, type NixErrorInfo } from '../nixos/options-index/nix-error.js';
import { publishIndexes } from '../nixos/options-index/published.js';
import { NixRunError } from '../nixos/options-index/run-nix.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const optionsIndexHelp = `Usage: tappaas options-index [HOST...] [options]

Evaluates every option path of each host (nixosConfigurations.<host>.options, submodules
such as users.users.<name> included) with Nix, in one \`nix eval\` per host, and caches the
index per flake revision (the hash of flake.lock, or of flake.nix without a lock) in
<flake>/.tappaas/options/. A second run with the same lock is a cache hit and needs no
evaluation. \`tappaas lint\` then reports definitions that are no option (rule unknown-option);
tappaas.json "lint.optionsIndex" chooses another index or none.

HOST: hosts to index (default: every host of nixosConfigurations).

Options:
      --flake DIR       the flake (default: the directory of tappaas.json "fleet.flake",
                        i.e. the repository root)
      --refresh         evaluate again even when this revision is cached (the key is the
                        lock, so a changed module of the flake itself needs this)
      --timeout SEC     stop one host's evaluation after SEC seconds (default 600)
      --publish REMOTE  also store this revision's indexes as a commit and push it to REMOTE
                        as refs/tappaas/options-index/<key>, where the git server's hook
                        reads it (it cannot evaluate Nix itself); only when every host
                        indexed. The server's policy must accept refs/tappaas/ (namespaces)
                        from this identity (ciIdentities).
      --json            the result as JSON
  -c, --config FILE     tappaas.json to use (default: the nearest one up to the git root)

Exit codes: 0 every host indexed (and published), 1 a host failed to evaluate or the
publish failed, 2 usage error, no flake, a flake that does not evaluate, or an unknown host.`;

export async function optionsIndexCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      flake: { type: 'string' },
      refresh: { type: 'boolean', default: false },
      timeout: { type: 'string' },
      json: { type: 'boolean', default: false },
      publish: { type: 'string' },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${optionsIndexHelp}\n`);
    return 0;
  }
  const timeout = values.timeout === undefined ? 600 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0)
    throw new UsageError(`--timeout wants seconds above 0, not ${JSON.stringify(values.timeout)}`);
  const flakeDir = values.flake ? resolve(opts.cwd, values.flake) : defaultFlakeDir(opts.cwd, values.config);

  let result: OptionsIndexRun;
  try {
    result = await buildOptionsIndex({
      flakeDir,
      hosts: [...new Set(positionals)],
      refresh: values.refresh,
      timeoutMs: timeout * 1000,
      onHost: values.json ? undefined : (h) => opts.stdout(`${hostLine(h, opts.cwd)}\n`),
    });
  } catch (err) {
    if (!(err instanceof OptionsIndexError) && !(err instanceof NixRunError)) throw err;
    if (values.json) {
      const kind = err instanceof OptionsIndexError ? err.kind : 'nix';
      const info = err instanceof OptionsIndexError && err.info ? shownError(err.info, opts.cwd) : undefined;
      opts.stdout(
        `${JSON.stringify({ flake: flakeDir, error: { kind, message: err.message, ...info }, hosts: [] }, null, 2)}\n`,
      );
    }
    const info = err instanceof OptionsIndexError ? err.info : undefined;
    const message = info
      ? err.message.replace(formatNixError(info), formatNixError(shownError(info, opts.cwd)))
      : err.message;
    opts.stderr(`tappaas options-index: ${message}\n`);
    return 2;
  }
  const failed = result.hosts.filter((h) => h.status === 'eval-error').length;
  const published =
    values.publish !== undefined && failed === 0 && result.hosts.length > 0
      ? await publish(flakeDir, result, values.publish)
      : undefined;
  if (values.json) {
    const hosts = result.hosts.map((h) => ({
      ...h,
      file: h.file ? relative(opts.cwd, h.file) || h.file : undefined,
      error: h.error ? shownError(h.error, opts.cwd) : undefined,
    }));
    opts.stdout(`${JSON.stringify({ ...result, hosts, ...(published ? { published } : {}) }, null, 2)}\n`);
  } else {
    opts.stdout(`${summary(result)}\n`);
    if (published?.ref)
      opts.stdout(`published to ${published.remote} as ${published.ref} (${published.commit})\n`);
  }
  if (values.publish !== undefined && failed > 0)
    opts.stderr('tappaas options-index: not published: a host failed to evaluate (fix it first)\n');
  if (published?.error) opts.stderr(`tappaas options-index: not published: ${published.error}\n`);
  return failed > 0 || published?.error ? 1 : 0;
}

interface Published {
  remote: string;
  ref?: string;
  commit?: string;
  error?: string;
}

/** Pushes the revision's indexes (every host of this run) for the git server's hook. */
async function publish(flakeDir: string, run: OptionsIndexRun, remote: string): Promise<Published> {
  const files = run.hosts.flatMap((h) => (h.file ? [h.file] : []));
  try {
    return { remote, ...(await publishIndexes(flakeDir, run.key, files, remote)) };
  } catch (err) {
    if (!(err instanceof GitError)) throw err;
    return {
      remote,
      error: `${err.stderr.trim() || err.message}; check that ${remote} is a remote of ${flakeDir} and that the server accepts refs/tappaas/ from this identity`,
    };
  }
}

function defaultFlakeDir(cwd: string, configFile: string | undefined): string {
  const root = repoRoot(cwd);
  const { config } = loadConfig(cwd, configFile);
  return dirname(join(root, config.fleet?.flake ?? 'flake.nix'));
}

function hostLine(h: HostIndexResult, cwd: string): string {
  const file = h.file ? relative(cwd, h.file) || h.file : '';
  const skipped = h.skipped ? `, ${h.skipped} part(s) failed to evaluate and are left unchecked` : '';
  if (h.status === 'cached')
    return `${h.name}: ${h.options} options, cache hit (nothing evaluated): ${file}${skipped}`;
  if (h.status === 'evaluated')
    return `${h.name}: ${h.options} options, evaluated in ${(h.ms / 1000).toFixed(1)} s: ${file}${skipped}`;
  return `${h.name}: eval error: ${h.error ? formatNixError(shownError(h.error, cwd)) : 'unknown'}`;
}

/** An error position relative to where the user stands, so terminals can open it. */
function shownError(info: NixErrorInfo, cwd: string): NixErrorInfo {
  return info.file && isAbsolute(info.file) ? { ...info, file: relative(cwd, info.file) || info.file } : info;
}

function summary(run: OptionsIndexRun): string {
  const count = (s: HostIndexResult['status']) => run.hosts.filter((h) => h.status === s).length;
  if (run.hosts.length === 0) return `no hosts in nixosConfigurations of ${run.flake}`;
  const parts = [`${count('cached')} cached`, `${count('evaluated')} evaluated`];
  if (count('eval-error')) parts.push(`${count('eval-error')} failed`);
  return `options index of ${run.hosts.length} host(s) for ${run.keySource} ${run.key}: ${parts.join(', ')}`;
}
