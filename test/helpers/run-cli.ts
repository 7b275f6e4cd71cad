// Runs the built CLI (dist/tappaas.mjs) as a user would: `node dist/tappaas.mjs …` in a
// directory of our choosing, with a clean environment. Builds it first, once, even when
// several test files ask at the same time.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = join(REPO, 'dist', 'tappaas.mjs');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** `npm run build` unless dist is newer than every source; serialised by a lock directory. */
export function buildCli(): void {
  // The lock lives outside dist/, which the build script empties.
  const lockParent = join(REPO, 'node_modules', '.cache');
  mkdirSync(lockParent, { recursive: true });
  const lock = join(lockParent, 'tappaas-build-lock');
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A lock left by a killed run is stale after two minutes.
      if (Date.now() > deadline || Date.now() - statSync(lock).mtimeMs > 120_000) rmdirSync(lock);
      else sleep(100);
    }
  }
  try {
    const built = (() => {
      try {
        return statSync(CLI).mtimeMs;
      } catch {
        return 0;
      }
    })();
    const sources = Math.max(
      newestSource(join(REPO, 'scripts')),
      statSync(join(REPO, 'package.json')).mtimeMs,
    );
    if (built <= sources) execFileSync('npm', ['run', 'build'], { cwd: REPO, stdio: 'pipe' });
  } finally {
    rmdirSync(lock);
  }
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables a CI runner or a user's shell sets that would change what the CLI prints. */
const STRIPPED = /^(GITHUB_|GITEA_|RUNNER_|CI$|NO_COLOR$|FORCE_COLOR$|TERM$|npm_)/;

export function runCli(args: string[], opts: { cwd: string; env?: Record<string, string> }): CliRun {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STRIPPED.test(k)) env[k] = v;
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd,
    env: { ...env, ...opts.env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh directory with the given files (paths relative to it). */
export function tempTree(files: Record<string, string | Buffer>, prefix = 'tappaas-cli-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** `git init` in dir, so it is a repository root for the CLI. */
export function gitInit(dir: string): void {
  execFileSync('git', ['init', '-q', dir], { stdio: 'pipe' });
}
