// The package-level difference of two system closures, from `nix store diff-closures OLD NEW`
// (one line per package name: `name: 1.0 → 1.1, +12.3 KiB`, `∅` for absent, `ε` for an empty
// version; sizes only past Nix's 8 KiB threshold) and the closure sizes `nix path-info -S`.

export interface PackageChange {
  name: string;
  /** Versions before; empty when the package is new. */
  old: string[];
  /** Versions after; empty when the package is gone. */
  new: string[];
  /** Size change Nix printed, e.g. "+12.3 KiB". */
  size?: string;
}

export interface ClosureDiff {
  added: PackageChange[];
  removed: PackageChange[];
  /** Same package name, other versions. */
  changed: PackageChange[];
  /** Same versions, only the size moved (a rebuild with other inputs). */
  resized: PackageChange[];
  /** Closure sizes in bytes and their difference, when known. */
  oldSize?: number;
  newSize?: number;
  sizeDelta?: number;
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
const SIZE = /(?:^|, )([+-]\d+(?:\.\d+)? [KMGTPE]?i?B)$/;

function versions(text: string): string[] {
  const t = text.trim();
  return t === '∅' ? [] : t.split(', ').map((v) => (v === 'ε' ? '' : v));
}

export function parseDiffClosures(output: string): ClosureDiff {
  const diff: ClosureDiff = { added: [], removed: [], changed: [], resized: [] };
  for (const raw of output.replace(ANSI, '').split('\n')) {
    const line = raw.trimEnd();
    const colon = line.indexOf(': ');
    if (colon <= 0) continue;
    const name = line.slice(0, colon);
    let rest = line.slice(colon + 2);
    const size = SIZE.exec(rest);
    if (size) rest = rest.slice(0, size.index);
    const arrow = rest.indexOf('→');
    const change: PackageChange = { name, old: [], new: [], ...(size ? { size: size[1] } : {}) };
    if (arrow < 0) {
      if (size) diff.resized.push(change);
      continue;
    }
    change.old = versions(rest.slice(0, arrow));
    change.new = versions(rest.slice(arrow + 1));
    if (rest.slice(0, arrow).trim() === '∅') diff.added.push(change);
    else if (rest.slice(arrow + 1).trim() === '∅') diff.removed.push(change);
    else diff.changed.push(change);
  }
  return diff;
}

/**
 * Closure sizes from `nix path-info -S --json`: an array of `{path, closureSize}` (Nix 2.8 to
 * 2.18) or an object keyed by path (2.19 and later).
 */
export function parseClosureSizes(json: string): Map<string, number> {
  const data = JSON.parse(json) as unknown;
  const out = new Map<string, number>();
  const add = (path: unknown, info: unknown) => {
    const size = (info as { closureSize?: unknown } | null)?.closureSize;
    if (typeof path === 'string' && typeof size === 'number') out.set(path, size);
  };
  if (Array.isArray(data)) for (const e of data) add((e as { path?: unknown }).path, e);
  else if (data && typeof data === 'object') for (const [p, info] of Object.entries(data)) add(p, info);
  return out;
}

/** "1.2 KiB", "-3.4 MiB": a byte count for people. */
export function formatBytes(bytes: number, signed = false): string {
  const sign = bytes < 0 ? '-' : signed ? '+' : '';
  let n = Math.abs(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${sign}${u === 0 ? n : n.toFixed(1)} ${units[u]}`;
}

export function isEmptyDiff(d: ClosureDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.resized.length === 0;
}
