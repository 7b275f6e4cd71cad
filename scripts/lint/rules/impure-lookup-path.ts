// Search-path lookups (`<nixpkgs>`). A lookup in a formal's default is left alone: the
// classic non-flake entry point `{ pkgs ? import <nixpkgs> { } }:` evaluates it only when the
// caller omits `pkgs`, and a flake (or anything pinned) passes it, so pure evaluation never
// sees the lookup. Whether a file is evaluated by the flake at all is the repository
// context's call (scope `flake`), not this rule's.
import type { Node } from 'web-tree-sitter';
import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'A search-path lookup such as `<nixpkgs>`.',
      why: "`<name>` is resolved from `NIX_PATH` (or `-I`) on the machine that evaluates, so the same commit builds different systems on different machines, and flakes refuse it in pure evaluation. Take nixpkgs from a flake input (or the module's `pkgs` argument) so the version is pinned in `flake.lock`.",
      bad: 'let pkgs = import <nixpkgs> { }; in pkgs.hello',
      good: '{ pkgs, ... }: { environment.systemPackages = [ pkgs.hello ]; }',
      certainty:
        'Not certain: pure evaluation fails only when the lookup is evaluated, so a warning. A lookup in a formal default (`{ pkgs ? import <nixpkgs> { } }:`) is not reported: it is evaluated only when the caller leaves `pkgs` out, and a flake passes it. Only reported in files the flake evaluates; `shell.nix` and other non-flake entry points use `<nixpkgs>` by design.',
    },
    messages: {
      lookup:
        '`{{path}}` is looked up in NIX_PATH, which differs per machine and fails in pure (flake) evaluation: use a flake input or the `pkgs` / `modulesPath` module argument instead.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'flake',
  },
  create(context) {
    return {
      spath_expression(node) {
        if (inFormalDefault(node)) return;
        const name = node.text.slice(1, -1);
        const help = name.startsWith('nixpkgs/nixos/modules/')
          ? `For a NixOS module, import it through \`modulesPath\`: \`(modulesPath + "/${name.slice('nixpkgs/nixos/modules/'.length)}")\`.`
          : name === 'nixpkgs' || name.startsWith('nixpkgs/')
            ? 'Take `pkgs` as a module argument, or `inputs.nixpkgs` from the flake (pinned in flake.lock).'
            : `Add \`${name.split('/')[0]}\` as a flake input and pass it down, so the version is pinned in flake.lock.`;
        context.report({ node, messageId: 'lookup', data: { path: node.text }, help });
      },
    };
  },
};

/** True inside the default of a function's formal (`{ pkgs ? import <nixpkgs> { } }:`): only a formal has one. */
function inFormalDefault(node: Node): boolean {
  for (let n = node.parent; n; n = n.parent) if (n.type === 'formal') return true;
  return false;
}

export default rule;
