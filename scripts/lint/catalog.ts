// Every id a lint run can report, with its docs: the rules with visitors and the ids the
// engine reports itself. `tappaas rules` prints it and SARIF embeds it, so rule docs are
// generated from the code and never drift from it.
import { FLEET_DOCS } from '../fleet/docs.js';
import { userOptionsSchema } from './rule-options.js';
import { rules as builtinRules, ENGINE_RULES } from './rules/index.js';
import type { Certainty, Rule, RuleDocs, RuleLevel, RuleMeta, RuleOptionsSchema } from './types.js';

export interface RuleInfo {
  id: string;
  /** Reported by the engine itself (no visitors, not configurable in `lint.rules`). */
  engine: boolean;
  type: RuleMeta['type'];
  defaultLevel: RuleLevel;
  /** How sure a report is (the severity contract: only `certain` and `mixed` rules report errors). */
  certainty: Certainty;
  fixable: boolean;
  hasSuggestions: boolean;
  docs: RuleDocs;
  messages: Record<string, string>;
  /** The options tappaas.json may give the rule (a JSON Schema); absent when it takes none. */
  schema?: RuleOptionsSchema;
}

type EngineRuleId = keyof typeof ENGINE_RULES;

// The engine ids carry only a description in the registry; what they mean for a user is here.
// Partial so that a new engine id does not break the build; a unit test demands its docs.
export const ENGINE_DOCS: Partial<Record<EngineRuleId, Omit<RuleInfo, 'id' | 'engine' | 'messages'>>> = {
  'syntax-error': {
    type: 'problem',
    defaultLevel: 'error',
    certainty: 'certain',
    fixable: false,
    hasSuggestions: false,
    docs: {
      description: ENGINE_RULES['syntax-error'],
      why: 'Nix refuses the whole file, so every host that imports it fails to evaluate. Where the tree-sitter grammar doubts, `nix-instantiate --parse` decides, so valid Nix is never reported.',
      bad: '{ networking.hostName = "web1" }',
      good: '{ networking.hostName = "web1"; }',
      certainty:
        "Certain: Nix itself decides (`nix-instantiate --parse`) wherever the grammar doubts. Without Nix, the grammar's known gaps are warnings.",
    },
  },
  'lint-suppression': {
    type: 'suggestion',
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: false,
    hasSuggestions: false,
    docs: {
      description: ENGINE_RULES['lint-suppression'],
      why: 'A suppression without a reason cannot be reviewed, and one that silences nothing hides the next real finding on that line.',
      bad: '# tappaas-lint-disable-next-line bool-comparison\nenable = cfg.enable == true;',
      good: '# tappaas-lint-disable-next-line bool-comparison -- generated code, fixed upstream\nenable = cfg.enable == true;',
      certainty: 'Style: a note about the suppression comment itself.',
    },
  },
  'unreadable-file': {
    type: 'problem',
    defaultLevel: 'error',
    certainty: 'mixed',
    fixable: false,
    hasSuggestions: false,
    docs: {
      description: ENGINE_RULES['unreadable-file'],
      why: 'A `.nix` file that cannot be read as UTF-8 text cannot be checked, and Nix itself will fail on it or read it differently than a reviewer does.',
      bad: '# nix/hosts/web1.nix saved as UTF-16 or Latin-1, a binary named .nix, a 50 MB generated file',
      good: '# UTF-8 Nix text under the size limit (lint.maxFileBytes in tappaas.json)',
      certainty:
        'A binary or empty file is certain (Nix rejects it: an error); text that is not UTF-8, too large, or not a regular file is a warning.',
    },
  },
  'ignored-file': {
    type: 'suggestion',
    defaultLevel: 'warning',
    certainty: 'style',
    fixable: false,
    hasSuggestions: false,
    docs: {
      description: ENGINE_RULES['ignored-file'],
      why: 'As in ESLint, naming an ignored file does not lint it; the warning says so, so a clean result is not mistaken for a checked file.',
      bad: '# tappaas.json: { "lint": { "ignore": ["test/fixtures/**"] } }\n# tappaas lint test/fixtures/bad.nix',
      good: '# tappaas lint nix/  (or remove the pattern to lint the fixture)',
      certainty: 'A note: the file was not linted.',
    },
  },
};

export function ruleCatalog(table: Record<string, Rule> = builtinRules): RuleInfo[] {
  const fromRules = Object.entries(table).map(
    ([id, rule]): RuleInfo => ({
      id,
      engine: false,
      type: rule.meta.type,
      defaultLevel: rule.meta.defaultLevel,
      certainty: rule.meta.certainty,
      fixable: rule.meta.fixable !== undefined,
      hasSuggestions: rule.meta.hasSuggestions === true,
      docs: rule.meta.docs,
      messages: rule.meta.messages,
      ...optionsOf(rule),
    }),
  );
  const fromEngine = (Object.keys(ENGINE_RULES) as EngineRuleId[]).map(
    (id): RuleInfo => ({
      id,
      engine: true,
      messages: {},
      ...(ENGINE_DOCS[id] ?? {
        type: 'problem',
        defaultLevel: 'error',
        certainty: 'certain',
        fixable: false,
        hasSuggestions: false,
        docs: { description: ENGINE_RULES[id], why: '', bad: '', good: '' },
      }),
    }),
  );
  // Fleet checks of `tappaas check`: levels set in lint.rules like any rule.
  const fromFleet = Object.entries(FLEET_DOCS).map(
    ([id, { severity, docs }]): RuleInfo => ({
      id,
      engine: false,
      type: 'problem',
      defaultLevel: severity,
      certainty: 'policy',
      fixable: false,
      hasSuggestions: false,
      docs,
      messages: {},
    }),
  );
  return [...fromEngine, ...[...fromRules, ...fromFleet].sort((a, b) => a.id.localeCompare(b.id))];
}

/** The `schema` of a rule's catalog entry: what tappaas.json may set, when anything. */
function optionsOf(rule: Rule): { schema?: RuleOptionsSchema } {
  const schema = userOptionsSchema(rule);
  return Object.keys(schema.properties).length > 0 ? { schema } : {};
}
