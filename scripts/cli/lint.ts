// `tappaas lint`: flags in, one lint run (plus --fix passes), one rendering out. All file
// reading and writing around the formatters happens here; the formatters stay pure.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/file.js';
import type { TappaasConfig } from '../config/types.js';
import { repoRoot } from '../git/repo-root.js';
import { missingPaths } from '../lint/files.js';
import { fixSource } from '../lint/fix.js';
import type { FixSummary } from '../lint/formatters/options.js';
import { decodeSource } from '../lint/read-source.js';
import { checkRuleOptions } from '../lint/rule-options.js';
import { DEFAULT_MAX_FILE_BYTES, lintPaths } from '../lint/run.js';
import type { LintResult } from '../lint/types.js';
import { UsageError } from './errors.js';
import {
  type CommandOptions,
  OUTPUT_FLAGS,
  outputChoice,
  toolkitVersion,
  writeFindings,
} from './findings-output.js';

export const lintHelp = `Usage: tappaas lint [PATH...] [options]

Lints Nix files. PATH: files or folders (default: the fleet's nix/ and flake.nix).

Options:
  -f, --format FORMAT   text (default), json, sarif (GitHub code scanning) or github
                        (Actions annotations, job summary and a plain log)
      --fix             apply the safe fixes to the files, then report what remains
      --no-cache        lint every file again instead of reusing unchanged results
  -c, --config FILE     tappaas.json to use (default: the nearest one up to the git root)
      --color, --no-color
                        force colors on or off (default: on a terminal, unless NO_COLOR;
                        FORCE_COLOR forces them)

Exit codes: 0 no errors (warnings allowed), 1 at least one error, 2 usage or internal error.
Rules and their docs: tappaas rules.`;

export type LintCommandOptions = CommandOptions;

export async function lintCommand(opts: LintCommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      ...OUTPUT_FLAGS,
      fix: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${lintHelp}\n`);
    return 0;
  }
  const { format, color } = outputChoice(values, opts);
  const root = repoRoot(opts.cwd);
  const { config, file: configFile } = loadConfig(opts.cwd, values.config);
  if (configFile) await checkRuleOptions(config.lint?.rules, configFile);
  const paths = positionals.length ? positionals : defaultPaths(root, config);
  const missing = missingPaths(positionals, opts.cwd);
  if (missing.length > 0)
    throw new UsageError(
      `no such file or folder: ${missing.join(', ')} (from ${opts.cwd}); give existing paths`,
    );

  const showProgress = format === 'text' && opts.isTTY;
  const lint = () =>
    lintPaths(paths, {
      cwd: opts.cwd,
      root,
      config,
      cache: !values['no-cache'],
      onNote: (text) => opts.stderr(`tappaas lint: note: ${text}\n`),
      onProgress: showProgress
        ? (done, total, file) => {
            if (total > 50 && done % 25 === 0) opts.stderr(`\r\x1b[2Klinting ${done}/${total} ${file}`);
          }
        : undefined,
    });
  let result = await lint();
  let fixed: FixSummary | undefined;
  if (values.fix) {
    fixed = await fixFiles(result, opts.cwd, config);
    if (fixed.fixes > 0) result = await lint();
  }
  if (showProgress && result.files > 50) opts.stderr('\r\x1b[2K');

  const formatOptions = {
    cwd: opts.cwd,
    root,
    color,
    version: toolkitVersion,
    sources: format === 'text' ? readSources(result, opts.cwd) : undefined,
    fixed,
  };
  await writeFindings('tappaas lint', result, format, formatOptions, opts);
  if (fixed && format !== 'text') {
    opts.stderr(`tappaas lint: fixed ${fixed.fixes} problem(s) in ${fixed.files} file(s)\n`);
    for (const file of fixed.skipped) opts.stderr(`tappaas lint: not fixed: ${file} has a syntax error\n`);
  }
  return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

function defaultPaths(root: string, config: TappaasConfig): string[] {
  const fleetRoot = config.fleet?.root ?? 'nix';
  const flake = config.fleet?.flake ?? 'flake.nix';
  const paths = [fleetRoot, flake].map((p) => join(root, p)).filter((p) => existsSync(p));
  if (paths.length === 0)
    throw new UsageError(`nothing to lint: no ${fleetRoot}/ or ${flake} in ${root}; give a PATH`);
  return paths;
}

/** The text of each file that has findings, for code frames. */
function readSources(result: LintResult, cwd: string): Map<string, string> {
  const sources = new Map<string, string>();
  for (const { file, rule } of result.diagnostics) {
    if (sources.has(file) || rule === 'unreadable-file' || rule === 'ignored-file') continue;
    try {
      sources.set(file, readFileSync(resolve(cwd, file), 'utf8'));
    } catch {
      // Gone since the lint: the finding is still shown, without a frame.
    }
  }
  return sources;
}

/** Applies the safe fixes to every file that has one; files that do not parse are left alone. */
async function fixFiles(result: LintResult, cwd: string, config: TappaasConfig): Promise<FixSummary> {
  const summary: FixSummary = { fixes: 0, files: 0, skipped: [] };
  const files = [...new Set(result.diagnostics.filter((d) => d.fix).map((d) => d.file))];
  const maxBytes = config.lint?.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  for (const file of files) {
    const abs = resolve(cwd, file);
    const bytes = readFileSync(abs);
    const read = decodeSource(bytes, maxBytes);
    if (!read.ok) continue;
    const outcome = await fixSource(file, read.text, { ruleSettings: config.lint?.rules ?? {} });
    if (outcome.blocked) summary.skipped.push(file);
    if (outcome.applied === 0 || outcome.output === read.text) continue;
    writeFileSync(abs, restoreBom(bytes, read.text, outcome.output));
    summary.fixes += outcome.applied;
    summary.files++;
  }
  return summary;
}

/**
 * The decoded text has no byte-order mark (TextDecoder drops it, or decodeSource turns it
 * into a space to keep offsets); a fixed file keeps the mark its author saved it with.
 */
function restoreBom(bytes: Buffer, decoded: string, output: string): string {
  const hadBom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
  if (!hadBom || output.startsWith('\uFEFF')) return output;
  const standIn = decoded.startsWith(' ') && bytes[3] !== 0x20;
  return `\uFEFF${standIn && output.startsWith(' ') ? output.slice(1) : output}`;
}
