// Installs the server hook as a small shell shim that runs this toolkit by absolute path, so
// the hook keeps working whatever PATH git gives it. Ours is recognised by a marker line;
// anything else in its place is a foreign hook and is not overwritten without --force. An
// install that git would not run is refused: a clone with a work tree (the server's bare
// repository is elsewhere), hooks redirected by core.hooksPath, or, for Gitea, a
// hooks/pre-receive that does not dispatch to pre-receive.d/. `tappaas hook verify` then
// proves the gate runs.
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SHIM_MARKER = '# tappaas-cicd pre-receive hook';
export const POST_SHIM_MARKER = '# tappaas-cicd post-receive hook';

export class InstallError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InstallError';
  }
}

/** Single-quotes a word for sh. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

export function shimText(node: string, toolkit: string, policyFile?: string, policyBranch = 'main'): string {
  // No V8 flags here: any V8 flag on the command line makes Node reject the code cache built
  // into it for its own modules (it is keyed by the flags), which costs more start-up than a
  // bare `node`. The hook asks for baseline-only WebAssembly at run time instead (parser.ts).
  // The policy branch is fixed here, on the server, never taken from the repository's HEAD.
  const policy = policyFile ? ['--policy', policyFile] : ['--policy-branch', policyBranch];
  const argv = [node, toolkit, 'hook', 'pre-receive', ...policy];
  // A toolkit that is gone (a garbage-collected store path, a removed install) would make sh or
  // node print errors with server paths to the pusher: say plainly that the gate cannot run,
  // reject (fail closed), and leave the paths to the server's log. Two shell built-ins: free.
  const log = `"\${GIT_DIR:-.}/${HOOK_ERROR_LOG}"`;
  return `#!/bin/sh
${SHIM_MARKER} (written by \`tappaas hook install\`; remove with \`tappaas hook uninstall\`)
if [ ! -x ${shQuote(node)} ] || [ ! -r ${shQuote(toolkit)} ]; then
  echo "tappaas: REJECTED: the push gate cannot start on the server (its toolkit is missing); nothing was updated. Tell the server admin." >&2
  printf '%s the hook cannot start: %s or %s is missing; reinstall it with tappaas hook install\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${shQuote(node)} ${shQuote(toolkit)} >>${log} 2>/dev/null
  exit 1
fi
exec ${argv.map(shQuote).join(' ')}
`;
}

/**
 * The post-receive shim: records the host keys of registrations that happened. A hook that was
 * there before is kept beside it and run after it with the same input (post-receive hooks
 * notify; none may be lost). Its exit code is the previous hook's, or 0.
 */
export function postReceiveShimText(node: string, toolkit: string): string {
  // Node runs only when a pushed tip has a claim (tappaas-host-key-claims/<new-oid>.<host>.json):
  // a push without a registration costs two shell built-ins, not a Node start.
  return `#!/bin/sh
${POST_SHIM_MARKER} (written by \`tappaas hook install\`; remove with \`tappaas hook uninstall\`)
data=$(cat)
claims="\${GIT_DIR:-.}/tappaas-host-key-claims"
claimed=
if [ -d "$claims" ]; then
  while read -r _ new _; do
    for f in "$claims/$new".*.json; do
      [ -e "$f" ] && claimed=1
      break
    done
    [ -n "$claimed" ] && break
  done <<EOF
$data
EOF
fi
if [ -z "$claimed" ]; then
  :
elif [ -x ${shQuote(node)} ] && [ -r ${shQuote(toolkit)} ]; then
  printf '%s\\n' "$data" | ${[node, toolkit, 'hook', 'post-receive'].map(shQuote).join(' ')}
else
  echo "tappaas: the push went through, but the toolkit is missing on the server, so no registration's host key was recorded. Tell the server admin." >&2
fi
if [ -x "$0.tappaas-backup" ]; then
  printf '%s\\n' "$data" | "$0.tappaas-backup" "$@"
fi
`;
}

/** The hook's error log in the repository directory (server-state.ts names it too). */
const HOOK_ERROR_LOG = 'tappaas-hook-errors.log';

/** git's environment without variables that would point it at another repository. */
function gitEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) env[k] = v;
  return env;
}

/** Runs git on a repository named explicitly (no discovery, no ownership guesswork). */
function gitAt(gitDir: string, args: string[]): { ok: boolean; out: string; err: string } {
  const r = spawnSync('git', ['--git-dir', gitDir, ...args], {
    cwd: gitDir,
    env: gitEnv(),
    encoding: 'utf8',
  });
  if (r.error) throw new InstallError(`cannot run git: ${r.error.message}`);
  return { ok: r.status === 0, out: r.stdout.trim(), err: r.stderr.trim().split('\n')[0] ?? '' };
}

