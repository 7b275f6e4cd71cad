// Every built-in rule, by id. One file per rule; the id is the file name.
import type { Rule } from '../types.js';
import boolComparison from './bool-comparison.js';
import boolSimplification from './bool-simplification.js';
import deprecatedToPath from './deprecated-to-path.js';
import duplicateAttribute from './duplicate-attribute.js';
import emptyInherit from './empty-inherit.js';
import emptyLet from './empty-let.js';
import emptyPattern from './empty-pattern.js';
import etaReduction from './eta-reduction.js';
import gpuDriver from './gpu-driver.js';
import importsConfig from './imports-config.js';
import impureAbsolutePath from './impure-absolute-path.js';
import impureBuiltin from './impure-builtin.js';
import impureLookupPath from './impure-lookup-path.js';
import legacyLet from './legacy-let.js';
import manualInherit from './manual-inherit.js';
import renamedOption from './renamed-option.js';
import secretInStore from './secret-in-store.js';
import serviceAdminUser from './service-admin-user.js';
import stateVersion from './state-version.js';
import systemdExecCommand from './systemd-exec-command.js';
import unknownOption from './unknown-option.js';
import unknownOptionNamespace from './unknown-option-namespace.js';
import unpinnedFetch from './unpinned-fetch.js';
import unusedArgument from './unused-argument.js';
import unusedBinding from './unused-binding.js';
import uselessParens from './useless-parens.js';

export const rules: Record<string, Rule> = {
  'bool-comparison': boolComparison,
  'bool-simplification': boolSimplification,
  'deprecated-to-path': deprecatedToPath,
  'duplicate-attribute': duplicateAttribute,
  'empty-inherit': emptyInherit,
  'empty-let': emptyLet,
  'empty-pattern': emptyPattern,
  'eta-reduction': etaReduction,
  'gpu-driver': gpuDriver,
  'impure-absolute-path': impureAbsolutePath,
  'impure-builtin': impureBuiltin,
  'impure-lookup-path': impureLookupPath,
  'imports-config': importsConfig,
  'legacy-let': legacyLet,
  'manual-inherit': manualInherit,
  'secret-in-store': secretInStore,
  'service-admin-user': serviceAdminUser,
  'state-version': stateVersion,
  'systemd-exec-command': systemdExecCommand,
  'renamed-option': renamedOption,
  'unknown-option': unknownOption,
  'unknown-option-namespace': unknownOptionNamespace,
  'unpinned-fetch': unpinnedFetch,
  'unused-argument': unusedArgument,
  'unused-binding': unusedBinding,
  'useless-parens': uselessParens,
};

/**
 * The rules that know NixOS (modules, options, units) rather than Nix alone: what the bench
 * weighs against the rest of the lint.
 */
export const NIXOS_RULE_IDS: readonly string[] = [
  'gpu-driver',
  'imports-config',
  'renamed-option',
  'service-admin-user',
  'state-version',
  'systemd-exec-command',
  'unknown-option',
  'unknown-option-namespace',
];

/** Ids the engine itself reports (not rules with visitors). */
export const ENGINE_RULES = {
  'syntax-error': 'The file is not valid Nix (confirmed by nix-instantiate --parse where Nix is installed).',
  'lint-suppression': 'An inline suppression comment without a reason, or one that suppresses nothing.',
  'unreadable-file': 'The file could not be linted as Nix text: unreadable, binary, not UTF-8, or too large.',
  'ignored-file':
    'A path named on the command line is ignored by lint.ignore in tappaas.json, so it was not linted.',
} as const;
