// `tappaas check`: the repository-level gate. Structure of the fleet (hosts and hardware
// files paired, names, roles, imports, the flake's hosts) plus the lint of the fleet, for the
// work tree or a revision; with --from, only what the change introduced (a ratchet) and the
// checks that need two trees (a changed system.stateVersion).
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type FleetSnapshot, snapshot } from '../check/snapshot.js';
import { loadConfig } from '../config/file.js';
import { fleetLayout } from '../config/fleet.js';
import {
  introduced,
  STATE_VERSION_TRAILER,
  stateVersionAllowance,
  stateVersionChanges,
} from '../fleet/ratchet.js';
import {
  commitMessages,
  configAt,
  revisionSource,
  type TreeSource,
  workTreeSource,
} from '../fleet/source.js';
import { repoRoot } from '../git/repo-root.js';
import { resolveCommit } from '../git/revisions.js';
import { displayPath } from '../lint/files.js';
import { checkRuleOptions } from '../lint/rule-options.js';
import type { Diagnostic, LintResult } from '../lint/types.js';
import { UsageError } from './errors.js';
import {
  type CommandOptions,
  OUTPUT_FLAGS,
  outputChoice,
  toolkitVersion,
  writeFindings,
} from './findings-output.js';

export const checkHelp = `Usage: tappaas check [--from REV] [--to REV] [options]

Checks the fleet as a whole: the structure (every host in nix/hosts/<h>.nix has
nix/hardware/<h>-hw.nix and the reverse; host names are lower-case RFC 1123 labels, unique
ignoring case, equal to a literal networking.hostName; each host enables exactly one
tappaas.roles.<role>; every .nix file of the fleet is imported; flake.nix builds exactly the
hosts of nix/hosts/) plus the lint of nix/ and flake.nix. Paths come from tappaas.json "fleet".

Options:
      --to REV          check this revision (read from git, nothing is checked out);
                        default: the work tree
      --from REV        report only findings that FROM..TO introduced (matched by file, rule
                        and message, not line), plus changes that need two trees: a changed
                        system.stateVersion is an error unless a commit message in FROM..TO
                        (FROM..HEAD for the work tree) has the trailer
                        "${STATE_VERSION_TRAILER}: <reason>", or tappaas.json at FROM sets
                        fleet.allowStateVersionChange to a reason
  -f, --format FORMAT   text (default), json, sarif or github
      --no-cache        lint every work-tree file again
  -c, --config FILE     tappaas.json to use (default: the nearest one up to the git root)
      --color, --no-color
                        force colors on or off

Exit codes: 0 no errors (warnings allowed), 1 at least one error, 2 usage or internal error.`;

export type CheckCommandOptions = CommandOptions;

export async function checkCommand(opts: CheckCommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      ...OUTPUT_FLAGS,
      'no-cache': { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${checkHelp}\n`);
    return 0;
  }
  if (positionals.length > 0)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[0])}; check takes no paths (use tappaas lint PATH)`,
    );
  const { format, color } = outputChoice(values, opts);

  const root = repoRoot(opts.cwd);
  const { config, file: configFile } = loadConfig(opts.cwd, values.config);
  if (configFile) await checkRuleOptions(config.lint?.rules, configFile);
  const layout = fleetLayout(config.fleet);
  const commit = async (rev: string, flag: string) => {
    const oid = await resolveCommit(root, rev);
    if (!oid)
      throw new UsageError(
        `${flag} ${JSON.stringify(rev)}: no such commit in ${root}; give a branch, tag or commit id`,
      );
    return oid;
  };
  const toCommit = values.to === undefined ? undefined : await commit(values.to, '--to');
  const fromCommit = values.from === undefined ? undefined : await commit(values.from, '--from');
  const note = (text: string) => opts.stderr(`tappaas check: note: ${text}\n`);
  const snapOpts = { root, cwd: opts.cwd, layout, config, cache: !values['no-cache'], onNote: note };

  const headSource: TreeSource = toCommit
    ? revisionSource(root, toCommit, values.to!, layout)
    : workTreeSource(root, layout);
  const sources: TreeSource[] = [headSource];
  let head: FleetSnapshot;
  let diagnostics: Diagnostic[];
  try {
    head = await snapshot(headSource, snapOpts);
    if (head.nixFiles.length === 0)
      throw new UsageError(
        `nothing to check: no .nix file under ${layout.root}/ and no ${layout.flake} in ${headSource.label} (${root}); set "fleet" in tappaas.json if the fleet lives elsewhere`,
      );
    diagnostics = head.diagnostics;
    if (fromCommit) {
      const baseSource = revisionSource(root, fromCommit, values.from!, layout);
      sources.push(baseSource);
      const base = await snapshot(baseSource, { ...snapOpts, cache: false, reuse: head });
      diagnostics = introduced(base.diagnostics, head.diagnostics);
      const changes = stateVersionChanges(base.facts, head.facts);
      if (changes.length > 0) {
        const messages = await commitMessages(root, fromCommit, toCommit ?? 'HEAD');
        const policy = (await configAt(root, fromCommit))?.fleet as Record<string, unknown> | undefined;
        const flag =
          typeof policy?.allowStateVersionChange === 'string' ? policy.allowStateVersionChange.trim() : '';
        const reason = stateVersionAllowance(messages) ?? (flag || undefined);
        if (reason) note(`system.stateVersion change allowed (${reason})`);
        else diagnostics.push(...changes);
      }
    }
  } finally {
    for (const s of sources) s.close();
  }

  const show = (file: string) => displayPath(resolve(root, file), opts.cwd);
  const result: LintResult = {
    files: head.nixFiles.length,
    diagnostics: diagnostics
      .map((d) => ({ ...d, file: show(d.file) }))
      .sort(
        (a, b) =>
          a.file.localeCompare(b.file) ||
          a.line - b.line ||
          a.column - b.column ||
          a.rule.localeCompare(b.rule),
      ),
  };
  const texts = new Map([...head.texts].map(([file, text]) => [show(file), text]));
  const formatOptions = { cwd: opts.cwd, root, color, version: toolkitVersion, sources: texts };
  await writeFindings('tappaas check', result, format, formatOptions, opts);
  return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}
