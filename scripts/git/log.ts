// The commits of a revision range with the files each one adds or modifies, from one
// `git log --raw -z` process (merges are diffed against their first parent). The output must
// not depend on the server's git config: a hook runs in a repository whose config an admin
// (or a hosting product) chose, so every setting the parser relies on is pinned here.
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
  /** Parent commit ids, when asked for (`parents`). */
  parents?: string[];
  /** `%G?` when asked for: G good, B bad, U good but untrusted signer, N none, … */
  signature?: string;
}

/**
 * Config that would change what `git log -z --raw --format=…` prints, set to the values the
 * parser expects: a root commit's files (log.showRoot), signature text before the format
 * (log.showSignature), renames and copies instead of additions (diff.renames), paths relative
 * to a folder (diff.relative), hidden gitlink changes (diff.ignoreSubmodules), an unreadable
 * order file that makes git fail (diff.orderFile), a re-encoded format (i18n.logOutputEncoding),
 * colour codes (color.*), and replacement objects standing in for pushed ones.
 */
export const NEUTRAL_LOG_CONFIG: readonly string[] = [
  'core.quotePath=false',
  'core.useReplaceRefs=false',
  'log.showRoot=true',
  'log.showSignature=false',
  'diff.renames=false',
  'diff.relative=false',
  'diff.ignoreSubmodules=none',
  'diff.orderFile=/dev/null',
  'i18n.logOutputEncoding=UTF-8',
  'color.ui=never',
  'color.diff=never',
];

/** The same, as flags where git has one (a flag wins over any config). */
const NEUTRAL_LOG_FLAGS: readonly string[] = [
  '--root',
  '--no-renames',
  '--no-relative',
  '--ignore-submodules=none',
  '--no-ext-diff',
  '--no-textconv',
  '--no-color',
  '--no-show-signature',
  '--no-abbrev',
  '--encoding=UTF-8',
];

export interface LogOptions {
  boundary?: boolean;
  /** Print each commit's parents (to split one walk into per-ref ranges). */
  parents?: boolean;
  /** Ask for `%G?` with this allowed-signers file. */
  allowedSigners?: string;
  /** Read the revisions from stdin (`git log --stdin`) instead of the arguments. */
  stdin?: boolean;
  /** Only the given commits, no history (`--no-walk`). */
  noWalk?: boolean;
  /** No file changes (`--raw` left out): for signature states alone. */
  noChanges?: boolean;
}

/** The argv of one `git log` whose output `parseRawLog` reads. Pure. */
export function logArgs(revisions: readonly string[], opts: LogOptions = {}): string[] {
  const format = ['%H', '%m', opts.parents ? '%P' : '', ...(opts.allowedSigners ? ['%G?'] : [])];
  const config = [
    ...NEUTRAL_LOG_CONFIG,
    ...(opts.allowedSigners ? [`gpg.ssh.allowedSignersFile=${opts.allowedSigners}`] : []),
  ];
  return [
    '--no-replace-objects',
    ...config.flatMap((c) => ['-c', c]),
    'log',
    '-z',
    ...(opts.noChanges ? [] : ['--raw', '--diff-merges=first-parent']),
    ...NEUTRAL_LOG_FLAGS,
    `--format=${format.join('%x01')}`,
    ...(opts.boundary ? ['--boundary'] : []),
    ...(opts.noWalk ? ['--no-walk=unsorted'] : []),
    ...(opts.stdin ? ['--stdin'] : []),
    ...revisions,
    '--',
  ];
}

/** Parses the output of `logArgs` (`git log -z --raw --format=%H%x01%m%x01%P[%x01%G?]`). Pure. */
export function parseRawLog(out: string): CommitChanges[] {
  const commits: CommitChanges[] = [];
  const tokens = out.split('\0');
  let current: CommitChanges | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!.replace(/^\n/, '');
    if (token === '') continue;
    const sep = token.indexOf('\x01');
    if (sep >= 0) {
      const [oid = '', mark = '', parents = '', signature] = token.split('\x01');
      current = { oid, boundary: mark === '-', changes: [] };
      if (parents !== '') current.parents = parents.split(' ');
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

/**
 * Where git runs: the repository's directory, and the environment to run it with (in a hook,
 * the one git gave it: GIT_DIR and the quarantine variables make the pushed objects visible).
 */
export interface GitPlace {
  cwd: string;
  env?: NodeJS.ProcessEnv;
}

export async function commitChanges(
  at: GitPlace,
  revisions: string[],
  opts: { boundary?: boolean; allowedSigners?: string } = {},
): Promise<CommitChanges[]> {
  const { stdout } = await runGit(logArgs(revisions, opts), { cwd: at.cwd, env: at.env });
  return parseRawLog(stdout.toString('utf8'));
}

/**
 * One `git log --stdin` over revision lines (`<tip>`, `^<excluded>`) that may arrive later
 * than git starts: git loads its config and waits on stdin meanwhile. Aborting `signal`
 * stops git (the promise then rejects).
 */
export async function logFromStdin(
  at: GitPlace,
  lines: Promise<readonly string[]>,
  opts: Omit<LogOptions, 'stdin'>,
  signal?: AbortSignal,
): Promise<CommitChanges[]> {
  const input = lines.then((l) => (l.length ? `${l.join('\n')}\n` : ''));
  const { stdout } = await runGit(logArgs([], { ...opts, stdin: true }), {
    cwd: at.cwd,
    env: at.env,
    input,
    ...(signal ? { signal } : {}),
  });
  return parseRawLog(stdout.toString('utf8'));
}

/** `%G?` of each given commit (one process, no history walked), by commit id. */
export async function signatureStates(
  at: GitPlace,
  oids: readonly string[],
  allowedSigners: string,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (oids.length === 0) return out;
  const args = logArgs([], { stdin: true, noWalk: true, noChanges: true, allowedSigners });
  const { stdout } = await runGit(args, { cwd: at.cwd, env: at.env, input: `${oids.join('\n')}\n` });
  for (const c of parseRawLog(stdout.toString('utf8'))) out.set(c.oid, c.signature ?? 'E');
  return out;
}

/** Whether `ancestor` is an ancestor of `descendant` (a fast-forward from one to the other). */
export async function isAncestor(at: GitPlace, ancestor: string, descendant: string): Promise<boolean> {
  const { code } = await runGit(['merge-base', '--is-ancestor', ancestor, descendant], {
    cwd: at.cwd,
    env: at.env,
    okCodes: [1],
  });
  return code === 0;
}
