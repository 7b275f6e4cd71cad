// Which options index a lint run uses, decided once per run (cheap: a hash of flake.lock and a
// directory listing), and how it reaches the rules: as options of `unknown-option` in the rule
// settings, so the lint cache key and the worker threads carry it like any setting.
//
// tappaas.json `lint.optionsIndex`:
//   absent or true  the indexes `tappaas options-index` cached for the flake's current revision
//                   (flake.lock hash, else flake.nix hash) in <flake dir>/.tappaas/options/,
//                   the union of every host indexed; none cached: no index
//   "PATH"          an index file, or a folder of them, relative to the repository root
//   false           no index: only the namespace check of unknown-option-namespace
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { CONFIG_NAME, ConfigError } from '../../config/file.js';
import type { RuleSetting, TappaasConfig } from '../../config/types.js';
import { cachedIndexFiles, flakeKey, indexFilesIn } from './cache.js';

export interface IndexLocation {
  files: string[];
  /** Sizes and modification times: a changed file changes the lint cache key. */
  stamp: string;
}

function located(files: string[]): IndexLocation | undefined {
  if (files.length === 0) return undefined;
  const stamp = files
    .map((f) => {
      const st = statSync(f);
      return `${st.size}:${Math.round(st.mtimeMs)}`;
    })
    .join(',');
  return { files, stamp };
}

export function locateOptionsIndex(root: string, config: TappaasConfig): IndexLocation | undefined {
  const setting = config.lint?.optionsIndex;
  if (setting === false) return undefined;
  if (typeof setting === 'string') {
    const path = resolve(root, setting);
    let isDir: boolean;
    try {
      isDir = statSync(path).isDirectory();
    } catch {
      throw new ConfigError(
        join(root, CONFIG_NAME),
        `lint.optionsIndex names ${path}, which does not exist; write it with \`tappaas options-index\` or fix the path`,
      );
    }
    const files = isDir ? indexFilesIn(path) : [path];
    if (files.length === 0)
      throw new ConfigError(
        join(root, CONFIG_NAME),
        `lint.optionsIndex names ${path}, which holds no index (*.json)`,
      );
    return located(files);
  }
  const flakeDir = dirname(join(root, config.fleet?.flake ?? 'flake.nix'));
  const revision = flakeKey(flakeDir);
  return revision ? located(cachedIndexFiles(flakeDir, revision.key)) : undefined;
}

const levelOf = (s: RuleSetting | undefined) => (Array.isArray(s) ? s[0] : s);
const optionsOf = (s: RuleSetting | undefined) => (Array.isArray(s) ? s[1] : undefined);

/**
 * The rule settings with the index handed to `unknown-option` (and `unknown-option-namespace`
 * told to leave unknown names to it). Unchanged without an index or with the rule off.
 */
export function withOptionsIndex(
  settings: Record<string, RuleSetting>,
  index: IndexLocation | undefined,
): Record<string, RuleSetting> {
  const own = settings['unknown-option'];
  if (!index || levelOf(own) === 'off') return settings;
  const out = { ...settings };
  out['unknown-option'] = [
    levelOf(own) ?? 'error',
    { ...optionsOf(own), index: index.files, stamp: index.stamp },
  ];
  const ns = settings['unknown-option-namespace'];
  if (levelOf(ns) !== 'off')
    out['unknown-option-namespace'] = [levelOf(ns) ?? 'error', { ...optionsOf(ns), indexed: true }];
  return out;
}

/** The settings a lint of this repository runs with: tappaas.json's, plus the options index. */
export function lintRuleSettings(root: string, config: TappaasConfig): Record<string, RuleSetting> {
  return withOptionsIndex(config.lint?.rules ?? {}, locateOptionsIndex(root, config));
}
