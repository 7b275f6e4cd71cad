// The commits of a revision range with the files each one adds or modifies, from one
// `git log --raw -z` process (merges are diffed against their first parent).
import { runGit } from './exec.js';

export interface FileChange {
  path: string;
  /** Blob id on the new side (all zeros for a deletion). */
  oid: string;
  mode: string;
  status: string;
}

export interface CommitChanges {
  oid: string;
  /** Boundary commits (with --boundary) are on the excluded side: they carry no changes. */
  boundary: boolean;
  changes: FileChange[];
  /** `%G?` when asked for: G good, B bad, U good but untrusted signer, N none, … */
  signature?: string;
}

/** Parses `git log -z --raw --format=%H%x01%m` output. Pure. */
export function parseRawLog(out: string): CommitChanges[] {
  const commits: CommitChanges[] = [];
  const tokens = out.split('\0');
  let current: CommitChanges | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n/, '');
    if (token === '') continue;
    const sep = token.indexOf('\x01');
    if (sep >= 0) {
      const [oid = '', mark = '', signature] = token.split('\x01');
      current = { oid, boundary: mark === '-', changes: [] };
      if (signature !== undefined) current.signature = signature;
      commits.push(current);
      continue;
    }
    if (token.startsWith(':') && current) {
      // :<old mode> <new mode> <old oid> <new oid> <status>, then the path as the next token
      const [, newMode, , newOid, status] = token.slice(1).split(' ');
      const path = tokens[++i] ?? '';
      current.changes.push({ path, oid: newOid ?? '', mode: newMode ?? '', status: status ?? '' });
    }
  }
  return commits;
}

export async function commitChanges(
  cwd: string,
  revisions: string[],
  opts: { boundary?: boolean; allowedSigners?: string } = {},
): Promise<CommitChanges[]> {
  const args = [
    '-c',
    'core.quotePath=false',
    ...(opts.allowedSigners ? ['-c', `gpg.ssh.allowedSignersFile=${opts.allowedSigners}`] : []),
    'log',
    '-z',
    '--raw',
    '--no-abbrev',
    '--no-renames',
    '--diff-merges=first-parent',
    opts.allowedSigners ? '--format=%H%x01%m%x01%G?' : '--format=%H%x01%m',
    ...(opts.boundary ? ['--boundary'] : []),
    ...revisions,
    '--',
  ];
  const { stdout } = await runGit(args, { cwd });
  return parseRawLog(stdout.toString('utf8'));
}

/** Whether `ancestor` is an ancestor of `descendant` (a fast-forward from one to the other). */
export async function isAncestor(cwd: string, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], { cwd, okCodes: [1] });
  return code === 0;
}
