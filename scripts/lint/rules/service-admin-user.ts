// systemd services that run as the fleet's interactive admin user (or any user the same
// module declares with `isNormalUser = true`) instead of a user of their own.
//
// Option `adminUsers` (string[], default ["tappaas"]): the fleet's interactive users.
// Only what one file shows is used: a normal user declared in another module is not known
// here, so list such users in `adminUsers`.
import { staticPath, unwrapValue } from '../../nix-ast/attrpaths.js';
import { moduleInfo } from '../../nix-ast/module.js';
import type { Rule } from '../types.js';
import { stringLiteralValue } from './util/nix.js';

const DEFAULT_ADMIN_USERS = ['tappaas'];

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'systemd services that run as the interactive admin user or another normal (login) user.',
      why: "A service running as the admin user can read the admin's SSH keys and shell history, write to their home, and use their sudo rights (wheel): one hole in the service is a hole in the whole host. A service of its own (`DynamicUser = true`, or a system user with its group) keeps it to its own files.",
      bad: 'systemd.services.api.serviceConfig.User = "tappaas";',
      good: 'systemd.services.api.serviceConfig = {\n  DynamicUser = true;\n  StateDirectory = "api";\n};',
    },
    messages: {
      adminUser:
        'Service `{{service}}` runs as `{{user}}`, {{who}}, so it gets their files, keys and sudo rights.',
    },
    defaultLevel: 'warning',
  },
  create(context) {
    const configured = context.options?.adminUsers;
    const admins = Array.isArray(configured)
      ? configured.filter((u): u is string => typeof u === 'string')
      : DEFAULT_ADMIN_USERS;
    return {
      Program() {
        const source = context.file.source;
        if (!source.includes('User')) return;
        const info = moduleInfo(context.file);
        if (!info.isModule) return;
        const normal = new Set<string>();
        const runs: { service: string; user: string; node: import('web-tree-sitter').Node }[] = [];
        for (const def of info.definitions) {
          const path = staticPath(def.segments);
          if (!path || !def.value) continue;
          // users.users.<name>.isNormalUser = true
          if (path.length === 4 && path[0] === 'users' && path[1] === 'users' && path[3] === 'isNormalUser') {
            const v = unwrapValue(def.value);
            if (v.type === 'variable_expression' && v.text === 'true') normal.add(path[2] as string);
            continue;
          }
          // systemd.services.<name>.serviceConfig.User = "…"
          if (
            path.length === 5 &&
            path[0] === 'systemd' &&
            path[1] === 'services' &&
            path[3] === 'serviceConfig' &&
            path[4] === 'User'
          ) {
            const v = unwrapValue(def.value);
            const user = stringLiteralValue(v);
            if (user !== undefined) runs.push({ service: path[2] as string, user, node: v });
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
