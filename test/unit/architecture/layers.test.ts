// The layers of scripts/, and the two rules that keep them: no import runs from a lower layer
// up to a higher one, and no two files import each other, directly or round a loop. Folders
// of one layer may use each other (the file graph stays acyclic). The import statements are
// read from the source text: static imports, `export … from`, `import type` and `import('…')`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** Bottom first. A folder may import its own layer and the layers below it, never above. */
const LAYERS: { name: string; folders: string[] }[] = [
  // Adapters and pure helpers that know nothing of the toolkit's domain: tappaas.json,
  // git, ssh, the Nix syntax tree, the nix programs, terminal text, JSON Schemas, forge HTTP, bounded concurrency (util).
  {
    name: 'base',
    folders: ['config', 'git', 'ssh', 'nix-ast', 'nixcli', 'term', 'schemas', 'forge', 'util'],
  },
  // Knowledge over plain data: push policy verdicts, NixOS options and renames.
  { name: 'domain', folders: ['policy', 'nixos'] },
  // The fleet model and the linter with its cross-file module graph.
  { name: 'analysis', folders: ['fleet', 'lint', 'module-graph'] },
  // What a command does: the check runner, plans, deploys, onboarding, the server hook.
  { name: 'workflows', folders: ['check', 'plan', 'deploy', 'registration', 'hook'] },
  // Renderers of workflow results: terminal progress, tables, markdown, Actions summaries.
  { name: 'output', folders: ['report'] },
  // One file per command; the only place that turns errors into exit codes.
  { name: 'entry', folders: ['cli'] },
];

const ROOT = resolve(import.meta.dirname, '../../..');
const SCRIPTS = join(ROOT, 'scripts');

interface Import {
  from: string;
  to: string;
  line: number;
}

/** Tokens of TypeScript source: enough to find import statements, not a parser. */
type Token =
  | { kind: 'word' | 'punct'; text: string; line: number }
  | { kind: 'string'; text: string; line: number };

