import type { LintResult } from '../types.js';
import { formatJson } from './json.js';
import { formatText } from './text.js';

export const LINT_FORMATS = ['text', 'json', 'sarif', 'github'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];

export interface FormatOptions {
  cwd: string;
  color: boolean;
}

export async function formatLint(
  format: LintFormat,
  result: LintResult,
  opts: FormatOptions,
): Promise<string> {
  switch (format) {
    case 'json':
      return formatJson(result);
    case 'text':
      return formatText(result, opts);
    default:
      throw new Error(`format ${format} is not built yet`);
  }
}
