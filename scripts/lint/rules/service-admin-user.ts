// systemd services that run as the fleet's interactive admin user (or any user the same
// module declares with `isNormalUser = true`) instead of a user of their own.
//
// Option `adminUsers` (string[], default ["tappaas"]): the fleet's interactive users.
// Only what one file shows is used: a normal user declared in another module is not known
// here, so list such users in `adminUsers`.
import type { Node } from 'web-tree-sitter';
import { definitionPath } from '../../nix-ast/definition-path.js';
import { keyBindings } from '../../nix-ast/key-bindings.js';
import { type ModuleInfo, moduleInfo } from '../../nix-ast/module.js';
import type { Rule } from '../types.js';
import { stringLiteralValue } from './util/nix.js';

const DEFAULT_ADMIN_USERS = ['tappaas'];
const USER_KEY = /\bUser"?\s*=[^=]/g;
const NORMAL_KEY = /\bisNormalUser"?\s*=[^=]/g;

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'systemd services that run as the interactive admin user or another normal (login) user.',
      why: "A service running as the admin user can read the admin's SSH keys and shell history, write to their home, and use their sudo rights (wheel): one hole in the service is a hole in the whole host. A service of its own (`DynamicUser = true`, or a system user with its group) keeps it to its own files.",
      bad: 'systemd.services.api.serviceConfig.User = "tappaas";',
      good: 'systemd.services.api.serviceConfig = {\n  DynamicUser = true;\n  StateDirectory = "api";\n};',
      certainty:
        'A judgement about least privilege: the service works as written. Only reported in NixOS modules.',
    },
    messages: {
      adminUser:
        'Service `{{service}}` runs as `{{user}}`, {{who}}, so it gets their files, keys and sudo rights.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'nixos',
    schema: {
      type: 'object',
      properties: {
        adminUsers: {
          type: 'array',
          items: { type: 'string' },
          default: DEFAULT_ADMIN_USERS,
          description:
            "The fleet's interactive users; replaces the default. Normal users declared in another module are only known from this list.",
        },
      },
      additionalProperties: false,
    },
  },
  create(context) {
    const configured = context.options?.adminUsers;
    const admins = Array.isArray(configured)
      ? configured.filter((u): u is string => typeof u === 'string')
      : DEFAULT_ADMIN_USERS;
    return {
      // Keys found in the text, their paths resolved upward from them (as systemd-exec-command
      // does): resolving every definition path of every module would cost far more.
      Program(root) {
        const source = context.file.source;
        if (!source.includes('User')) return;
        const runs: { service: string; user: string; node: Node }[] = [];
        let info: ModuleInfo | undefined;
        const pathOf = (binding: Node) => {
          info ??= moduleInfo(context.file);
          return info.isModule && info.rootAttrset
            ? definitionPath(binding, info.rootAttrset, info.form === 'explicit')
            : undefined;
        };
        for (const { binding, value } of keyBindings(root, source, USER_KEY)) {
          const user = stringLiteralValue(value);
          if (user === undefined) continue;
          const path = pathOf(binding);
          if (
            path?.length === 5 &&
            path[0] === 'systemd' &&
            path[1] === 'services' &&
            path[3] === 'serviceConfig'
          )
            runs.push({ service: path[2] as string, user, node: value });
        }
        if (runs.length === 0) return;
        const normal = new Set<string>();
        if (source.includes('isNormalUser')) {
          for (const { binding, value } of keyBindings(root, source, NORMAL_KEY)) {
            if (value.type !== 'variable_expression' || value.text !== 'true') continue;
            const path = pathOf(binding);
            if (path?.length === 4 && path[0] === 'users' && path[1] === 'users')
              normal.add(path[2] as string);
          }
        }
        for (const r of runs) {
          const isAdmin = admins.includes(r.user);
          if (!isAdmin && !normal.has(r.user)) continue;
          context.report({
            node: r.node,
            messageId: 'adminUser',
            data: {
              service: r.service,
              user: r.user,
              who: isAdmin
                ? "the fleet's interactive admin user"
                : 'a login user (`isNormalUser = true` in this module)',
            },
            help: `Give the service a user of its own: \`DynamicUser = true;\` (with \`StateDirectory = "${r.service}";\` for its data), or a system user: \`users.users.${r.service} = { isSystemUser = true; group = "${r.service}"; };\` plus \`users.groups.${r.service} = { };\` and \`User = "${r.service}";\`.`,
          });
        }
      },
    };
  },
};

export default rule;
