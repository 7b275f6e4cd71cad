// `tappaas options-index` without the CLI: for each host, the cached index of this flake
// revision, or one `nix eval` that walks its options and a new cache file.
import { existsSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { flakeKey, indexPath, readCachedIndex, writeIndex } from './cache.js';
import { listHostsArgs, walkOptionsArgs } from './command.js';
import { indexFromWalk, parseWalkOutput } from './index-file.js';
import { formatNixError, type NixErrorInfo, parseNixError } from './nix-error.js';
import { type NixRun, NixRunError, runNix } from './run-nix.js';

export interface HostIndexResult {
  name: string;
  status: 'cached' | 'evaluated' | 'eval-error';
  /** The index file (absolute). */
  file?: string;
  /** Option paths in the index. */
  options?: number;
  /** Parts of the options tree that threw while walked (kept open in the index). */
  skipped?: number;
  ms: number;
  error?: NixErrorInfo;
}

export interface OptionsIndexRun {
  flake: string;
  key: string;
  keySource: 'flake.lock' | 'flake.nix';
  hosts: HostIndexResult[];
}

export type OptionsIndexErrorKind = 'no-flake' | 'flake-error' | 'unknown-host';

/** The flake cannot be read, or a host named on the command line is not in it. */
export class OptionsIndexError extends Error {
  constructor(
    readonly kind: OptionsIndexErrorKind,
    message: string,
    readonly info?: NixErrorInfo,
  ) {
    super(message);
    this.name = 'OptionsIndexError';
  }
}

export interface BuildOptions {
  flakeDir: string;
  /** Hosts to index; none: every host of nixosConfigurations. */
  hosts: string[];
  /** Evaluate again even when this revision has a cached index. */
  refresh?: boolean;
  timeoutMs: number;
  onHost?: (result: HostIndexResult) => void;
  /** Runs Nix; the real one unless a test wraps it. */
  run?: (args: string[]) => Promise<NixRun>;
}

export async function buildOptionsIndex(opts: BuildOptions): Promise<OptionsIndexRun> {
  const { flakeDir } = opts;
  const revision = flakeKey(flakeDir);
  if (!revision)
    throw new OptionsIndexError(
      'no-flake',
      `no flake.nix in ${flakeDir}; give the flake's directory with --flake DIR`,
    );
  const run = opts.run ?? ((args: string[]) => runNix(args, { cwd: flakeDir, timeoutMs: opts.timeoutMs }));
  const out: OptionsIndexRun = { flake: flakeDir, ...revision, hosts: [] };
  const cached = (host: string) =>
    opts.refresh ? undefined : readCachedIndex(indexPath(flakeDir, revision.key, host));
  const exists = (rel: string) => existsSync(join(flakeDir, rel));
  // Positions in the flake's own files become absolute paths of the work tree.
  const nixError = (stderr: string): NixErrorInfo => {
    const info = parseNixError(stderr, exists);
    return info.file && !isAbsolute(info.file) ? { ...info, file: join(flakeDir, info.file) } : info;
  };

  // Named hosts that all have an index of this revision need no Nix at all.
  let hosts = opts.hosts;
  if (hosts.length === 0 || !hosts.every((h) => cached(h))) {
    const listed = await run(listHostsArgs(flakeDir));
    if (listed.code !== 0) {
      const info = nixError(listed.stderr);
      throw new OptionsIndexError(
        'flake-error',
        `cannot list nixosConfigurations of ${flakeDir}: ${formatNixError(info)}`,
        info,
      );
    }
    const known = JSON.parse(listed.stdout) as string[];
    const missing = hosts.filter((h) => !known.includes(h));
    if (missing.length > 0)
      throw new OptionsIndexError(
        'unknown-host',
        `no host ${missing.map((h) => JSON.stringify(h)).join(', ')} in nixosConfigurations of ${flakeDir}; ` +
          (known.length ? `its hosts: ${known.join(', ')}` : 'it has no hosts'),
      );
    if (hosts.length === 0) hosts = [...known].sort();
  }

  for (const name of hosts) {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const hit = cached(name);
    let result: HostIndexResult;
    if (hit) {
      result = {
        name,
        status: 'cached',
        file: indexPath(flakeDir, revision.key, name),
        options: hit.options.length,
        skipped: hit.errors.length,
        ms: ms(),
      };
    } else {
      let r: NixRun;
      try {
        r = await run(walkOptionsArgs(flakeDir, name));
      } catch (err) {
        // A timeout fails this host; the others are still worth indexing.
        if (!(err instanceof NixRunError) || !/took longer/.test(err.message)) throw err;
        r = { code: -1, stdout: '', stderr: `error: ${err.message}` };
      }
      if (r.code !== 0) {
        result = { name, status: 'eval-error', ms: ms(), error: nixError(r.stderr) };
      } else {
        const walk = parseWalkOutput(r.stdout);
        const index = indexFromWalk(walk, { host: name, flake: flakeDir, ...revision });
        const file = writeIndex(flakeDir, index);
        result = {
          name,
          status: 'evaluated',
          file,
          options: index.options.length,
          skipped: index.errors.length,
          ms: ms(),
        };
      }
    }
    out.hosts.push(result);
    opts.onHost?.(result);
  }
  return out;
}

/** A result's file relative to where the user stands. */
export function shownFile(result: HostIndexResult, cwd: string): string | undefined {
  return result.file ? relative(cwd, result.file) || result.file : undefined;
}
