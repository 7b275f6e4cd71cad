// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Nix source, not templates
// Two passes, one answer: linting with Nix's verdicts deferred and then confirming the marked
// files together gives exactly what linting each file against nix-instantiate gives, notes
// included, with Nix installed or not.
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import type { Diagnostic } from '../../../scripts/lint/types.js';
import {
  confirmDeferred,
  deferredNixChecker,
  hasDeferredVerdict,
} from '../../../scripts/nix-ast/deferred.js';
import { nixBatchChecker } from '../../../scripts/nix-ast/nix-batch.js';
import { type NixInstantiateOptions, nixInstantiateChecker } from '../../../scripts/nix-ast/nix-parse.js';

const FILES: [string, string][] = [
  ['ok.nix', '{ a = 1; }\n'],
  ['gap.nix', '{ a, b, }:\n{ c = a == true; d = b; }\n'],
  ['inherit.nix', '{ inherit; a = 1; }\n'],
  ['bad.nix', '{ a, b, }:\n{ c = ; }'],
  ['list.nix', '{\n  x = [\n    1,\n  ];\n}\n'],
  ['empty.nix', ''],
  ['comment.nix', '# nothing here\n'],
  ['pipes.nix', 'x: f: (x |> f) == true\n'],
  ['free.nix', '{ a, }: { b = a == true; c = zz; }\n'],
  ['utf.nix', '{ a = "é"; }\n"éé" +'],
  ['home.nix', '{ x, }: { y = ~/${x}; z = x == false; }\n'],
];

async function onePass(opts: NixInstantiateOptions) {
  const notes: string[] = [];
  const nixChecker = nixInstantiateChecker(opts);
  const results: Diagnostic[][] = [];
  for (const [file, text] of FILES) {
    results.push(await lintSource(file, text, { nixChecker, onNote: (t) => notes.push(t) }));
  }
  return { results, notes };
}

async function twoPasses(opts: NixInstantiateOptions) {
  const notes: string[] = [];
  const onNote = (t: string) => notes.push(t);
  const results: Diagnostic[][] = [];
  for (const [file, text] of FILES) {
    results.push(await lintSource(file, text, { nixChecker: deferredNixChecker, onNote }));
  }
  const marked = results.filter(hasDeferredVerdict).length;
  const batch = nixBatchChecker(opts);
  const relinted = await confirmDeferred(
    results,
    hasDeferredVerdict,
    (i, nixChecker) => lintSource(FILES[i]![0], FILES[i]![1], { nixChecker, onNote }),
    batch,
  );
  return { results, notes, marked, relinted, runs: batch.runs };
}

describe('confirmDeferred', () => {
  it('with Nix: the same findings and notes as one pass', async () => {
    const one = await onePass({});
    const two = await twoPasses({});
    expect(two.results).toEqual(one.results);
    expect(two.notes).toEqual(one.notes);
    expect(two.results.some(hasDeferredVerdict)).toBe(false);
    // Every file but ok.nix is doubted by tree-sitter; all are linted again.
    expect(two.marked).toBe(FILES.length - 1);
    expect(two.relinted).toBe(two.marked);
  });

  it('without Nix: the same warnings, errors and single note as one pass', async () => {
    const opts = { program: 'nix-instantiate-not-installed' };
    const one = await onePass(opts);
    const two = await twoPasses(opts);
    expect(two.results).toEqual(one.results);
    expect(new Set(two.notes)).toEqual(new Set(one.notes));
    expect(one.notes[0]).toContain('nix-instantiate-not-installed not found');
    expect(two.runs).toBe(0);
  });

  it('leaves results without a mark alone', async () => {
    const results = [[{ rule: 'syntax-error', message: 'syntax error, unexpected end of file' }], []];
    const relinted = await confirmDeferred(results, hasDeferredVerdict, () => {
      throw new Error('nothing to lint again');
    });
    expect(relinted).toBe(0);
  });
});
