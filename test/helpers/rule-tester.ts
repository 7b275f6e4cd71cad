// Table tests for one rule, in ESLint's RuleTester shape: valid code reports nothing; each
// invalid case states every report's messageId, line and column, and the fixed output.
import { describe, expect, it } from 'vitest';
import { runRules } from '../../scripts/lint/engine.js';
import { optionProblems } from '../../scripts/lint/rule-options.js';
import type { Diagnostic, Fix, Rule, Severity } from '../../scripts/lint/types.js';
import { parseNix } from '../../scripts/nix-ast/parser.js';

export interface ValidCase {
  code: string;
  name?: string;
  options?: Record<string, unknown>;
  /** Path the file is linted as (some rules look at it). */
  path?: string;
}

export interface ExpectedReport {
  messageId: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Substring the message must contain. */
  message?: string;
  /**
   * The report's severity when the rule runs at `error` (its default in these tables): `error`
   * for a certain report, `warning` for a heuristic one (the severity contract).
   */
  severity?: Severity;
}

export interface InvalidCase extends ValidCase {
  errors: ExpectedReport[];
  /** The code after applying every fix; omit when the rule offers none. */
  output?: string;
}

export async function lintWithRule(
  id: string,
  rule: Rule,
  code: string,
  options?: Record<string, unknown>,
  path = 'test.nix',
): Promise<Diagnostic[]> {
  // As ESLint's RuleTester: options the rule's meta.schema does not allow are a broken test.
  const problems = options ? optionProblems(id, rule, options, '/options', 'all') : [];
  if (problems.length > 0)
    throw new Error(
      `options do not match the schema of ${id}: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
    );
  const tree = await parseNix(code);
  try {
    if (tree.rootNode.hasError) throw new Error(`test case does not parse:\n${code}`);
    return runRules({ path, source: code, tree, root: tree.rootNode }, [
      { id, rule, severity: 'error', options },
    ]);
  } finally {
    tree.delete();
  }
}

export function applyFixes(code: string, fixes: Fix[]): string {
  const sorted = [...fixes].sort((a, b) => b.start - a.start);
  let out = code;
  let limit = Number.POSITIVE_INFINITY;
  for (const f of sorted) {
    if (f.end > limit) continue; // overlapping fixes: keep the later one, as ESLint does per pass
    out = out.slice(0, f.start) + f.text + out.slice(f.end);
    limit = f.start;
  }
  return out;
}

/**
 * The table tests of one rule: each invalid case's reports by messageId (the id the rule
 * reported, which the engine checks against meta.messages), line and column, then the fixes.
 */
export function ruleTester(
  id: string,
  rule: Rule,
  cases: { valid: (string | ValidCase)[]; invalid: InvalidCase[] },
) {
  describe(id, () => {
    for (const [i, raw] of cases.valid.entries()) {
      const c = typeof raw === 'string' ? { code: raw } : raw;
      it(`valid #${i + 1}${c.name ? `: ${c.name}` : ''}`, async () => {
        const found = await lintWithRule(id, rule, c.code, c.options, c.path);
        expect(found.map((d) => `${d.line}:${d.column} ${d.message}`)).toEqual([]);
      });
    }
    for (const [i, c] of cases.invalid.entries()) {
      it(`invalid #${i + 1}${c.name ? `: ${c.name}` : ''}`, async () => {
        const found = await lintWithRule(id, rule, c.code, c.options, c.path);
        expect(
          found.map((d) => ({
            messageId: d.messageId,
            line: d.line,
            column: d.column,
            ...(c.errors.some((e) => e.endLine !== undefined) ? { endLine: d.endLine } : {}),
            ...(c.errors.some((e) => e.endColumn !== undefined) ? { endColumn: d.endColumn } : {}),
          })),
        ).toEqual(
          c.errors.map((e) => ({
            messageId: e.messageId,
            line: e.line,
            column: e.column,
            ...(e.endLine !== undefined ? { endLine: e.endLine } : {}),
            ...(e.endColumn !== undefined ? { endColumn: e.endColumn } : {}),
          })),
        );
        for (const [j, e] of c.errors.entries()) {
          if (e.message) expect(found[j]?.message).toContain(e.message);
          if (e.severity) expect(found[j]?.severity, `severity of report ${j + 1}`).toBe(e.severity);
        }
        const fixes = found.flatMap((d) => (d.fix ? [d.fix] : []));
        if (c.output !== undefined) expect(applyFixes(c.code, fixes)).toBe(c.output);
        else expect(fixes).toEqual([]);
      });
    }
  });
}
