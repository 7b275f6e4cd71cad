// Installs the server hook as a small shell shim that runs this toolkit by absolute path, so
// the hook keeps working whatever PATH git gives it. Ours is recognised by a marker line;
// anything else in its place is a foreign hook and is not overwritten without --force.
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
  return `#!/bin/sh
${SHIM_MARKER} (written by \`tappaas hook install\`; remove with \`tappaas hook uninstall\`)
exec ${argv.map(shQuote).join(' ')}
`;
}

/** The git directory of a repository path: a bare repository, or the .git of a work tree. */
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

export function hookPath(gitDir: string, gitea: boolean): string {
  return gitea ? join(gitDir, 'hooks', 'pre-receive.d', 'tappaas') : join(gitDir, 'hooks', 'pre-receive');
}

function isOurs(file: string): boolean {
  return readFileSync(file, 'utf8').includes(SHIM_MARKER);
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
  const gitDir = gitDirOfRepo(opts.repo);
  const path = hookPath(gitDir, opts.gitea);
  const notes: string[] = [];
  let backup: string | undefined;
  if (existsSync(path) && !isOurs(path)) {
    if (!opts.force)
      throw new InstallError(
        `${path} already exists and is not a tappaas hook; rerun with --force to replace it (it is kept as ${path}.tappaas-backup)`,
      );
    backup = `${path}.tappaas-backup`;
    renameSync(path, backup);
  }
  if (opts.gitea && !existsSync(join(gitDir, 'hooks', 'pre-receive')))
    notes.push(
      `${join(gitDir, 'hooks', 'pre-receive')} is missing: Gitea's dispatcher runs pre-receive.d/; resynchronise the repository's hooks in Gitea's admin panel`,
    );
  mkdirSync(dirname(path), { recursive: true });
  const text = shimText(
    opts.node ?? process.execPath,
    opts.toolkit ?? toolkitEntry(),
    opts.policyFile && resolve(opts.policyFile),
    opts.policyBranch,
  );
  writeFileSync(path, text, { mode: 0o755 });
  chmodSync(path, 0o755);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new InstallError(`${path} was written but is not executable (is the file system mounted noexec?)`);
  }
  return backup ? { path, backup, notes } : { path, notes };
}

export function uninstallHook(repo: string): { removed: string[]; restored: string[]; foreign: string[] } {
  const gitDir = gitDirOfRepo(repo);
  const removed: string[] = [];
  const restored: string[] = [];
  const foreign: string[] = [];
  for (const gitea of [false, true]) {
    const path = hookPath(gitDir, gitea);
    if (!existsSync(path)) continue;
    if (!isOurs(path)) {
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
