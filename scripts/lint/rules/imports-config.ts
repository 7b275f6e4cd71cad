// `imports` that depend on the module's `config`. The module system must know every module
// (so every `imports` list) before it can compute `config`; an import path or list that
// reads `config` asks for `config` while it is being built, and evaluation ends in
// "infinite recursion encountered". The guide's `./hosts/${config.networking.hostName}.nix`
// is the classic case. A module *value* in the list may read config lazily
// (`lib.mkIf config.x { … }`, an inline module's definitions): only what the module system
// forces to collect modules counts (util/config-demand.ts says what that is).
import { moduleInfo } from '../../nix-ast/module.js';
import { analyzeScopes } from '../../nix-ast/scopes.js';
import type { Rule } from '../types.js';
import { configReads, MODULE_LIST } from './util/config-demand.js';

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        "`imports` that read the module's `config` (directly, through a let alias, or `args.config`).",
      why: 'The module system needs every `imports` list before `config` exists, so an import that reads `config` makes evaluation fail with infinite recursion, for every host that imports the file.',
      bad: `{ config, lib, ... }:\n{\n  imports = [ ./hosts/\${config.networking.hostName}.nix ]\n    ++ lib.optional config.services.nginx.enable ./nginx-extra.nix;\n}`,
      good: `# flake.nix passes the host name:\n# nixosSystem { modules = [ ./hosts/\${name}.nix ]; }\n{ config, lib, ... }:\n{\n  imports = [\n    ./common.nix\n    (lib.mkIf config.services.nginx.enable { services.nginx.recommendedGzipSettings = true; })\n  ];\n}`,
      certainty:
        "Certain: the module system needs `imports` before `config` exists, so reading `config` where it decides the list (the list itself, the condition of `optional`/`optionals`/`if`, an import path, `map` over config, an inline module's own `imports`) is infinite recursion. A module value inside `imports` (`lib.mkIf config.x { … }`, an inline module's definitions) is read lazily and not reported, and neither is config passed to a function whose strictness is unknown (`mylib.mkModule { inherit config; }`). Only reported in files the module system loads.",
    },
    messages: {
      usesConfig:
        '`imports` reads `{{name}}`, which depends on `config`: the module system needs imports before config exists, so evaluation recurses infinitely.',
    },
    defaultLevel: 'error',
    certainty: 'certain',
    scope: 'module',
  },
  create(context) {
    return {
      Program() {
        // Cheap exits first: most modules have no imports, or never name config.
        if (!context.file.source.includes('config')) return;
        const info = moduleInfo(context.file);
        if (!info.isModule || info.imports.length === 0) return;
        const scopes = analyzeScopes(context.file.tree);
        for (const imports of info.imports) {
          for (const read of configReads(imports, MODULE_LIST, scopes, info.function)) {
            context.report({
              node: read.node,
              messageId: 'usesConfig',
              data: { name: read.alias ?? read.node.text },
              help: `Decide imports without config: pass the value from the flake (e.g. nixosSystem { modules = [ ./hosts/\${name}.nix ]; } or specialArgs), or import every file and guard its definitions with lib.mkIf.`,
            });
          }
        }
      },
    };
  },
};

export default rule;
