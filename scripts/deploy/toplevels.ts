// What the repository's flake builds for each host: the toplevel out path by evaluation
// (cheap: nothing is built, so unchanged and unreachable hosts cost no build, colmena#227),
// and the build of only the hosts that will be deployed. One nix process for all hosts; when
// it fails, one per host so the error lands on the host that caused it.
import { spawn } from 'node:child_process';
import { isAbsolute, relative } from 'node:path';

export interface HostToplevel {
  outPath?: string;
  error?: string;
}

const FEATURES = ['--extra-experimental-features', 'nix-command flakes'];

/** The flake at a commit of the repository (or its work tree when `rev` is absent). */
export function flakeRef(repoRoot: string, flakeDir: string, rev?: string): string {
  if (rev === undefined) return flakeDir;
  const dir = relative(repoRoot, flakeDir);
  const sub = dir && !isAbsolute(dir) ? `&dir=${encodeURIComponent(dir)}` : '';
  return `git+file://${repoRoot}?rev=${rev}${sub}`;
}

export function toplevelAttr(host: string): string {
  return `nixosConfigurations."${host}".config.system.build.toplevel`;
}

/** One `nix eval` that maps each asked host to its toplevel out path (null when absent). */
export function evalApply(hosts: readonly string[]): string {
  const list = hosts.map((h) => JSON.stringify(h)).join(' ');
  return `cs: builtins.listToAttrs (map (n: { name = n; value = if cs ? \${n} then cs.\${n}.config.system.build.toplevel.outPath else null; }) [ ${list} ])`;
}

interface NixRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function nix(args: string[], cwd: string): Promise<NixRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('nix', [...FEATURES, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
    child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
    child.on('error', (e) => reject(new Error(`cannot run nix: ${e.message}. Install Nix (2.8 or newer).`)));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The last error lines of nix's stderr, without progress noise. */
export function nixError(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l && !/^warning: Git tree .* is dirty$/.test(l));
  const at = lines.findIndex((l) => l.startsWith('error'));
  return (at >= 0 ? lines.slice(at) : lines.slice(-5)).join('\n').slice(0, 2000) || 'nix failed';
}

async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (t: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function evalToplevels(
  ref: string,
  hosts: readonly string[],
  cwd: string,
): Promise<Map<string, HostToplevel>> {
  const out = new Map<string, HostToplevel>();
  if (hosts.length === 0) return out;
  const all = await nix(['eval', '--json', `${ref}#nixosConfigurations`, '--apply', evalApply(hosts)], cwd);
  if (all.code === 0) {
    const paths = JSON.parse(all.stdout) as Record<string, string | null>;
    for (const h of hosts) {
      const p = paths[h];
      out.set(h, p ? { outPath: p } : { error: `the flake has no nixosConfigurations.${h}` });
    }
    return out;
  }
  await eachLimited(hosts, 2, async (h) => {
    const one = await nix(['eval', '--json', `${ref}#nixosConfigurations`, '--apply', evalApply([h])], cwd);
    const p = one.code === 0 ? (JSON.parse(one.stdout) as Record<string, string | null>)[h] : undefined;
    out.set(
      h,
      p
        ? { outPath: p }
        : { error: one.code === 0 ? `the flake has no nixosConfigurations.${h}` : nixError(one.stderr) },
    );
  });
  return out;
}

/** Builds the hosts' toplevels into the local store; returns a problem per host that failed. */
export async function buildToplevels(
  ref: string,
  hosts: readonly string[],
  cwd: string,
): Promise<Map<string, string>> {
  const failed = new Map<string, string>();
  if (hosts.length === 0) return failed;
  const build = (hs: readonly string[]) =>
    nix(['build', '--no-link', ...hs.map((h) => `${ref}#${toplevelAttr(h)}`)], cwd);
  const all = await build(hosts);
  if (all.code === 0) return failed;
  await eachLimited(hosts, 2, async (h) => {
    const one = await build([h]);
    if (one.code !== 0) failed.set(h, nixError(one.stderr));
  });
  return failed;
}
