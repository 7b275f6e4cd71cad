import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';
import { builtinName, isGlobalBuiltins, staticAttrName } from './util/nix.js';

/** Builtins whose result depends on the machine or moment of evaluation, with the way out. */
const IMPURE: Record<string, string> = {
  getEnv: 'Pass the value in explicitly (a module option, a flake input, or a file in the repository).',
  currentSystem:
    "Use `pkgs.stdenv.hostPlatform.system` inside modules, or name the system explicitly (`nixpkgs.hostPlatform`, the flake's `system`).",
  currentTime: 'Use a fixed value, e.g. `self.lastModified` or `self.lastModifiedDate` of the flake.',
  nixPath: 'Use flake inputs (pinned in flake.lock) instead of NIX_PATH.',
  storePath:
    'Refer to the derivation that builds the path, or fetch it with a hash; a bare store path may not exist on the builder and pure evaluation refuses it.',
};

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'A builtin that reads the evaluating machine or clock: `builtins.getEnv`, `currentSystem`, `currentTime`, `nixPath`, `storePath` (also as `__getEnv`, under `with builtins;` or through `inherit (builtins) …`).',
      why: 'The same commit then evaluates to different systems on a laptop, in CI and on the host, so a reviewed plan is not what gets deployed; in pure (flake) evaluation they break or silently change meaning: `currentSystem` and `currentTime` are missing, `storePath` is refused, `getEnv` returns "" and `nixPath` is empty (checked with `nix eval --pure-eval`).',
      bad: '{ networking.hostName = builtins.getEnv "HOST"; nixpkgs.system = builtins.currentSystem; }',
      good: '{ networking.hostName = "web1"; nixpkgs.hostPlatform = "x86_64-linux"; }',
      certainty:
        'Not certain: in pure evaluation some of these fail and some return an empty value, and only when evaluated. Only reported in files the flake evaluates.',
    },
    messages: {
      impure:
        '`{{name}}` makes the result depend on the machine that evaluates it (impure; pure flake evaluation breaks it): {{fix}}',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'flake',
  },
  create(context) {
    const report = (node: Node, name: string, shown: string) =>
      context.report({ node, messageId: 'impure', data: { name: shown, fix: IMPURE[name] as string } });
    return {
      // One visitor for both spellings: `builtins` as the base of a selection, or a bare name.
      variable_expression(node) {
        const t = node.text;
        if (t === 'builtins') {
          const select = node.parent;
          if (select?.type !== 'select_expression' || select.firstNamedChild?.id !== node.id) return;
          // `builtins.currentSystem or "x86_64-linux"` is still impure outside pure mode.
          const name = staticAttrName(select.childForFieldName('attrpath')?.firstNamedChild);
          if (name && Object.hasOwn(IMPURE, name) && isGlobalBuiltins(node))
            report(select, name, `builtins.${name}`);
          return;
        }
        if (!Object.hasOwn(IMPURE, t.startsWith('__') ? t.slice(2) : t)) return;
        const name = builtinName(node);
        if (name && Object.hasOwn(IMPURE, name))
          report(node, name, t.startsWith('__') ? t : `builtins.${name}`);
      },
      inherit_from(node) {
        if (!isGlobalBuiltins(node.childForFieldName('expression'))) return;
        for (const attr of node.childForFieldName('attrs')?.namedChildren ?? []) {
          const name = staticAttrName(attr);
          if (attr && name && Object.hasOwn(IMPURE, name)) report(attr, name, `builtins.${name}`);
        }
      },
    };
  },
};

export default rule;
