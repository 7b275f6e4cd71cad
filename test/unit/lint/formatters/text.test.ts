import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../../scripts/lint/engine.js';
import type { FormatOptions } from '../../../../scripts/lint/formatters/options.js';
import { codeFrame, formatText } from '../../../../scripts/lint/formatters/text.js';
import boolComparison from '../../../../scripts/lint/rules/bool-comparison.js';
import type { Diagnostic } from '../../../../scripts/lint/types.js';
import { painter, printable, shouldColor } from '../../../../scripts/term/colors.js';

// One known rule, so that new rules in the registry do not change these outputs.
const only = { rules: { 'bool-comparison': boolComparison } };

const source = '{ x }: {\n  a = x == true;\n  b = 1;\n}\n';
const base: FormatOptions = { cwd: '/r', root: '/r', color: false, version: '0.1.0' };

function diag(over: Partial<Diagnostic>): Diagnostic {
  return {
    file: 'a.nix',
    line: 2,
    column: 7,
    endLine: 2,
    endColumn: 16,
    rule: 'bool-comparison',
    severity: 'warning',
    message: 'Comparison with `== true` is redundant: use `x`.',
    ...over,
  };
}

describe('text formatter', () => {
  it('prints a code frame with the range underlined, the fix and a summary with fixable count', async () => {
    const diagnostics = await lintSource('a.nix', source, only);
    const out = formatText({ files: 1, diagnostics }, { ...base, sources: new Map([['a.nix', source]]) });
    expect(out).toBe(
      [
        'a.nix:2:7 warning Comparison with `== true` is redundant: use `x`. [bool-comparison]',
        '  1 | { x }: {',
        '> 2 |   a = x == true;',
        '    |       ^^^^^^^^^',
        '  fix: replace `x == true` with `x` (tappaas lint --fix)',
        '',
        '⚠ 1 file linted: 0 errors, 1 warning (1 fixable with `tappaas lint --fix`)',
        '',
      ].join('\n'),
    );
  });

  it('says clearly when there is nothing to report', () => {
    expect(formatText({ files: 3, diagnostics: [] }, base)).toBe('✔ 3 files linted: no problems found\n');
    expect(formatText({ files: 1, diagnostics: [] }, base)).toBe('✔ 1 file linted: no problems found\n');
  });

  it('counts errors first and shows help lines; no frame without the source', () => {
    const out = formatText(
      {
        files: 2,
        diagnostics: [diag({ severity: 'error', help: 'Use `x` itself.' }), diag({ severity: 'info' })],
      },
      base,
    );
    expect(out).toContain('a.nix:2:7 error Comparison');
    expect(out).toContain('  help: Use `x` itself.');
    expect(out).not.toContain('|');
    expect(out.trimEnd().split('\n').at(-1)).toBe('✖ 2 files linted: 1 error, 0 warnings, 1 info');
  });

  it('colors only when told to', () => {
    const d = diag({ severity: 'error' });
    expect(formatText({ files: 1, diagnostics: [d] }, base)).not.toContain('\x1b[');
    const colored = formatText({ files: 1, diagnostics: [d] }, { ...base, color: true });
    expect(colored).toContain('\x1b[31merror\x1b[39m');
  });

  it('reports what --fix did', () => {
    const out = formatText(
      { files: 1, diagnostics: [] },
      { ...base, fixed: { fixes: 3, files: 2, skipped: ['b.nix'] } },
    );
    expect(out).toContain('Fixed 3 problems in 2 files.');
    expect(out).toContain('Not fixed: b.nix has a syntax error');
  });
});

describe('code frame', () => {
  const paint = painter(false);
  const lines = ['let', '  a = {', '    b = 1;', '    c = 2;', '    d = 3;', '    e = 4;', '  };', 'in a'];

  it('underlines each line of a multi-line range from its indentation, the last to its end column', () => {
    const frame = codeFrame(lines, diag({ line: 2, column: 7, endLine: 3, endColumn: 10 }), paint);
    expect(frame).toEqual([
      '  1 | let',
      '> 2 |   a = {',
      '    |       ^',
      '> 3 |     b = 1;',
      '    |     ^^^^^',
    ]);
  });

  it('folds a long range into its first lines and its last', () => {
    const frame = codeFrame(lines, diag({ line: 2, column: 7, endLine: 7, endColumn: 4 }), paint);
    expect(frame.filter((l) => l.startsWith('>')).map((l) => l.slice(2, 3))).toEqual(['2', '3', '4', '7']);
    expect(frame).toContain('  … |');
  });

  it('stops at the line break when a range ends at column 1', () => {
    const frame = codeFrame(lines, diag({ line: 3, column: 5, endLine: 4, endColumn: 1 }), paint);
    expect(frame).toEqual(['  2 |   a = {', '> 3 |     b = 1;', '    |     ^^^^^^']);
  });

  it('marks a zero-width range with one caret and survives a position past the end', () => {
    expect(codeFrame(['{ a = 1 }'], diag({ line: 1, column: 8, endLine: 1, endColumn: 8 }), paint)).toEqual([
      '> 1 | { a = 1 }',
      '    |        ^',
    ]);
    expect(codeFrame(['x'], diag({ line: 5, endLine: 5 }), paint)).toEqual([]);
  });

  it('never prints control characters from the file', () => {
    expect(printable('a\x1b[2Jb\tc')).toBe('a\uFFFD[2Jb c');
    const frame = codeFrame(
      ['x = "\x1b]0;pwned\x07";'],
      diag({ line: 1, column: 1, endLine: 1, endColumn: 2 }),
      paint,
    );
    expect(frame.join('\n')).not.toMatch(/[\x1b\x07]/);
  });
});

describe('color decision', () => {
  it('follows flags, then FORCE_COLOR, then NO_COLOR, then the terminal', () => {
    expect(shouldColor({ flag: false, env: { FORCE_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(shouldColor({ flag: true, env: { NO_COLOR: '1' }, isTTY: false })).toBe(true);
    expect(shouldColor({ flag: undefined, env: { FORCE_COLOR: '1', NO_COLOR: '1' }, isTTY: false })).toBe(
      true,
    );
    expect(shouldColor({ flag: undefined, env: { FORCE_COLOR: '0' }, isTTY: true })).toBe(false);
    expect(shouldColor({ flag: undefined, env: { NO_COLOR: '1' }, isTTY: true })).toBe(false);
    expect(shouldColor({ flag: undefined, env: { NO_COLOR: '' }, isTTY: true })).toBe(true);
    expect(shouldColor({ flag: undefined, env: { TERM: 'dumb' }, isTTY: true })).toBe(false);
    expect(shouldColor({ flag: undefined, env: {}, isTTY: false })).toBe(false);
  });
});
