// Output formats of `tappaas lint`. Each formatter is pure: (result, options) => text; the
// command does all reading and writing. `github` also yields annotations and a job summary,
// which the command hands to @actions/core (see scripts/report/github-actions.ts).
import type { LintResult } from '../types.js';
import { githubReport } from './github.js';
import { formatJson } from './json.js';
import type { FormatOptions } from './options.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export function formatLint(format: LintFormat, result: LintResult, opts: FormatOptions): string {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'text':
      return formatText(result, opts);
    case 'sarif':
      return formatSarif(result, opts);
    case 'github':
      return githubReport(result, opts).log;
  }
}
