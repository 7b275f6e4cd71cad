// `tappaas pr-comment --file report.md [--marker plan]`: post a markdown report (the plan) on
// the pull request as ONE comment, edited in place on every later run.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ForgeClient } from '../forge/client.js';
import { forgeConfigFromEnv } from '../forge/config.js';
import { prNumberFromEnv } from '../forge/pr-number.js';
import { ForgeConfigError, ForgeError } from '../forge/types.js';
import { upsertComment } from '../forge/upsert.js';
import { UsageError } from './errors.js';
import type { CommandOptions } from './findings-output.js';

export const prCommentHelp = `Usage: tappaas pr-comment --file FILE [--marker NAME] [--pr N] [--json]

Posts FILE (markdown; "-" reads standard input) as one comment on the pull request, marked
with a hidden <!-- tappaas:NAME --> line; a later run edits that comment instead of adding
another. Works on GitHub and Gitea (Gitea Actions is recognised by GITEA_ACTIONS=true).

Options:
      --file FILE     the comment text
      --marker NAME   which comment to keep up to date (default: plan)
      --pr N          the pull request number (default: from the pull_request event in
                      GITHUB_EVENT_PATH, or GITHUB_REF refs/pull/N/merge|head)
      --json          print {"pr","action","comment":{"id","url"}}

Environment: GITHUB_TOKEN (GitHub) or GITEA_TOKEN (Gitea) or TAPPAAS_FORGE_TOKEN;
GITHUB_REPOSITORY (owner/name); GITHUB_API_URL (GitHub), GITHUB_SERVER_URL or
GITEA_SERVER_URL (Gitea; the API is under /api/v1); TAPPAAS_FORGE=github|gitea and
TAPPAAS_FORGE_API_URL override the detection.

Exit codes: 0 posted, 1 the forge refused or failed, 2 usage or missing settings.`;

/** Comments beyond this are refused by GitHub (65,536 characters); say so before posting. */
const MAX_COMMENT = 65_000;

export async function prCommentCommand(opts: CommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      file: { type: 'string' },
      marker: { type: 'string', default: 'plan' },
      pr: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${prCommentHelp}\n`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  if (!values.file) throw new UsageError('--file is required');
  const env = opts.env ?? process.env;
  let text: string;
  try {
    text =
      values.file === '-' ? readFileSync(0, 'utf8') : readFileSync(resolve(opts.cwd, values.file), 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --file ${values.file}: ${(err as Error).message}`);
  }
  if (text.length > MAX_COMMENT)
    text = `${text.slice(0, MAX_COMMENT)}\n\n… (cut: the report has ${text.length} characters; the full one is in the job log)\n`;
  let pr: number | undefined;
  if (values.pr !== undefined) {
    if (!/^[1-9]\d*$/.test(values.pr))
      throw new UsageError(`--pr ${JSON.stringify(values.pr)} is not a pull request number`);
    pr = Number(values.pr);
  } else pr = prNumberFromEnv(env);
  if (!pr)
    throw new UsageError(
      'no pull request: give --pr N, or run in a pull_request workflow (GITHUB_EVENT_PATH / GITHUB_REF refs/pull/N/…)',
    );
  let client: ForgeClient;
  try {
    client = new ForgeClient(forgeConfigFromEnv(env), {
      onRetry: (t) => opts.stderr(`tappaas pr-comment: ${t}\n`),
    });
  } catch (err) {
    if (err instanceof ForgeConfigError) throw new UsageError(err.message);
    throw err;
  }
  try {
    const r = await upsertComment(client, pr, values.marker!, text);
    if (values.json)
      opts.stdout(
        `${JSON.stringify({ pr, action: r.action, comment: { id: r.comment.id, url: r.comment.url } })}\n`,
      );
    else
      opts.stdout(
        `tappaas pr-comment: ${r.action} comment ${r.comment.url || `#${r.comment.id}`} on pull request #${pr}\n`,
      );
    return 0;
  } catch (err) {
    if (err instanceof ForgeError) {
      opts.stderr(`tappaas pr-comment: ${err.message}\n`);
      return 1;
    }
    if (err instanceof Error && /^marker name/.test(err.message)) throw new UsageError(err.message);
    throw err;
  }
}
