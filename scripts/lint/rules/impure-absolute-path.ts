import type { Rule } from '../types.js';

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description: 'An absolute path literal such as `/etc/nixos/hardware-configuration.nix`.',
      why: 'An absolute path names a file on the machine that evaluates, not in the repository: the same commit evaluates differently on a laptop, in CI and on the host, pure (flake) evaluation refuses to read it ("access to absolute path … is forbidden"), and used in a string it is copied into the store. `/.` (the root, used to build paths) is not reported.',
      bad: '{ imports = [ /etc/nixos/hardware-configuration.nix ]; services.nginx.virtualHosts.x.root = /var/www; }',
      good: '{ imports = [ ../hardware/web1.nix ]; services.nginx.virtualHosts.x.root = "/var/www"; }',
      certainty:
        'Not certain: pure evaluation fails only when the path is actually read. Only reported in files the flake evaluates.',
    },
    messages: {
      absolute:
        '`{{path}}` is an absolute path on the machine that evaluates (impure, refused by pure flake evaluation, copied into the store when used in a string): keep the file in the repository and use a relative path, or write "{{path}}" as a string if it means a location on the target host.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'flake',
  },
  create(context) {
    const source = context.file.source;
    return {
      path_expression(node) {
        // Relative paths start with `.`; `~/…` is hpath_expression; `<…>` is impure-lookup-path.
        if (source[node.startIndex] !== '/') return;
        // `/${pkgs.path}/nixos/lib`: the root comes from an expression (usually a store path).
        if (source.startsWith('${', node.startIndex + 1)) return;
        const text = node.text;
        if (text === '/.' || text === '/./') return;
        context.report({ node, messageId: 'absolute', data: { path: text } });
      },
    };
  },
};

export default rule;
