// The output half shared by `tappaas lint` and `tappaas check`: the format and color flags,
// and writing a result in the chosen format (for `github`, annotations and a job summary
// through @actions/core as well as the plain log).

import { formatLint, LINT_FORMATS, type LintFormat } from '../lint/formatters/index.js';
import type { FormatOptions } from '../lint/formatters/options.js';
import type { LintResult } from '../lint/types.js';
import { shouldColor } from '../term/colors.js';
import { UsageError } from './errors.js';

declare const VERSION: string | undefined;
/** The toolkit's version (set by the build; a dev run from source says so). */
export const toolkitVersion = typeof VERSION === 'string' ? VERSION : '0.0.0-dev';

/** What every command receives from the entry point. */
export interface CommandOptions {
  cwd: string;
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
  env?: Record<string, string | undefined>;
}

/** parseArgs specs of the flags both commands take for their output. */
export const OUTPUT_FLAGS = {
  format: { type: 'string', short: 'f', default: 'text' },
  color: { type: 'boolean' },
  'no-color': { type: 'boolean' },
} as const;

export interface OutputChoice {
  format: LintFormat;
  color: boolean;
}

export function outputChoice(
  values: { format?: string; color?: boolean; 'no-color'?: boolean },
  opts: Pick<CommandOptions, 'isTTY' | 'env'>,
): OutputChoice {
  const format = values.format as LintFormat;
  if (!LINT_FORMATS.includes(format)) {
    throw new UsageError(
      `unknown --format ${JSON.stringify(values.format)}; use one of ${LINT_FORMATS.join(', ')}`,
    );
  }
  if (values.color && values['no-color'])
    throw new UsageError('--color and --no-color contradict each other');
  const color = shouldColor({
    flag: values.color ? true : values['no-color'] ? false : undefined,
    env: opts.env ?? process.env,
    isTTY: opts.isTTY,
  });
  return { format, color };
}

/** Writes the result; `command` names the source of any warning (e.g. `tappaas lint`). */
export async function writeFindings(
  command: string,
  result: LintResult,
  format: LintFormat,
  formatOptions: FormatOptions,
  opts: Pick<CommandOptions, 'stdout' | 'stderr' | 'env'>,
): Promise<void> {
  if (format !== 'github') {
    opts.stdout(formatLint(format, result, formatOptions));
    return;
  }
  const { fileLinkBaseFromEnv, githubReport } = await import('../lint/formatters/github.js');
  const { emitToActions } = await import('../report/github-actions.js');
  const report = githubReport(result, {
    ...formatOptions,
    fileLinkBase: fileLinkBaseFromEnv(opts.env ?? process.env),
  });
  opts.stdout(report.log);
  const problem = await emitToActions(report);
  if (problem) opts.stderr(`${command}: warning: ${problem}\n`);
}
