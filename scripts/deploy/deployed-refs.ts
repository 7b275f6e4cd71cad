// `refs/deployed/<host>`: the commit each host was last deployed from, kept in the repository
// itself (git update-ref, with a reflog so a rollback can step back to the commit before).
import { runGit } from '../git/exec.js';

export const DEPLOYED_PREFIX = 'refs/deployed/';

export function deployedRef(host: string): string {
  return `${DEPLOYED_PREFIX}${host}`;
}

export async function headCommit(repo: string): Promise<string> {
  return (await runGit(['rev-parse', '--verify', 'HEAD^{commit}'], { cwd: repo })).stdout.toString().trim();
}

/** Tracked files that differ from HEAD: a deploy from such a tree is not HEAD's system. */
export async function isDirty(repo: string): Promise<boolean> {
  const r = await runGit(['status', '--porcelain', '--untracked-files=no'], { cwd: repo });
  return r.stdout.length > 0;
}

export async function recordDeployed(
  repo: string,
  host: string,
  commit: string,
  message: string,
): Promise<void> {
  await runGit(['update-ref', '--create-reflog', '-m', message, deployedRef(host), commit], { cwd: repo });
}

/** host -> commit for every host that has a refs/deployed/ ref. */
export async function readDeployed(repo: string): Promise<Map<string, string>> {
  const r = await runGit(['for-each-ref', '--format=%(refname) %(objectname)', DEPLOYED_PREFIX], {
    cwd: repo,
  });
  const out = new Map<string, string>();
  for (const line of r.stdout.toString().split('\n')) {
    const [ref, oid] = line.split(' ');
    if (ref && oid) out.set(ref.slice(DEPLOYED_PREFIX.length), oid);
  }
  return out;
}

/** The reflog message of a deploy: parsed back by stepBackDeployed. */
export function deployMessage(status: string, toplevel: string | undefined): string {
  return `tappaas deploy ${status} ${toplevel ?? '-'}`;
}

/**
 * After a rollback the host runs the system it ran before its last deploy. Step the ref back
 * through its reflog to the newest entry that recorded a different toplevel than the current
 * one (entries of `unchanged` runs record the same system again); drop the ref when none does.
 */
export async function stepBackDeployed(repo: string, host: string): Promise<string | undefined> {
  const ref = deployedRef(host);
  const log = await runGit(['reflog', 'show', '--format=%H %gs', ref, '--'], {
    cwd: repo,
    okCodes: [1, 128],
  });
  const entries =
    log.code === 0
      ? log.stdout
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((l) => {
            const [oid, ...msg] = l.split(' ');
            const m = /^tappaas (?:deploy \S+|rollback) (\S+)$/.exec(msg.join(' '));
            return { oid: oid!, toplevel: m?.[1] };
          })
      : [];
  const current = entries[0]?.toplevel;
  const prev = entries.find((e) => e.toplevel !== undefined && e.toplevel !== '-' && e.toplevel !== current);
  if (prev) {
    await runGit(['update-ref', '-m', `tappaas rollback ${prev.toplevel}`, ref, prev.oid], { cwd: repo });
    return prev.oid;
  }
  await runGit(['update-ref', '-d', ref], { cwd: repo, okCodes: [1] });
  return undefined;
}
