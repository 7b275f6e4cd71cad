// The thin adapter between the fleet checks and the repository: list the files and read
// them, either from the work tree or from a git revision (`git ls-tree -r`, one
// `git cat-file` process for the contents), so that `--from`/`--to` compare revisions
// without checking anything out.
import { type Dirent, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { type FleetLayout, normalizePath } from '../config/fleet.js';
import { CatFile } from '../git/cat-file.js';
import { runGit } from '../git/exec.js';

export interface TreeSource {
  /** "the work tree" or the revision as given, for messages. */
  label: string;
  /** The commit, for a revision. */
  commit?: string;
  /** Repo-relative files under the fleet root, plus the flake when it exists. */
  list(): Promise<string[]>;
  /** Bytes of a listed file; undefined when it cannot be read. */
  read(path: string): Promise<Buffer | undefined>;
  close(): void;
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'result', '.direnv']);

export function workTreeSource(root: string, layout: FleetLayout): TreeSource {
  return {
    label: 'the work tree',
    async list() {
      const out: string[] = [];
      const visit = (rel: string) => {
        let entries: Dirent[];
        try {
          entries = readdirSync(join(root, rel), { withFileTypes: true });
        } catch {
          return;
        }
        for (const e of entries) {
          const path = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory() && !SKIP_DIRS.has(e.name)) visit(path);
          else if (e.isFile() || e.isSymbolicLink()) out.push(path);
        }
      };
      visit(layout.root);
      // Without a flake the structure checks start from the common and host files instead.
      if (!out.includes(layout.flake) && isFile(join(root, layout.flake))) out.push(layout.flake);
      return out.sort();
    },
    async read(path) {
      try {
        return readFileSync(join(root, path));
      } catch {
        return undefined;
      }
    },
    close() {},
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function revisionSource(root: string, commit: string, label: string, layout: FleetLayout): TreeSource {
  let cat: CatFile | undefined;
  return {
    label,
    commit,
    async list() {
      const paths = [layout.root, layout.flake].filter((p) => p !== '');
      const r = await runGit(
        ['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...(paths.length ? paths : ['.'])],
        {
          cwd: root,
        },
      );
      const out: string[] = [];
      for (const entry of r.stdout.toString('utf8').split('\0')) {
        // <mode> SP <type> SP <oid> TAB <path>
        const tab = entry.indexOf('\t');
        if (tab < 0) continue;
        const [, type] = entry.slice(0, tab).split(' ');
        if (type === 'blob') out.push(normalizePath(entry.slice(tab + 1)));
      }
      return out.sort();
    },
    async read(path) {
      cat ??= new CatFile(root);
      const p = cat.contents(`${commit}:${path}`);
      cat.flush();
      return (await p)?.data;
    },
    close() {
      cat?.close();
    },
  };
}

/** Full messages of the commits in `from..to`. */
export async function commitMessages(root: string, from: string, to: string): Promise<string[]> {
  const r = await runGit(['log', '-z', '--format=%B', `${from}..${to}`], { cwd: root });
  return r.stdout
    .toString('utf8')
    .split('\0')
    .filter((m) => m.trim() !== '');
}

/** `tappaas.json` of a revision, parsed; undefined when absent or not JSON. */
export async function configAt(root: string, commit: string): Promise<Record<string, unknown> | undefined> {
  const r = await runGit(['cat-file', '-p', `${commit}:tappaas.json`], { cwd: root, okCodes: [128] });
  if (r.code !== 0) return undefined;
  try {
    const parsed = JSON.parse(r.stdout.toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
