import rule from '../../../../scripts/lint/rules/imports-config.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

ruleTester('imports-config', rule, {
  valid: [
    { name: 'static imports', code: '{ config, ... }:\n{\n  imports = [ ./a.nix ];\n  x = config.y;\n}\n' },
    {
      name: 'config used in an inline module is lazy',
      code: '{ config, ... }:\n{\n  imports = [ { networking.hostName = config.x; } ({ ... }: { y = config.z; }) ];\n}\n',
    },
    {
      name: 'an inline module with its own config',
      code: '{ lib, ... }:\n{\n  imports = [ ({ config, ... }: { x = config.y; }) ];\n}\n',
    },
    {
      name: 'a let binding named config is not the module argument',
      code: 'let config = { a = ./a.nix; }; in { imports = [ config.a ]; }',
    },
    {
      name: 'a shadowing lambda argument',
      code: `{ config, lib, ... }:\n{\n  imports = map (config: ./. + "/\${config}.nix") [ "a" ];\n}\n`,
    },
  ],
  invalid: [
    {
      name: 'the guide: host name in an import path',
      code: `{ config, pkgs, ... }:\n\n{\n  imports = [\n    ./common.nix\n    ./hardware/\${config.networking.hostName}-hw.nix\n  ];\n}\n`,
      errors: [
        {
          messageId: 'usesConfig',
          line: 6,
          column: 18,
          endColumn: 44,
          message: '`config.networking.hostName`',
        },
      ],
    },
    {
      name: 'lib.optional on a config value',
      code: '{ config, lib, ... }:\n{\n  imports = lib.optional config.x.enable ./x.nix;\n}\n',
      errors: [{ messageId: 'usesConfig', line: 3, column: 26 }],
    },
    {
      name: 'if on config',
      code: '{ config, ... }:\n{\n  imports = if config.gpu then [ ./gpu.nix ] else [ ];\n}\n',
      errors: [{ messageId: 'usesConfig', line: 3, column: 16 }],
    },
    {
      name: 'through let aliases',
      code: `{ config, ... }:\nlet\n  cfg = config.tappaas;\n  host = cfg.name;\nin\n{\n  imports = [ (./hosts + "/\${host}.nix") ];\n}\n`,
      errors: [{ messageId: 'usesConfig', line: 7, column: 30, message: '`host`' }],
    },
    {
      name: 'args@ pattern',
      code: 'args@{ lib, ... }:\n{\n  imports = lib.optionals args.config.x [ ./x.nix ];\n}\n',
      errors: [{ messageId: 'usesConfig', line: 3, column: 27 }],
    },
  ],
});