const WORD = /[A-Za-z0-9_$]/;
/** After these, `/` starts a regular expression rather than a division. */
const BEFORE_REGEX = new Set([
  'return',
  'typeof',
  'case',
  'do',
  'else',
  'in',
  'of',
  'void',
  'yield',
  'await',
]);

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  let line = 1;
  // Template literals nest through `${ … }`: the brace depth at which each one resumes.
  const templates: number[] = [];
  let braces = 0;
  const regexAllowed = () => {
    const prev = out[out.length - 1];
    if (!prev) return true;
    if (prev.kind === 'string') return false;
    if (prev.kind === 'word') return BEFORE_REGEX.has(prev.text);
    return !')]}'.includes(prev.text);
  };
  const skipTemplate = () => {
    // From just after "`" (or the "}" closing an interpolation) to the end or the next "${".
    while (i < src.length) {
      const c = src[i]!;
      if (c === '\\') i += 2;
      else if (c === '`') {
        i++;
        out.push({ kind: 'string', text: '', line });
        return;
      } else if (c === '$' && src[i + 1] === '{') {
        i += 2;
        templates.push(braces);
        braces++;
        return;
      } else {
        if (c === '\n') line++;
        i++;
      }
    }
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '/' && src[i + 1] === '/') {
      while (i < src.length && src[i] !== '\n') i++;
    } else if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      const stop = end < 0 ? src.length : end + 2;
      line += src.slice(i, stop).split('\n').length - 1;
      i = stop;
    } else if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\') {
          text += src[i + 1];
          i += 2;
        } else text += src[i++];
      }
      i++;
      out.push({ kind: 'string', text, line });
    } else if (c === '`') {
      i++;
      skipTemplate();
    } else if (c === '/' && regexAllowed()) {
      i++;
      let inClass = false;
      while (i < src.length && (inClass || src[i] !== '/')) {
        if (src[i] === '\\') i++;
        else if (src[i] === '[') inClass = true;
        else if (src[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (i < src.length && WORD.test(src[i]!)) i++;
      out.push({ kind: 'string', text: '', line });
    } else if (WORD.test(c)) {
      const start = i;
      while (i < src.length && WORD.test(src[i]!)) i++;
      out.push({ kind: 'word', text: src.slice(start, i), line });
    } else {
      i++;
      if (c === '{') braces++;
      else if (c === '}') {
        braces--;
        if (templates.length > 0 && templates[templates.length - 1] === braces) {
          templates.pop();
          skipTemplate();
          continue;
        }
      }
      out.push({ kind: 'punct', text: c, line });
    }
  }
  return out;
}

/** Module specifiers of a file's imports and re-exports, with their lines. */
function importSpecifiers(src: string): { spec: string; line: number }[] {
  const t = tokenize(src);
  const found: { spec: string; line: number }[] = [];
  const untilFrom = (start: number) => {
    for (let j = start; j < t.length && t[j]!.text !== ';'; j++) {
      const next = t[j + 1];
      if (t[j]!.kind === 'word' && t[j]!.text === 'from' && next?.kind === 'string') {
        found.push({ spec: next.text, line: next.line });
        return;
      }
    }
  };
  for (let k = 0; k < t.length; k++) {
    const tok = t[k]!;
    if (tok.kind !== 'word' || t[k - 1]?.text === '.') continue;
    const next = t[k + 1];
    if (tok.text === 'import') {
      if (next?.text === '(' && t[k + 2]?.kind === 'string' && t[k + 3]?.text === ')')
        found.push({ spec: t[k + 2]!.text, line: t[k + 2]!.line });
      else if (next?.kind === 'string') found.push({ spec: next.text, line: next.line });
      else if (next && next.text !== '.' && next.text !== '(') untilFrom(k + 1);
    } else if (tok.text === 'export') {
      const after = next?.text === 'type' ? t[k + 2] : next;
      if (after?.text === '{' || after?.text === '*') untilFrom(k + 1);
    }
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const rel = (path: string) => relative(ROOT, path);

function readGraph(): { files: string[]; imports: Import[]; unresolved: string[] } {
  const files = sourceFiles(SCRIPTS).map(rel).sort();
  const imports: Import[] = [];
  const unresolved: string[] = [];
  for (const file of files) {
    for (const { spec, line } of importSpecifiers(readFileSync(join(ROOT, file), 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = resolve(ROOT, dirname(file), spec).replace(/\.js$/, '.ts');
      if (!existsSync(target)) unresolved.push(`${file}:${line}: ${spec}`);
      else imports.push({ from: file, to: rel(target), line });
    }
  }
  return { files, imports, unresolved };
}

/** `scripts/<folder>/…` → the folder; undefined for a file directly in scripts/. */
function folderOf(file: string): string | undefined {
  const parts = file.split('/');
  return parts.length > 2 ? parts[1] : undefined;
}

const LAYER_OF = new Map(LAYERS.flatMap(({ folders }, n) => folders.map((f) => [f, n] as const)));

/** Every cycle's files in order, one loop per strongly connected group (Tarjan). */
function cycles(files: string[], imports: Import[]): string[][] {
  const next = new Map<string, Set<string>>(files.map((f) => [f, new Set()]));
  for (const i of imports) next.get(i.from)?.add(i.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (v: string) => {
    index.set(v, index.size);
    low.set(v, index.get(v)!);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1 || next.get(v)?.has(v)) groups.push(group);
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  // One shortest loop through each group, for the message: from its first file back to it.
  return groups.map((group) => {
    const inGroup = new Set(group);
    const start = [...group].sort()[0]!;
    const cameFrom = new Map<string, string>();
    const queue = [start];
    while (queue.length > 0) {
      const at = queue.shift()!;
      for (const w of [...(next.get(at) ?? [])].sort()) {
        if (!inGroup.has(w) || cameFrom.has(w)) continue;
        cameFrom.set(w, at);
        if (w === start) queue.length = 0;
        else queue.push(w);
      }
    }
    const loop = [start];
    for (let at = cameFrom.get(start)!; at !== start; at = cameFrom.get(at)!) loop.unshift(at);
    return [start, ...loop];
  });
}

describe('scripts/ layers', () => {
  const { files, imports, unresolved } = readGraph();

  it('reads import statements of every kind', () => {
    const src = [
      "import a from './a.js';",
      "import type { B } from '../b.js';",
      "import {\n  c,\n  type D,\n} from './c.js';",
      "export { e } from './e.js';",
      "export type * from './f.js';",
      "const g = await import('./g.js');",
      "import './side.js';",
      'const s = \'import x from "./not.js"\';',
      '// import y from "./comment.js";',
      // A template literal: code inside its placeholder counts, its text does not.
      `const t = \`$\{await import('./h.js')} import('./no.js')\`;`,
      "const r = /from '.\\/re.js'/;",
      'const u = import.meta.url;',
      "export const v = 'from';",
    ].join('\n');
    expect(importSpecifiers(src).map((i) => i.spec)).toEqual([
      './a.js',
      '../b.js',
      './c.js',
      './e.js',
      './f.js',
      './g.js',
      './side.js',
      './h.js',
    ]);
  });

  it('finds the files and resolves every relative import', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(imports.length).toBeGreaterThan(500);
    expect(unresolved).toEqual([]);
  });

  it('places every folder of scripts/ in exactly one layer', () => {
    const placed = LAYERS.flatMap((l) => l.folders);
    expect(new Set(placed).size).toBe(placed.length);
    const folders = [...new Set(files.map((f) => folderOf(f) ?? `(${f} is directly in scripts/)`))].sort();
    expect(folders.filter((f) => !LAYER_OF.has(f))).toEqual([]);
    expect(placed.filter((f) => !folders.includes(f))).toEqual([]);
  });

  it('has no import from a lower layer up to a higher one', () => {
    const upward = imports
      .filter((i) => LAYER_OF.get(folderOf(i.from)!)! < LAYER_OF.get(folderOf(i.to)!)!)
      .map((i) => {
        const [a, b] = [i.from, i.to].map((f) => `${LAYERS[LAYER_OF.get(folderOf(f)!)!]!.name}`);
        return `${i.from}:${i.line} (${a}) imports ${i.to} (${b})`;
      });
    expect(upward, `upward imports:\n${upward.join('\n')}`).toEqual([]);
  });

  it('has no import cycle between files', () => {
    const loops = cycles(files, imports).map((loop) => loop.join('\n  -> '));
    expect(loops, `import cycles:\n${loops.join('\n\n')}`).toEqual([]);
  });
});
