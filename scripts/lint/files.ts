// Which files a lint run covers: the .nix files under each given path, minus `lint.ignore`.
// Symlinks are followed, each real file and folder once; a loop is reported, not walked
// forever. Odd entries (dangling links, FIFOs, names that are not UTF-8) are reported with
// what to do, never read: reading a FIFO would hang the run.
import { type Dirent, readdirSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ignoreMatcher, unsupportedPatterns } from './ignore.js';
import type { Severity } from './types.js';

export interface FileProblem {
  path: string;
  message: string;
  rule: 'unreadable-file' | 'ignored-file';
  severity: Severity;
}

export interface CollectedFiles {
  /** Display paths: relative to cwd when inside it, otherwise absolute. */
  files: string[];
  problems: FileProblem[];
}

export interface CollectOptions {
  /** Repository root: `ignore` patterns are relative to it. Default: cwd. */
  root?: string;
  /** `lint.ignore` glob patterns from tappaas.json. */
  ignore?: string[];
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'result', '.direnv', 'dist']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Relative to cwd when inside it, otherwise absolute: never `../../tmp/x`. */
export function displayPath(abs: string, cwd: string): string {
  const rel = relative(cwd, abs);
  if (rel === '') return '.';
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel) ? abs : rel;
}

/** What a stat or a directory entry (same type tests, no extra system call) says. */
type FileKind = Pick<Stats, 'isFile' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice'>;

