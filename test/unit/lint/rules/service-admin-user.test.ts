import rule from '../../../../scripts/lint/rules/service-admin-user.js';
import { ruleTester } from '../../../helpers/rule-tester.js';

const m = (body: string) => `{ config, lib, pkgs, ... }:\n{\n${body}\n}\n`;

ruleTester('service-admin-user', rule, {
  valid: [
    {
      name: 'a system user with its group',
      code: m(
        '  users.users.vllm = { isSystemUser = true; group = "vllm"; };\n  users.groups.vllm = { };\n  systemd.services.vllm.serviceConfig.User = "vllm";',
      ),
    },
    { name: 'DynamicUser', code: m('  systemd.services.a.serviceConfig.DynamicUser = true;') },
    {
      name: 'a normal user declared here, but the service runs as another',
      code: m('  users.users.alice.isNormalUser = true;\n  systemd.services.a.serviceConfig.User = "a";'),
    },
    {
      name: 'isNormalUser = false is no login user',
      code: m('  users.users.bob.isNormalUser = false;\n  systemd.services.a.serviceConfig.User = "bob";'),
    },
    {
      name: 'user services run as their user anyway',
      code: m('  systemd.user.services.a.serviceConfig.User = "tappaas";'),
    },
    {
      name: 'a computed user is not judged',
      code: m('  systemd.services.a.serviceConfig.User = config.services.a.user;'),
    },
    {
      name: 'adminUsers replaces the default',
      code: m('  systemd.services.a.serviceConfig.User = "tappaas";'),
      options: { adminUsers: ['ops'] },
    },
    {
      name: 'User in an option declaration is no definition',
      code: '{ lib, ... }:\n{\n  options.systemd.services.a.serviceConfig.User = lib.mkOption { default = "tappaas"; };\n  config = { };\n}\n',
    },
    { name: 'not a module', code: '{ systemd.services.a.serviceConfig.User = "tappaas"; }' },
  ],
  invalid: [
    {
      name: 'a quoted key and parentheses',
      code: m('  systemd.services."web-ui".serviceConfig."User" = ("tappaas");'),
      errors: [{ messageId: 'adminUser', line: 3, column: 53, message: 'Service `web-ui`' }],
    },
    {
      name: 'the guide: nested sets, the admin user',
      code: m(
        '  systemd.services.vllm-api = {\n    serviceConfig = {\n      User = "tappaas";\n    };\n  };',
      ),
      errors: [
        {
          messageId: 'adminUser',
          line: 5,
          column: 14,
          endColumn: 23,
          message: "Service `vllm-api` runs as `tappaas`, the fleet's interactive admin user",
        },
      ],
    },
    {
      name: 'dotted path, a normal user declared in the same file',
      code: m(
        '  users.users.alice = {\n    isNormalUser = true;\n  };\n  systemd.services.a.serviceConfig.User = "alice";',
      ),
      errors: [
        { messageId: 'adminUser', line: 6, column: 43, message: '`isNormalUser = true` in this module' },
      ],
    },
    {
      name: 'inside config = { … } under mkIf, with mkForce',
      code: '{ config, lib, ... }:\n{\n  options.x.enable = lib.mkEnableOption "x";\n  config = lib.mkIf config.x.enable {\n    systemd.services.x.serviceConfig.User = lib.mkForce "tappaas";\n  };\n}\n',
      errors: [{ messageId: 'adminUser', line: 5, column: 57 }],
    },
    {
      name: 'under mkMerge, configured admin users',
      code: m(
        '  systemd.services = lib.mkMerge [\n    { a.serviceConfig.User = "ops"; }\n    { b.serviceConfig.User = "tappaas"; }\n  ];',
      ),
      options: { adminUsers: ['ops', 'tappaas'] },
      errors: [
        { messageId: 'adminUser', line: 4, column: 30, message: 'Service `a` runs as `ops`' },
        { messageId: 'adminUser', line: 5, column: 30, message: 'Service `b`' },
      ],
    },
  ],
});
