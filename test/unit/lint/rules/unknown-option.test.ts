import { describe, expect, it } from 'vitest';
import rule from '../../../../scripts/lint/rules/unknown-option.js';
import { HOST_OPTIONS, optionsIndex, writeOptionsIndexes } from '../../../helpers/options-index.js';
import { lintWithRule, ruleTester } from '../../../helpers/rule-tester.js';

const index = writeOptionsIndexes(
  optionsIndex('web', HOST_OPTIONS, ['broken']),
  // A second host adds its own options: the index is the union.
  optionsIndex('db', ['services.postgresql.enable', 'services.postgresql.settings']),
);
const options = { index, stamp: 'test' };
const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;

ruleTester('unknown-option', rule, {
  valid: [
    {
      name: 'options, namespaces of options and values below an option',
      code: m(
        '  networking.hostName = "web";\n  networking.firewall = { enable = true; allowedTCPPorts = [ 22 ]; };\n  services.openssh = { };\n  nixpkgs.config.cudaSupport = true;\n  systemd.services.api.serviceConfig.ExecStart = "x";\n  services.postgresql.enable = true;\n  _module.args.x = 1;',
      ),
      options,
    },
    {
      name: 'placeholders match any name, nested and dotted',
      code: m(
        '  users.users.alice = { isNormalUser = true; extraGroups = [ "wheel" ]; openssh.authorizedKeys.keys = [ ]; };\n  users.users."bob-2".isSystemUser = true;\n  services.nginx.virtualHosts."a.example".locations."/".proxyPass = "http://x";',
      ),
      options,
    },
    {
      name: 'a freeform submodule takes any name',
      code: m('  services.openssh.settings.UseDns = false;'),
      options,
    },
    {
      name: 'a dynamic name',
      code: m(`  users.users.\${config.admin}.isNormalUser = true;\n  \${config.where}.y = 1;`),
      options,
    },
    { name: 'below a part that failed to evaluate', code: m('  broken.anything.at.all = 1;'), options },
    {
      name: 'options this module declares, used in its config',
      code: '{ config, lib, ... }:\n{\n  options.tappaas.roles.web = { enable = lib.mkEnableOption "web"; port = lib.mkOption { }; };\n  config = lib.mkIf config.tappaas.roles.web.enable {\n    tappaas.roles.web.port = 80;\n    networking.firewall.allowedTCPPorts = [ 80 ];\n  };\n}\n',
      options,
    },
    {
      name: 'extraNamespaces are not checked',
      code: m('  sops.secrets.a = { };'),
      options: { ...options, extraNamespaces: ['sops'] },
    },
    { name: 'without an index the rule is silent', code: m('  services.opensh.enable = true;') },
    { name: 'not a module', code: '{ services.opensh.enable = true; }', options },
  ],
  invalid: [
    {
      name: 'dotted path: a sibling spelled alike',
      code: m('  services.opensh.enable = true;'),
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 3,
          column: 12,
          endColumn: 18,
          message: '`services.opensh` is no NixOS option of any host indexed (db, web)',
        },
      ],
    },
    {
      name: 'nested sets, the report at the misspelt key',
      code: m('  services = {\n    openssh = {\n      enabel = true;\n    };\n  };'),
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 5,
          column: 7,
          message: 'Did you mean `services.openssh.enable`?',
        },
      ],
    },
    {
      name: 'inside config = { … } with options beside it',
      code: '{ lib, ... }:\n{\n  options.x = lib.mkOption { };\n  config = {\n    users.users.alice.isNormalUsr = true;\n  };\n}\n',
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 5,
          column: 23,
          message: 'Did you mean `users.users.alice.isNormalUser`?',
        },
      ],
    },
    {
      name: 'under lib.mkIf and lib.mkMerge',
      code: '{ config, lib, ... }:\n{\n  config = lib.mkIf true (lib.mkMerge [\n    { systemd.services.api.serviceConfg.User = "api"; }\n    (lib.mkIf false { networking.hostNme = "x"; })\n  ]);\n}\n',
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 4,
          column: 28,
          message: 'Did you mean `systemd.services.api.serviceConfig.User`?',
        },
        { messageId: 'unknownOption', line: 5, column: 34, message: 'Did you mean `networking.hostName`?' },
      ],
    },
    {
      name: 'a name that lost its prefix: the same names at another place',
      code: m('  graphics = {\n    enable = true;\n    enable32Bit = true;\n  };'),
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 3,
          column: 3,
          message: 'Did you mean `hardware.graphics.enable`?',
        },
      ],
    },
    {
      name: 'below a closed submodule (users.users.<name>)',
      code: m('  users.users.alice.shell = "bash";'),
      options,
      errors: [{ messageId: 'unknownOption', line: 3, column: 21, message: '`users.users.alice.shell`' }],
    },
    {
      name: 'one report per unknown key, however many definitions are below it',
      code: m('  servics.openssh.enable = true;\n  servics.nginx = { enable = true; };'),
      options,
      errors: [
        {
          messageId: 'unknownOption',
          line: 3,
          column: 3,
          message: 'Did you mean `services.openssh.enable`?',
        },
        { messageId: 'unknownOption', line: 4, column: 3, message: 'Did you mean `services.nginx.enable`?' },
      ],
    },
    {
      name: 'an index that cannot be read is reported once',
      code: m('  networking.hostName = "a";'),
      options: { index: ['/nonexistent/web.json'], stamp: 'x' },
      errors: [{ messageId: 'badIndex', line: 1, column: 1, message: 'cannot be read' }],
    },
  ],
});

describe('unknown-option suggestions', () => {
  it('offers the sibling as a suggestion that replaces the key in place', async () => {
    const code = m('  services.opensh.enable = true;');
    const [d] = await lintWithRule('unknown-option', rule, code, options);
    expect(d?.suggestions).toEqual([
      {
        message: 'Write `openssh` instead of `opensh`.',
        fix: { start: code.indexOf('opensh'), end: code.indexOf('opensh') + 6, text: 'openssh' },
      },
    ]);
    expect(d?.help).toContain('tappaas options-index --refresh');
  });
  it('a moved path has no in-place fix, only the message', async () => {
    const [d] = await lintWithRule('unknown-option', rule, m('  graphics.enable = true;'), options);
    expect(d?.suggestions).toBeUndefined();
    expect(d?.message).toContain('Did you mean `hardware.graphics.enable`?');
  });
  it('names the single host when there is one', async () => {
    const one = writeOptionsIndexes(optionsIndex('gpu1', HOST_OPTIONS));
    const [d] = await lintWithRule('unknown-option', rule, m('  foo.bar = 1;'), { index: one, stamp: '1' });
    expect(d?.message).toMatch(/^`foo` is no NixOS option of host gpu1, so the host fails to evaluate/);
  });
});
