// Output formats of `tappaas lint`. Each formatter is pure: (result, options) => text; the
// command does all reading and writing. `github` also yields annotations and a job summary,
// which the command hands to @actions/core (see scripts/report/github-actions.ts).
import type { LintResult } from '../types.js';
import { githubReport } from './github.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText } from './text.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export interface FixSummary {
  /** Fixes applied, over all passes. */
  fixes: number;
  files: number;
  /** Files with fixable findings that were left alone because they do not parse. */
  skipped: string[];
}

export interface FormatOptions {
  /** Where the command ran; diagnostic paths are relative to it. */
  cwd: string;
  /** The repository root; SARIF and GitHub name files relative to it. */
  root: string;
  color: boolean;
  /** The toolkit's version, for SARIF's tool.driver. */
  version: string;
  /** File texts by diagnostic path, for code frames. Files missing here get no frame. */
  sources?: ReadonlyMap<string, string>;
  /** What `--fix` did, when it ran. */
  fixed?: FixSummary;
  /**
   * Web address of the repository's files at the commit linted, for links in the job
   * summary: `<base>/<repo-relative path>#L<line>`.
   */
  fileLinkBase?: string;
}

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