function kindOf(st: FileKind): string {
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

export function collectNixFiles(paths: string[], cwd: string, opts: CollectOptions = {}): CollectedFiles {
  const root = resolve(opts.root ?? cwd);
  const ignored = ignoreMatcher(opts.ignore ?? []);
  const files: string[] = [];
  const problems: FileProblem[] = [];
  const seenDirs = new Set<string>();
  const seenFiles = new Set<string>();
  const show = (abs: string) => displayPath(abs, cwd);
  for (const pattern of unsupportedPatterns(opts.ignore ?? [])) {
    problems.push({
      path: 'tappaas.json',
      message: `lint.ignore pattern "${pattern}": negation is not supported, so the pattern is skipped. Narrow the other patterns instead.`,
      rule: 'ignored-file',
      severity: 'warning',
    });
  }
  const problem = (abs: string, message: string, severity: Severity = 'warning') =>
    problems.push({ path: show(abs), message, rule: 'unreadable-file', severity });
  /** The pattern that ignores `abs`, if any (only paths inside the root can be ignored). */
  const ignoredBy = (abs: string, isDir: boolean) => {
    const rel = relative(root, abs);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return ignored(rel.split(sep).join('/'), isDir);
  };
  let skippedCount = 0;
  /** Whether a walked entry is ignored; those are skipped silently, as ESLint does. */
  const skipped = (abs: string, isDir: boolean) => {
    if (!ignoredBy(abs, isDir)) return false;
    skippedCount++;
    return true;
  };

  /** `real`: the file's real path when known (a plain entry of a resolved folder). */
  const addFile = (abs: string, st: FileKind, known?: string) => {
    if (!st.isFile()) {
      problem(abs, `${kindOf(st)}, not a file: not linted. Remove it or give a regular .nix file.`);
      return;
    }
    const real = known ?? realpathSync(abs);
    if (seenFiles.has(real)) return;
    seenFiles.add(real);
    files.push(show(abs));
  };

  const visitDir = (abs: string, ancestors: string[]) => {
    let real: string;
    try {
      real = realpathSync(abs);
    } catch (err) {
      problem(
        abs,
        `folder cannot be resolved (${(err as NodeJS.ErrnoException).code ?? err}); skipped`,
        'error',
      );
      return;
    }
    if (ancestors.includes(real)) {
      problem(
        abs,
        `symlink loop: this folder leads back to ${show(real)}, which is being linted already; not walked again. Remove the link or add it to lint.ignore.`,
      );
      return;
    }
    if (seenDirs.has(real)) return; // another path to a folder already linted
    seenDirs.add(real);
    let entries: Dirent<Buffer>[];
    try {
      entries = readdirSync(abs, { withFileTypes: true, encoding: 'buffer' });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err);
      problem(
        abs,
        `folder cannot be read (${code}): its files were not linted. Check its permissions.`,
        'error',
      );
      return;
    }
    entries.sort((a, b) => Buffer.compare(a.name, b.name));
    const inside = [...ancestors, real];
    for (const entry of entries) {
      let name: string;
      try {
        name = utf8.decode(entry.name);
      } catch {
        const shown = entry.name.toString('utf8');
        if (entry.isDirectory() || shown.endsWith('.nix'))
          problem(
            join(abs, shown),
            `name is not valid UTF-8 (shown with U+FFFD): ${entry.isDirectory() ? 'folder not walked' : 'file not linted'}. Rename it to UTF-8.`,
          );
        continue;
      }
      const child = join(abs, name);
      let isDir = entry.isDirectory();
      let st: Stats | undefined;
      if (entry.isSymbolicLink()) {
        try {
          st = statSync(child);
          isDir = st.isDirectory();
        } catch (err) {
          if (name.endsWith('.nix') && !skipped(child, false)) brokenLink(child, err);
          continue;
        }
      }
      if (isDir) {
        if (!SKIP_DIRS.has(name) && !skipped(child, true)) visitDir(child, inside);
      } else if (name.endsWith('.nix') && !skipped(child, false)) {
        try {
          // Folders are resolved once: a plain entry's real path is its folder's plus its
          // name, and its kind is in the entry, so only symlinked files cost system calls
          // (realpath lstats every component: ~40% of a warm-cache run before).
          if (st) addFile(child, st);
          else addFile(child, entry, join(real, name));
        } catch (err) {
          problem(
            child,
            `cannot be read (${(err as NodeJS.ErrnoException).code ?? err}): not linted.`,
            'error',
          );
        }
      }
    }
  };

  const brokenLink = (abs: string, err: unknown) => {
    const code = (err as NodeJS.ErrnoException).code;
    problem(
      abs,
      code === 'ELOOP'
        ? 'symlink loop (the link leads back to itself): not linted. Fix or remove the link.'
        : code === 'ENOENT'
          ? `dangling symlink to ${safeReadlink(abs)}, which does not exist: not linted. Fix or remove the link.`
          : `symlink cannot be followed (${code ?? err}): not linted. Fix the link or its target's permissions.`,
    );
  };

  for (const p of paths) {
    const abs = resolve(cwd, p);
    let st: Stats;
    try {
      st = statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const what =
        code === 'ENOENT'
          ? safeReadlink(abs)
            ? `dangling symlink to ${safeReadlink(abs)}, which does not exist`
            : 'does not exist'
          : `cannot be read (${code ?? err})`;
      problem(abs, `${what}: nothing linted here. Check the path.`, 'error');
      continue;
    }
    const pattern = ignoredBy(abs, st.isDirectory());
    if (pattern) {
      problems.push({
        path: show(abs),
        message: `ignored by the lint.ignore pattern "${pattern}" in tappaas.json: not linted. Remove the pattern to lint it.`,
        rule: 'ignored-file',
        severity: 'warning',
      });
      continue;
    }
    if (!st.isDirectory()) {
      addFile(abs, st);
      continue;
    }
    const [filesBefore, skippedBefore] = [files.length, skippedCount];
    visitDir(abs, []);
    if (files.length === filesBefore && skippedCount > skippedBefore) {
      problems.push({
        path: show(abs),
        message:
          'every .nix file in this folder is ignored by lint.ignore in tappaas.json: nothing linted here.',
        rule: 'ignored-file',
        severity: 'warning',
      });
    }
  }
  return { files, problems };
}

/** Paths given on the command line that lead nowhere, each said plainly (for a usage error). */
export function missingPaths(paths: string[], cwd: string): string[] {
  const out: string[] = [];
  for (const p of paths) {
    const abs = resolve(cwd, p);
    try {
      statSync(abs);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const link = safeReadlink(abs);
      if (code === 'ENOENT') out.push(link === undefined ? p : `${p} (a dangling symlink to ${link})`);
    }
  }
  return out;
}

function safeReadlink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}
