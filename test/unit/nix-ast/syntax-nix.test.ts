// The nix-instantiate adapter: reading Nix's messages across versions, byte columns, the
// pipe-operator feature, and the honest fallback when Nix is not installed.
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import {
  byteColumnToUtf16,
  nixInstantiateChecker,
  parseArgv,
  pipeFeatureFor,
  readNixError,
} from '../../../scripts/nix-ast/nix-parse.js';

describe('readNixError', () => {
  it('reads Nix 2.8 (position on its own line)', () => {
    const stderr = [
      "error: syntax error, unexpected '}', expecting ';'",
      '',
      '       at «stdin»:2:9:',
      '',
      '            1| {',
      '            2|   a = 1 }',
      '             |         ^',
    ].join('\n');
    expect(readNixError(stderr, '{\n  a = 1 }')).toEqual({
      kind: 'invalid',
      message: "syntax error, unexpected '}', expecting ';'",
      line: 2,
      column: 9,
    });
  });

  it('reads current Nix (colours, warnings first, `expecting` lists)', () => {
    const stderr =
      "warning: unknown setting 'foo'\n\x1b[31;1merror:\x1b[0m syntax error, unexpected end of file, expecting '\"'\n       at \x1b[35;1m«stdin»:1:2\x1b[0m:\n";
    expect(readNixError(stderr, '"abc')).toEqual({
      kind: 'invalid',
      message: "syntax error, unexpected end of file, expecting '\"'",
      line: 1,
      column: 2,
    });
  });

  it('reads Nix 2.3 (position appended to the message)', () => {
    expect(
      readNixError('error: syntax error, unexpected $end, at (string):3:1\n', 'let\n x = 1;\nin'),
    ).toEqual({
      kind: 'invalid',
      message: 'syntax error, unexpected $end',
      line: 3,
      column: 1,
    });
  });

  it('takes the error position, not a position quoted inside the message', () => {
    const stderr = "error: attribute 'a' already defined at (string):1:3\n\n       at «stdin»:1:10:\n";
    expect(readNixError(stderr, '{ a = 1; a = 2; }')).toMatchObject({
      kind: 'invalid',
      message: "attribute 'a' already defined at (string):1:3",
      line: 1,
      column: 10,
    });
  });

  it('counts an undefined variable as valid syntax (variables are bound after parsing)', () => {
    expect(readNixError("error: undefined variable 'x'\n\n       at «stdin»:1:1:\n", 'x')).toEqual({
      kind: 'valid',
    });
  });

  it('gives no verdict for an error that is not about the input', () => {
    expect(
      readNixError('error: cannot connect to socket at /nix/var/nix/daemon-socket/socket\n', '1'),
    ).toEqual({
      kind: 'unknown',
      reason: 'cannot connect to socket at /nix/var/nix/daemon-socket/socket',
      missing: false,
    });
  });
});

describe('columns and features', () => {
  it('turns Nix byte columns into UTF-16 columns', () => {
    expect(byteColumnToUtf16('"éé" +', 1, 8)).toBe(6);
    expect(byteColumnToUtf16('x\n"🎉" +', 2, 8)).toBe(6);
    expect(byteColumnToUtf16('abc', 1, 2)).toBe(2);
  });

  it('names the pipe feature only to a Nix that has it', () => {
    expect(pipeFeatureFor('nix-instantiate (Nix) 2.8.0')).toBeUndefined();
    expect(pipeFeatureFor('nix-instantiate (Nix) 2.24.9')).toBe('pipe-operators');
    expect(pipeFeatureFor('nix-instantiate (Nix) 2.31.2')).toBe('pipe-operators');
    expect(pipeFeatureFor('nix-instantiate (Lix, like Nix) 2.91.1')).toBe('pipe-operator');
    expect(pipeFeatureFor('nix-instantiate (Lix, like Nix) 2.90.0')).toBeUndefined();
    expect(parseArgv(undefined)).toEqual(['--parse', '-']);
    expect(parseArgv('pipe-operators')).toEqual([
      '--extra-experimental-features',
      'pipe-operators',
      '--parse',
      '-',
    ]);
  });

  it('asks the installed nix-instantiate, whose version it reports', async () => {
    const checker = nixInstantiateChecker();
    expect(await checker.version()).toMatch(/^nix-instantiate \(.*\) \d+\.\d+/);
    expect(await checker.check('{ a, }: a')).toEqual({ kind: 'valid' });
    expect(await checker.check('{ a = 1 }')).toMatchObject({ kind: 'invalid', line: 1, column: 9 });
  });
});

describe('without nix-instantiate', () => {
  // A program name that is on no PATH: what a machine without Nix looks like to the adapter.
  const absent = () => nixInstantiateChecker({ program: 'nix-instantiate-not-installed' });

  it('a known gap is a warning, "valid in Nix but not confirmed", and rules still run', async () => {
    const notes: string[] = [];
    const found = await lintSource('m.nix', '{ a, b, }:\n{ c = a == true; d = b; }\n', {
      nixChecker: absent(),
      onNote: (t) => notes.push(t),
    });
    expect(found.map((d) => [d.rule, d.severity, d.line, d.column])).toEqual([
      ['syntax-error', 'warning', 1, 7],
      ['bool-comparison', 'warning', 2, 7],
    ]);
    expect(found[0]!.message).toBe(
      'a trailing comma in a function’s formals (`{ a, b, }:`) is valid in Nix but not confirmed: nix-instantiate-not-installed not found',
    );
    expect(notes).toHaveLength(1);
    expect(notes[0]).toContain('not found');
  });

  it('an empty inherit alone is a warning too', async () => {
    const found = await lintSource('i.nix', '{ inherit; a = 1; }', { nixChecker: absent() });
    expect(found.filter((d) => d.rule === 'syntax-error').map((d) => d.severity)).toEqual(['warning']);
  });

  it('any other tree-sitter error is one syntax error that says Nix did not confirm it', async () => {
    const found = await lintSource('bad.nix', '{ a, b, }:\n{ c = ; }', { nixChecker: absent() });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ rule: 'syntax-error', severity: 'error', line: 2 });
    expect(found[0]!.message).toContain('not confirmed by Nix: nix-instantiate-not-installed not found');
  });

  it('an empty file is still an error', async () => {
    const found = await lintSource('e.nix', '', { nixChecker: absent() });
    expect(found).toMatchObject([{ rule: 'syntax-error', severity: 'error', line: 1, column: 1 }]);
  });

  it('a file tree-sitter parses cleanly never asks for Nix', async () => {
    const notes: string[] = [];
    const found = await lintSource('ok.nix', '{ a = 1; }', {
      nixChecker: absent(),
      onNote: (t) => notes.push(t),
    });
    expect(found).toEqual([]);
    expect(notes).toEqual([]);
  });
});