/**
 * The bare repository at a path, as an absolute path; anything else is refused: pushes go to
 * the bare repository on the server, and a gate installed in a clone guards nothing there.
 */
export function bareRepository(repo: string): string {
  const abs = resolve(repo);
  if (!existsSync(abs)) throw new InstallError(`${abs} does not exist`);
  const fix = `install into the bare repository that pushes go to (the server's; \`git clone --bare ${abs} <name>.git\` makes one from a clone)`;
  if (existsSync(join(abs, '.git')))
    throw new InstallError(`${abs} is a clone with a work tree, not a bare repository: ${fix}`);
  const bare = gitAt(abs, ['rev-parse', '--is-bare-repository']);
  if (!bare.ok) throw new InstallError(`${abs} is not a git repository (${bare.err})`);
  if (bare.out !== 'true')
    throw new InstallError(
      `${abs} is not a bare repository (core.bare is not true: it is the .git directory of a clone): ${fix}`,
    );
  return abs;
}

/**
 * Where git looks for this repository's hooks: `hooks/`, unless core.hooksPath (in the
 * repository's, the user's or the system's git config) points elsewhere.
 */
export function hooksDirectory(gitDir: string): { dir: string; redirectedBy?: string } {
  const path = gitAt(gitDir, ['rev-parse', '--git-path', 'hooks']);
  if (!path.ok) throw new InstallError(`cannot ask git where the hooks of ${gitDir} are: ${path.err}`);
  const dir = resolve(gitDir, path.out);
  if (dir === join(gitDir, 'hooks')) return { dir };
  const origin = gitAt(gitDir, ['config', '--show-origin', '--get', 'core.hooksPath']);
  return { dir, redirectedBy: origin.ok ? origin.out.replace('\t', ' sets ') : 'core.hooksPath' };
}

/** Whether a hooks/pre-receive runs the hooks in pre-receive.d/ (Gitea's dispatcher does). */
export function dispatchesToPreReceiveD(script: string): boolean {
  return dispatchesToHookD(script, 'pre-receive');
}

/** Whether a hooks/<name> runs the hooks in <name>.d/. */
export function dispatchesToHookD(script: string, name: 'pre-receive' | 'post-receive'): boolean {
  // Gitea's: `hookname=$(basename $0)` … `for hook in ${GIT_DIR}/hooks/${hookname}.d/*`.
  return new RegExp(`${name.replace('-', '\\-')}\\.d\\b|\\$\\{?hookname\\}?"?\\.d\\b`).test(script);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Why git would not run a hook installed in this repository, or undefined when it would:
 * hooks redirected elsewhere, or, under Gitea, no dispatcher to pre-receive.d/.
 */
export function inactiveBecause(gitDir: string, gitea: boolean): string | undefined {
  const { redirectedBy, dir } = hooksDirectory(gitDir);
  if (redirectedBy)
    return `git runs this repository's hooks from ${dir}, not from ${join(gitDir, 'hooks')} (${redirectedBy}), so a hook installed here would never run: unset core.hooksPath for the user git serves pushes as, or ask the admin of that hooks directory`;
  if (!gitea) return undefined;
  const resync =
    "have Gitea write its hooks again (Site Administration, Dashboard: resynchronise the repositories' pre-receive, update and post-receive hooks), then install again";
  for (const name of ['pre-receive', 'post-receive'] as const) {
    const dispatcher = join(dir, name);
    if (!existsSync(dispatcher))
      return `${dispatcher} is missing, so nothing runs hooks/${name}.d/ (Gitea writes its dispatcher there): ${resync}`;
    if (!isExecutable(dispatcher))
      return `${dispatcher} is not executable, so git does not run it (nor hooks/${name}.d/): \`chmod +x ${dispatcher}\`, or ${resync}`;
    if (!dispatchesToHookD(readFileSync(dispatcher, 'utf8'), name))
      return `${dispatcher} does not run the hooks in ${name}.d/ (it is not Gitea's dispatcher), so a hook there would never run: ${resync}; or, without Gitea, install without --gitea (--force replaces that hook)`;
  }
  return undefined;
}

/**
 * The git directory of a repository path: a bare repository, or the .git of a work tree (for
 * uninstall, which must also clean up where older versions installed).
 */
export function gitDirOfRepo(repo: string): string {
  const abs = resolve(repo);
  if (existsSync(join(abs, 'HEAD')) && existsSync(join(abs, 'objects')) && existsSync(join(abs, 'refs')))
    return abs;
  const dotGit = join(abs, '.git');
  if (existsSync(join(dotGit, 'HEAD'))) return dotGit;
  throw new InstallError(`${abs} is not a git repository (no HEAD, objects/ and refs/ in it)`);
}

/** dist/tappaas.mjs of this package, whether we run bundled or from source. */
export function toolkitEntry(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'tappaas-cicd'
    ) {
      const entry = join(dir, 'dist', 'tappaas.mjs');
      if (!existsSync(entry)) throw new InstallError(`${entry} is missing: run \`npm run build\` first`);
      return entry;
    }
    dir = dirname(dir);
  }
  throw new InstallError('cannot find the tappaas-cicd package around this program');
}

