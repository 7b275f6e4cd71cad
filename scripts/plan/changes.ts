// The files a change touches, from `git diff --name-status -z -M BASE HEAD`. A rename or copy
// touches both its old and its new path: a host may import either side.

export type ChangeKind = 'added' | 'modified' | 'deleted' | 'renamed' | 'copied' | 'type-changed';

export interface ChangedFile {
  kind: ChangeKind;
  /** Path at head (for a deletion: the deleted path). */
  path: string;
  /** Path at base, for renames and copies. */
  oldPath?: string;
}

const KINDS: Record<string, ChangeKind> = {
  A: 'added',
  M: 'modified',
  D: 'deleted',
  R: 'renamed',
  C: 'copied',
  T: 'type-changed',
};

/** Parses `git diff --name-status -z` output: `S\0path\0` or `R100\0old\0new\0`. */
export function parseNameStatus(output: string): ChangedFile[] {
  const parts = output.split('\0');
  const out: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++];
    if (!status) continue;
    const letter = status[0]!;
    const kind = KINDS[letter] ?? 'modified';
    if (letter === 'R' || letter === 'C') {
      const oldPath = parts[i++];
      const path = parts[i++];
      if (oldPath === undefined || path === undefined) throw new Error(`truncated git diff entry ${status}`);
      out.push({ kind, path, oldPath });
    } else {
      const path = parts[i++];
      if (path === undefined) throw new Error(`truncated git diff entry ${status}`);
      out.push({ kind, path });
    }
  }
  return out;
}

/** Every path a change touches (both sides of a rename). */
export function touchedPaths(changes: readonly ChangedFile[]): string[] {
  const out = new Set<string>();
  for (const c of changes) {
    out.add(c.path);
    if (c.oldPath !== undefined) out.add(c.oldPath);
  }
  return [...out].sort();
}
