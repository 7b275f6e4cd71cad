// Which files a lint run covers: the .nix files under each given path. Symlinks are followed
// once (a loop is reported, not walked forever); a path that does not exist is an error.
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

export interface FileProblem {
  path: string;
  message: string;
}

export interface CollectedFiles {
  files: string[];
  problems: FileProblem[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'result', '.direnv', 'dist']);

export function collectNixFiles(paths: string[], cwd: string): CollectedFiles {
  const files: string[] = [];
  const problems: FileProblem[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const show = (abs: string) => relative(cwd, abs) || '.';

  const addFile = (abs: string) => {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (err) {
      problems.push({
        path: show(abs),
        message: `cannot be resolved: ${(err as NodeJS.ErrnoException).code ?? err}`,
      });
      return;
    }
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(show(abs));
  };

  const visitDir = (abs: string) => {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (err) {
      problems.push({
        path: show(abs),
        message: `cannot be resolved: ${(err as NodeJS.ErrnoException).code ?? err}`,
      });
      return;
    }
    if (seenDirs.has(real)) {
      problems.push({ path: show(abs), message: 'symlink loop: this folder was already visited; skipped' });
      return;
    }
    seenDirs.add(real);
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(abs, { withFileTypes: true });
    } catch (err) {
      problems.push({
        path: show(abs),
        message: `cannot be read: ${(err as NodeJS.ErrnoException).code ?? err}`,
      });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const child = join(abs, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name)) visitDir(child);
      } else if (entry.isSymbolicLink()) {
        let st: import('node:fs').Stats;
        try {
          st = statSync(child);
        } catch {
          problems.push({ path: show(child), message: 'dangling or looping symlink; skipped' });
          continue;
        }
        if (st.isDirectory()) visitDir(child);
        else if (entry.name.endsWith('.nix')) addFile(child);
      } else if (entry.isFile() && entry.name.endsWith('.nix')) {
        addFile(child);
      }
    }
  };

  for (const p of paths) {
    const abs = isAbsolute(p) ? p : join(cwd, p);
    let st: import('node:fs').Stats;
    try {
      st = statSync(abs);
    } catch (err) {
      problems.push({
        path: p,
        message: `does not exist or cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`,
      });
      continue;
    }
    if (st.isDirectory()) visitDir(abs);
    else addFile(abs);
  }
  return { files, problems };
}
