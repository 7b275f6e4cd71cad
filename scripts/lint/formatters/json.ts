import type { LintResult } from '../types.js';

/** The contract shape: {"files": N, "diagnostics": [...]} with 1-based positions. */
export function formatJson(result: LintResult): string {
  return `${JSON.stringify({ files: result.files, diagnostics: result.diagnostics }, null, 2)}\n`;
}
