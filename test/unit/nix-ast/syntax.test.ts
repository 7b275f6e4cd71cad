// Truth on syntax comes from Nix: every file of the grammar corpus is accepted by real
// `nix-instantiate --parse` and gets no syntax error from the linter; invalid snippets get
// exactly one syntax error, where Nix puts it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintSource } from '../../../scripts/lint/engine.js';
import { applyGaps, findGaps } from '../../../scripts/nix-ast/gaps.js';
import { defaultNixChecker, pipeFeatureFor } from '../../../scripts/nix-ast/nix-parse.js';

const CORPUS = join(import.meta.dirname, '../../fixtures/grammar');
const corpus = readdirSync(CORPUS)
  .filter((f) => f.endsWith('.nix'))
  .sort();

function nixVersion(): string {
  return spawnSync('nix-instantiate', ['--version'], { encoding: 'utf8' }).stdout.trim();
}

/** Real Nix on a text: exit status and the position it reports (bytes, as Nix counts). */
function nixParse(text: string, extra: string[] = []) {
  const r = spawnSync('nix-instantiate', [...extra, '--parse', '-'], { input: text, encoding: 'utf8' });
  const pos = /at «stdin»:(\d+):(\d+)/.exec(r.stderr);
  if (!pos) return { ok: r.status === 0, stderr: r.stderr };
  const line = Number(pos[1]);
  // Nix counts bytes; the linter counts UTF-16 code units.
  const lineText = text.split('\n')[line - 1] ?? '';
  const column =
    Buffer.from(lineText)
      .subarray(0, Number(pos[2]) - 1)
      .toString().length + 1;
  return { ok: r.status === 0, stderr: r.stderr, line, column };
}

describe('grammar corpus (test/fixtures/grammar)', () => {
  it('covers the grammar in a dozen files or more', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of corpus) {
    const source = readFileSync(join(CORPUS, name), 'utf8');
    const usesPipes = findGaps(source).some((g) => g.kind === 'pipe-operator');

    it(`${name} is accepted by nix-instantiate --parse`, () => {
      const feature = pipeFeatureFor(nixVersion());
      // A Nix without pipe operators is shown the file with pipes rewritten to `->`.
      const r = usesPipes
        ? feature
          ? nixParse(source, ['--extra-experimental-features', feature])
          : nixParse(
              applyGaps(
                source,
                findGaps(source).filter((g) => g.kind === 'pipe-operator'),
              ),
            )
        : nixParse(source);
      expect(r.stderr).toBe('');
      expect(r.ok).toBe(true);
    });

    it(`${name} gets no syntax error from lintSource`, async () => {
      const found = await lintSource(name, source);
      const syntax = found.filter((d) => d.rule === 'syntax-error');
      expect(syntax.filter((d) => d.severity === 'error')).toEqual([]);
      if (usesPipes && !(await defaultNixChecker().supportsPipes())) {
        // Nix 2.8 cannot confirm pipes: one honest warning, never an error.
        expect(syntax).toHaveLength(1);
        expect(syntax[0]).toMatchObject({ severity: 'warning', line: 7, column: 15 });
        expect(syntax[0]!.message).toContain('pipe operators are not confirmed');
      } else {
        expect(syntax).toEqual([]);
      }
    });
  }
});

interface InvalidCase {
  code: string;
  /** The line Nix reports (the column is taken from Nix's own output). */
  line: number;
  message: string;
}

const invalid: InvalidCase[] = [
  { code: '{ a = 1 }', line: 1, message: "unexpected '}', expecting ';'" },
  { code: '{ a = 1; } }', line: 1, message: "unexpected '}'" },
  { code: 'let\n  x = 1;\nin', line: 3, message: 'unexpected end of file' },
  { code: '[ -1 -2 ]', line: 1, message: "unexpected '-'" },
  { code: '"unterminated', line: 1, message: 'syntax error' },
  { code: '{ a = 1; }\n/* unterminated', line: 2, message: 'syntax error' },
  // A known gap (the trailing comma) and a real error further on: Nix finds the real one.
  { code: '{\n  a,\n  b,\n}:\n{\n  c = ;\n}', line: 6, message: "unexpected ';'" },
  // The gap rewrite makes this parse for tree-sitter; Nix still rejects `..., }`.
  { code: '{ a, ..., }: a', line: 1, message: "unexpected ','" },
  // Nix counts bytes: `+` is byte 8 but UTF-16 column 6.
  { code: '"éé" +', line: 1, message: 'unexpected end of file' },
  { code: '{ a = "🎉"; b = }', line: 1, message: "unexpected '}'" },
];

describe('invalid Nix: exactly one syntax error, at the place Nix names', () => {
  for (const c of invalid) {
    it(JSON.stringify(c.code), async () => {
      const nix = nixParse(c.code);
      expect(nix.ok).toBe(false);
      expect(nix.line).toBe(c.line);
      if (c.code.startsWith('"éé"')) expect(nix.column).toBe(6);
      const found = await lintSource('bad.nix', c.code);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        rule: 'syntax-error',
        severity: 'error',
        file: 'bad.nix',
        line: c.line,
        column: nix.column,
      });
      expect(found[0]!.message).toContain(c.message);
      expect(found[0]!.help).toContain('nix-instantiate --parse');
    });
  }

  it('an empty file and a comment-only file are not Nix: one error each, saying so', async () => {
    for (const code of ['', '\n\n', '# just a comment\n', '/* only */']) {
      const nix = nixParse(code);
      expect(nix.ok).toBe(false);
      const found = await lintSource('empty.nix', code);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({
        rule: 'syntax-error',
        severity: 'error',
        line: 1,
        column: nix.column,
      });
      expect(found[0]!.message).toContain('no Nix expression in this file');
      expect(found[0]!.help).toContain('{ }');
    }
  });
});

describe('rules still run where a gap was rewritten', () => {
  it('finds a rule problem in a file with trailing commas in formals', async () => {
    const code = '{\n  a,\n  b,\n}:\n{\n  c = a == true;\n  d = b;\n}\n';
    const found = await lintSource('m.nix', code);
    expect(found.map((d) => [d.rule, d.line])).toEqual([['bool-comparison', 6]]);
    expect(found[0]!.fix).toBeDefined();
  });

  it('drops a fix that would copy a rewritten operator, keeping the report', async () => {
    const code = 'x: f: (x |> f) == true\n';
    const found = await lintSource('p.nix', code);
    const rule = found.find((d) => d.rule === 'bool-comparison');
    expect(rule).toBeDefined();
    expect(rule!.fix).toBeUndefined();
  });
});

describe('an empty inherit is left to the empty-inherit rule', () => {
  it('gets its report and its fix, no syntax error', async () => {
    const found = await lintSource('i.nix', '{ inherit; a = 1; }\n');
    expect(found.map((d) => [d.rule, d.line, d.column])).toEqual([['empty-inherit', 1, 3]]);
    expect(found[0]!.fix).toBeDefined();
  });
});
