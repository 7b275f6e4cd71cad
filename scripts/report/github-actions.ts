// Hands a lint report to GitHub Actions through @actions/core. Loaded only for
// `--format github`: @actions/core costs ~0.2 s to import, too much for every git hook.
import type { GithubReport } from '../lint/formatters/github.js';

/**
 * Emits the annotations, and writes the job summary when the runner provides a summary file
 * (GITHUB_STEP_SUMMARY, which @actions/core reads from process.env). Returns a problem to
 * print if the summary could not be written: a missing summary must not fail the lint.
 */
export async function emitToActions(report: GithubReport): Promise<string | undefined> {
  const core = await import('@actions/core');
  for (const a of report.annotations) core[a.kind](a.message, a.properties);
  const env = process.env;
  if (!env.GITHUB_STEP_SUMMARY) return undefined;
  try {
    await core.summary.addRaw(report.summary, true).write();
    return undefined;
  } catch (err) {
    return `could not write the job summary to ${env.GITHUB_STEP_SUMMARY}: ${(err as Error).message}`;
  }
}
