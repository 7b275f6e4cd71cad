// STYLE.md habit 2: the fast walk must call the same visitors, on the same nodes, in the same
// order as the naive recursive walk, whatever kinds the rules listen to.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Tree } from 'web-tree-sitter';
import { type Dispatch, mergeVisitors, timedVisitors, walk, walkNaive } from '../../../scripts/lint/walk.js';
import { NODE_KINDS } from '../../../scripts/nix-ast/kinds.js';
import { parseNix } from '../../../scripts/nix-ast/parser.js';
import { generateCorpus, moduleFile, prng } from '../../bench/corpus.js';

const HANDWRITTEN: Record<string, string> = {
  empty: '',
  comment: '# only a comment\n',
  grammar: `{ a ? 1, b ? { c = 2; }, ... }@args:
let
  inherit (builtins) map toString;
  inherit args;
  s = "x\${toString a}y\\n";
  i = ''
    line ''\${not} \${s}
  '';
  p = ./foo/\${s}.nix;
  h = ~/x;
  n = <nixpkgs>;
  u = https://example.org;
  r = rec { x = 1; y = x; };
  f = x: y: x + y * 2 - -1;
in
assert a > 0;
with r; {
  "quoted \${s}".x = 1;
  \${s} = 2;
  o = r.x or 3;
  q = r ? x && !false || true -> true;
  l = [ 1 2.5 (f 1 2) { } [ ] ];
  e = if a == 1 then null else a // { };
  z = let in 1;
}
`,
  trailingComma: '{ a, b, }: a\n',
  errors: '{ a = ; b = 2; c = { d = 1 ; }\n',
  missing: 'let x = 1 in { y = x\n',
  garbage: '}}} {{{ let let ; = = "unterminated\n',
  pipe: 'x: x |> f\n',
  nested: `{ config, lib, ... }: { x = lib.mkIf true { a.b.c = [ { d = 1; } ]; }; y = { }: 1; }\n`,
};

/** Records every call as "key start-end" so order and identity are both compared. */
function recorder(keys: readonly string[]): { dispatch: Dispatch; log: string[] } {
  const log: string[] = [];
  const dispatch: Dispatch = new Map();
  for (const key of keys) dispatch.set(key, [(n) => log.push(`${key} ${n.startIndex}-${n.endIndex}`)]);
  return { dispatch, log };
}

const ALL_KEYS = ['Program', 'Program:exit', ...NODE_KINDS.flatMap((k) => [k, `${k}:exit`])];

/** Visitor sets the way rules combine them: all, enter only, exit only, random mixes. */
function keySets(): string[][] {
  const rand = prng(7);
  const sets = [
    ALL_KEYS,
    [...NODE_KINDS],
    NODE_KINDS.map((k) => `${k}:exit`),
    ['binding', 'binding:exit', 'identifier'],
    ['attrset_expression:exit', 'binding', 'string_fragment:exit', 'inherit'],
    ['source_code', 'source_code:exit', 'Program:exit'],
  ];
  for (let i = 0; i < 12; i++) sets.push(ALL_KEYS.filter(() => rand() < 0.2));
  return sets;
}

const tmp = mkdtempSync(join(tmpdir(), 'tappaas-walk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function sources(): Promise<[string, string][]> {
  const rand = prng(3);
  const out: [string, string][] = Object.entries(HANDWRITTEN);
  for (let i = 0; i < 6; i++) out.push([`module${i}`, moduleFile(rand, `m${i}`, 1 + i * 5)]);
  const corpus = generateCorpus(join(tmp, 'fleet'), 60_000, 11);
  for (const f of corpus.files.slice(0, 10)) out.push([f, readFileSync(join(corpus.dir, f), 'utf8')]);
  return out;
}

function both(tree: Tree, keys: string[]): { fast: string[]; naive: string[] } {
  const a = recorder(keys);
  walk(tree, a.dispatch);
  const b = recorder(keys);
  walkNaive(tree, b.dispatch);
  return { fast: a.log, naive: b.log };
}

describe('walk', () => {
  it('equals walkNaive on varied files and visitor sets', async () => {
    let compared = 0;
    for (const [name, source] of await sources()) {
      const tree = await parseNix(source);
      try {
        for (const keys of keySets()) {
          const { fast, naive } = both(tree, keys);
          expect(fast, `${name} with ${keys.length} keys`).toEqual(naive);
          compared += naive.length;
        }
      } finally {
        tree.delete();
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });

  it('takes both paths: C listing for clean trees, the cursor for trees with errors', async () => {
    const clean = await parseNix(HANDWRITTEN.grammar!);
    const broken = await parseNix(HANDWRITTEN.errors!);
    try {
      expect(clean.rootNode.hasError).toBe(false);
      expect(broken.rootNode.hasError).toBe(true);
      // ERROR subtrees are never visited, by either walk.
      const { fast } = both(broken, ALL_KEYS);
      expect(fast.some((l) => l.startsWith('ERROR'))).toBe(false);
      expect(fast.length).toBeGreaterThan(3);
    } finally {
      clean.delete();
      broken.delete();
    }
  });

  it('times rules without changing what they see (timedVisitors)', async () => {
    const tree = await parseNix(HANDWRITTEN.grammar!);
    try {
      const plain = recorder(['binding', 'binding:exit', 'Program']);
      walk(tree, plain.dispatch);
      const timed = recorder([]);
      const times = new Map<string, number>();
      const visitors = timedVisitors(
        'probe',
        () => ({
          binding: (n) => timed.log.push(`binding ${n.startIndex}-${n.endIndex}`),
          'binding:exit': (n) => timed.log.push(`binding:exit ${n.startIndex}-${n.endIndex}`),
          Program: (n) => timed.log.push(`Program ${n.startIndex}-${n.endIndex}`),
        }),
        times,
      );
      walk(tree, mergeVisitors([visitors]));
      expect(timed.log).toEqual(plain.log);
      expect(times.get('probe')).toBeGreaterThan(0);
    } finally {
      tree.delete();
    }
  });

  it('never hands an anonymous token to a visitor of a named kind', async () => {
    const tree = await parseNix('let inherit (x) a; in { inherit a; }\n');
    try {
      const { fast, naive } = both(tree, ['inherit', 'inherit_from']);
      expect(fast).toEqual(naive);
      expect(fast.filter((l) => l.startsWith('inherit ')).length).toBe(1);
    } finally {
      tree.delete();
    }
  });
});