export function hookPath(gitDir: string, gitea: boolean, name: HookName = 'pre-receive'): string {
  return gitea ? join(gitDir, 'hooks', `${name}.d`, 'tappaas') : join(gitDir, 'hooks', name);
}

type HookName = 'pre-receive' | 'post-receive';
const MARKERS: Record<HookName, string> = { 'pre-receive': SHIM_MARKER, 'post-receive': POST_SHIM_MARKER };

function isOurs(file: string, name: HookName = 'pre-receive'): boolean {
  return readFileSync(file, 'utf8').includes(MARKERS[name]);
}

export interface InstallOptions {
  repo: string;
  gitea: boolean;
  policyFile?: string;
  /** The branch whose tappaas.json is the policy when there is no policyFile (default main). */
  policyBranch?: string;
  force: boolean;
  node?: string;
  toolkit?: string;
}

export function installHook(opts: InstallOptions): { path: string; backup?: string; notes: string[] } {
  const gitDir = bareRepository(opts.repo);
  const inactive = inactiveBecause(gitDir, opts.gitea);
  if (inactive) throw new InstallError(`not installed: ${inactive}`);
  const path = hookPath(gitDir, opts.gitea);
  const postPath = hookPath(gitDir, opts.gitea, 'post-receive');
  const notes: string[] = [];
  let backup: string | undefined;
  if (existsSync(path) && !isOurs(path)) {
    if (!opts.force)
      throw new InstallError(
        `${path} already exists and is not a tappaas hook; rerun with --force to replace it (it is kept as ${path}.tappaas-backup)`,
      );
    backup = `${path}.tappaas-backup`;
  }
  // Under Gitea the dispatcher runs every file in post-receive.d/, a kept one too: no chaining.
  const foreignPost = existsSync(postPath) && !isOurs(postPath, 'post-receive');
  if (foreignPost && opts.gitea && !opts.force)
    throw new InstallError(
      `${postPath} already exists and is not a tappaas hook; rerun with --force to replace it (it is kept as ${postPath}.tappaas-backup)`,
    );
  const node = opts.node ?? process.execPath;
  const toolkit = opts.toolkit ?? toolkitEntry();
  if (backup) renameSync(path, backup);
  writeHook(path, shimText(node, toolkit, opts.policyFile && resolve(opts.policyFile), opts.policyBranch));
  if (foreignPost) {
    renameSync(postPath, `${postPath}.tappaas-backup`);
    notes.push(
      opts.gitea
        ? `kept the previous ${postPath} as ${postPath}.tappaas-backup`
        : `kept the previous ${postPath} as ${postPath}.tappaas-backup; the new post-receive runs it after recording host keys, with the same input`,
    );
  }
  writeHook(postPath, postReceiveShimText(node, toolkit));
  return backup ? { path, backup, notes } : { path, notes };
}

function writeHook(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text, { mode: 0o755 });
  chmodSync(path, 0o755);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new InstallError(`${path} was written but is not executable (is the file system mounted noexec?)`);
  }
}

export function uninstallHook(repo: string): { removed: string[]; restored: string[]; foreign: string[] } {
  const gitDir = gitDirOfRepo(repo);
  const removed: string[] = [];
  const restored: string[] = [];
  const foreign: string[] = [];
  for (const gitea of [false, true])
    for (const name of ['pre-receive', 'post-receive'] as const) {
      const path = hookPath(gitDir, gitea, name);
      if (!existsSync(path)) continue;
      if (!isOurs(path, name)) {
        foreign.push(path);
        continue;
      }
      rmSync(path);
      removed.push(path);
      if (existsSync(`${path}.tappaas-backup`)) {
        renameSync(`${path}.tappaas-backup`, path);
        restored.push(path);
      }
    }
  return { removed, restored, foreign };
}
