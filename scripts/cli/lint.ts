import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../lint/config.js';
import { formatLint, LINT_FORMATS, type LintFormat } from '../lint/formatters/index.js';
import { lintPaths } from '../lint/run.js';
import { UsageError } from './errors.js';
import { repoRoot } from './repo-root.js';

export const lintHelp = `Usage: tappaas lint [PATH...] [--format text|json|sarif|github] [--no-cache] [--config FILE]

Lints Nix files. PATH: files or folders (default: the fleet's nix/ and flake.nix).
Exit codes: 0 no errors, 1 at least one error, 2 usage or internal error.`;

export interface LintCommandOptions {
  cwd: string;
  argv: string[];
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  isTTY: boolean;
}

export async function lintCommand(opts: LintCommandOptions): Promise<number> {
  const { values, positionals } = parseArgs({
    args: opts.argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f', default: 'text' },
      'no-cache': { type: 'boolean', default: false },
      config: { type: 'string', short: 'c' },
      color: { type: 'boolean' },
      'no-color': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    opts.stdout(`${lintHelp}\n`);
    return 0;
  }
  const format = values.format as LintFormat;
  if (!LINT_FORMATS.includes(format)) {
    throw new UsageError(
      `unknown --format ${JSON.stringify(values.format)}; use one of ${LINT_FORMATS.join(', ')}`,
    );
  }
  const root = repoRoot(opts.cwd);
  const { config } = loadConfig(opts.cwd, values.config);
  let paths = positionals;
  if (paths.length === 0) {
    const fleetRoot = config.fleet?.root ?? 'nix';
    const flake = config.fleet?.flake ?? 'flake.nix';
    paths = [fleetRoot, flake].map((p) => join(root, p)).filter((p) => existsSync(p));
    if (paths.length === 0)
      throw new UsageError(`nothing to lint: no ${fleetRoot}/ or ${flake} in ${root}; give a PATH`);
  }
  const showProgress = format === 'text' && opts.isTTY;
  const result = await lintPaths(paths, {
    cwd: opts.cwd,
    root,
    config,
    cache: !values['no-cache'],
    onProgress: showProgress
      ? (done, total, file) => {
          if (total > 50 && done % 25 === 0) opts.stderr(`\r\x1b[2Klinting ${done}/${total} ${file}`);
        }
      : undefined,
  });
  if (showProgress && result.files > 50) opts.stderr('\r\x1b[2K');
  const color = values['no-color'] ? false : (values.color ?? (opts.isTTY && !process.env.NO_COLOR));
  opts.stdout(await formatLint(format, result, { cwd: opts.cwd, color }));
  return result.diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}
