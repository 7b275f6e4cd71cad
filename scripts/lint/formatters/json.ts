import type { LintResult } from '../types.js';

/**
 * The contract of ARCHITECTURE.md: {"files": N, "diagnostics": [...]}, each diagnostic with
 * exactly these keys in this order, 1-based. Internal fields (fix offsets, suggestions) stay out.
 */
export function formatJson(result: LintResult): string {
  const diagnostics = result.diagnostics.map((d) => ({
    file: d.file,
    line: d.line,
    column: d.column,
    endLine: d.endLine,
    endColumn: d.endColumn,
    rule: d.rule,
    severity: d.severity,
    message: d.message,
  }));
  return `${JSON.stringify({ files: result.files, diagnostics }, null, 2)}\n`;
}
