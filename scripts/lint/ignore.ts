// `lint.ignore` patterns: globs relative to the repository root, as ESLint's flat config
// reads them (and as the pre-receive hook matches paths): `**` spans folders, `*` and `?`
// stay inside one name, a trailing `/` matches folders only, and a folder that matches takes
// everything inside it along. Every pattern is anchored at the root (`*.nix` is top-level
// files only; `**/*.nix` is any depth); a leading `/` is allowed and changes nothing.

export type IgnoreMatcher = (relPath: string, isDir: boolean) => string | undefined;

interface Compiled {
  pattern: string;
  re: RegExp;
  dirOnly: boolean;
}

function escapeChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|]/.test(ch) ? `\\${ch}` : ch;
}

/** The regular expression for one pattern (without its trailing `/`), whole-path anchored. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/^\//, '');
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '*' && body[i + 1] === '*') {
      const before = i === 0 || body[i - 1] === '/';
      const after = i + 2 === body.length || body[i + 2] === '/';
      if (before && after) {
        if (i + 2 === body.length) re += '.*';
        else {
          re += '(?:.*/)?'; // `**/` : zero or more folders
          i++; // the slash is part of the group
        }
        i++;
        continue;
      }
      re += '[^/]*'; // `a**b` is two stars inside a name
      i++;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += escapeChar(ch);
  }
  return new RegExp(`^${re}$`);
}

/** Patterns this matcher does not understand (negation), to be reported, not guessed at. */
export function unsupportedPatterns(patterns: string[]): string[] {
  return patterns.filter((p) => p.trim().startsWith('!'));
}

export function ignoreMatcher(patterns: string[]): IgnoreMatcher {
  const compiled: Compiled[] = patterns
    .map((p) => p.trim())
    .filter((p) => p !== '' && !p.startsWith('!'))
    .map((pattern) => {
      const dirOnly = pattern.endsWith('/');
      return { pattern, dirOnly, re: globToRegExp(dirOnly ? pattern.replace(/\/+$/, '') : pattern) };
    });
  if (compiled.length === 0) return () => undefined;
  const direct = (path: string, isDir: boolean) =>
    compiled.find((c) => (isDir || !c.dirOnly) && c.re.test(path))?.pattern;
  return (relPath, isDir) => {
    const parts = relPath.split('/');
    // A folder that matches takes everything inside it along.
    for (let n = 1; n < parts.length; n++) {
      const hit = direct(parts.slice(0, n).join('/'), true);
      if (hit) return hit;
    }
    return direct(relPath, isDir);
  };
}
