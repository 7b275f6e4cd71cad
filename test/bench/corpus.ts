// A generated fleet of NixOS-module-like files for the benchmarks: formals, let, attrsets
// with dotted paths, lists, strings with interpolation, indented strings, lib.mkIf, comments.
// Sizes vary (most files small, a few large, as in real fleets); the seed makes every run
// lint the same bytes, so figures from different days compare.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** mulberry32: tiny, fast and good enough to pick words. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  'web',
  'db',
  'cache',
  'proxy',
  'backup',
  'monitor',
  'mail',
  'dns',
  'vpn',
  'git',
  'ci',
  'auth',
  'metrics',
  'logs',
  'queue',
  'search',
  'media',
  'files',
  'chat',
  'wiki',
  'home',
  'iot',
  'edge',
];
const PACKAGES = [
  'git',
  'vim',
  'curl',
  'htop',
  'jq',
  'ripgrep',
  'tmux',
  'openssl',
  'rsync',
  'wget',
  'nginx',
  'postgresql',
  'redis',
  'python3',
  'nodejs',
  'gnupg',
  'age',
  'sops',
  'restic',
  'borgbackup',
];
const SERVICES = ['nginx', 'postgresql', 'redis', 'prometheus', 'grafana', 'openssh', 'fail2ban', 'caddy'];

class Writer {
  private out: string[] = [];
  constructor(readonly rand: () => number) {}
  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.rand() * list.length)]!;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.rand() < p;
  }
  line(indent: number, text: string): void {
    this.out.push(`${'  '.repeat(indent)}${text}`);
  }
  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

function optionBlock(w: Writer, ind: number, name: string): void {
  const kind = w.pick(['bool', 'port', 'str', 'list', 'attrs'] as const);
  if (kind === 'bool') {
    w.line(ind, `${name} = lib.mkEnableOption "the ${name} feature";`);
    return;
  }
  w.line(ind, `${name} = lib.mkOption {`);
  if (kind === 'port') {
    w.line(ind + 1, 'type = lib.types.port;');
    w.line(ind + 1, `default = ${w.int(1024, 65000)};`);
  } else if (kind === 'str') {
    w.line(ind + 1, 'type = lib.types.str;');
    w.line(ind + 1, `default = "${w.pick(WORDS)}.\${config.networking.domain}";`);
  } else if (kind === 'list') {
    w.line(ind + 1, 'type = lib.types.listOf lib.types.str;');
    w.line(ind + 1, `default = [ "${w.pick(WORDS)}" "${w.pick(WORDS)}" ];`);
  } else {
    w.line(ind + 1, 'type = lib.types.attrsOf lib.types.anything;');
    w.line(ind + 1, 'default = { };');
  }
  w.line(ind + 1, `description = "Setting ${name} of the service (see \${cfg.docsUrl}).";`);
  w.line(ind, '};');
}

function serviceBlock(w: Writer, ind: number, name: string): void {
  w.line(ind, `# ${name}: restarted by systemd when it dies; logs go to the journal.`);
  w.line(ind, `systemd.services.${name} = {`);
  w.line(ind + 1, `description = "${name} daemon";`);
  w.line(ind + 1, 'wantedBy = [ "multi-user.target" ];');
  w.line(ind + 1, `after = [ "network-online.target" ${w.chance(0.5) ? '"postgresql.service" ' : ''}];`);
  w.line(ind + 1, 'environment = {');
  for (let i = w.int(1, 4); i > 0; i--)
    w.line(ind + 2, `${w.pick(WORDS).toUpperCase()}_${i} = "\${toString cfg.port}";`);
  w.line(ind + 1, '};');
  w.line(ind + 1, 'serviceConfig = {');
  w.line(ind + 2, `ExecStart = "\${pkgs.${w.pick(PACKAGES)}}/bin/${name} --port \${toString cfg.port}";`);
  w.line(ind + 2, `Restart = "${w.pick(['always', 'on-failure'])}";`);
  w.line(ind + 2, `DynamicUser = ${w.chance(0.5)};`);
  w.line(ind + 2, `StateDirectory = "${name}";`);
  w.line(ind + 1, '};');
  if (w.chance(0.3)) {
    w.line(ind + 1, "preStart = ''");
    w.line(ind + 2, `mkdir -p /var/lib/${name}/data`);
    w.line(ind + 2, `echo "starting \${cfg.${w.pick(WORDS)}}" > /var/lib/${name}/stamp`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Nix's escaped dollar in an indented string
    w.line(ind + 2, "cp ''${./defaults.conf} /var/lib/state.conf");
    w.line(ind + 1, "'';");
  }
  w.line(ind, '};');
}

function configBody(w: Writer, ind: number, name: string, sections: number): void {
  w.line(ind, `networking.firewall.allowedTCPPorts = [ cfg.port ${w.int(1, 65000)} ];`);
  w.line(
    ind,
    `environment.systemPackages = with pkgs; [ ${Array.from({ length: w.int(2, 7) }, () => w.pick(PACKAGES)).join(' ')} ];`,
  );
  for (let s = 0; s < sections; s++) {
    const what = w.int(0, 5);
    const sub = `${name}${s}`;
    if (what === 0) serviceBlock(w, ind, sub);
    else if (what === 1) {
      w.line(ind, `users.users.${sub} = {`);
      w.line(ind + 1, 'isSystemUser = true;');
      w.line(ind + 1, `group = "${sub}";`);
      w.line(ind + 1, `home = "/var/lib/${sub}";`);
      w.line(ind, '};');
      w.line(ind, `users.groups.${sub} = { };`);
    } else if (what === 2) {
      const svc = w.pick(SERVICES);
      w.line(
        ind,
        `services.${svc}.instances.${sub} = lib.mkIf (cfg.enable && ${w.chance(0.5) ? '!' : ''}cfg.${sub}) {`,
      );
      w.line(ind + 1, 'enable = true;');
      w.line(ind + 1, `settings.${w.pick(WORDS)}.${w.pick(WORDS)} = lib.mkDefault ${w.int(1, 100)};`);
      if (w.chance(0.1)) w.line(ind + 1, `openFirewall = cfg.${sub}Firewall == true;`);
      w.line(ind, '};');
    } else if (what === 3) {
      w.line(ind, `environment.etc."${name}/${sub}.conf".text = ''`);
      for (let i = w.int(2, 8); i > 0; i--)
        w.line(ind + 1, `${w.pick(WORDS)}_${i} = \${toString (cfg.port + ${i})}`);
      w.line(ind, "'';");
    } else if (what === 4) {
      w.line(ind, `services.nginx.virtualHosts."${sub}.\${config.networking.domain}" = {`);
      w.line(ind + 1, 'forceSSL = true;');
      w.line(ind + 1, 'enableACME = true;');
      w.line(ind + 1, `locations."/" = { proxyPass = "http://127.0.0.1:\${toString cfg.port}"; };`);
      w.line(ind + 1, `locations."/${w.pick(WORDS)}".extraConfig = "client_max_body_size 10m;";`);
      w.line(ind, '};');
    } else {
      w.line(ind, `tappaas.checks.${sub} = [`);
      w.line(ind + 1, '{');
      w.line(ind + 2, `assertion = cfg.port != ${w.int(1, 1000)} || builtins.elem "${sub}" cfg.hosts;`);
      w.line(ind + 2, `message = "${sub}: port \${toString cfg.port} is reserved";`);
      w.line(ind + 1, '}');
      w.line(ind, '];');
    }
  }
}

/** One NixOS module; `sections` drives its size. */
export function moduleFile(rand: () => number, name: string, sections: number): string {
  const w = new Writer(rand);
  w.line(0, `# ${name}: a role module of the fleet.`);
  w.line(0, '# Generated for the lint benchmark; shaped like a hand-written NixOS module.');
  w.line(0, `{ config, lib, pkgs${w.chance(0.3) ? ', modulesPath' : ''}, ... }:`);
  w.line(0, '');
  w.line(0, 'let');
  w.line(1, `cfg = config.tappaas.${name};`);
  w.line(1, `inherit (lib) mkIf mkOption types;`);
  w.line(1, `ports = { http = ${w.int(1000, 9000)}; metrics = ${w.int(9000, 9999)}; };`);
  w.line(1, `hosts = [ ${Array.from({ length: w.int(1, 5) }, () => `"${w.pick(WORDS)}"`).join(' ')} ];`);
  w.line(1, `url = host: "https://\${host}.\${config.networking.domain}:\${toString ports.http}/";`);
  w.line(0, 'in');
  w.line(0, '{');
  w.line(1, `options.tappaas.${name} = {`);
  w.line(2, `enable = lib.mkEnableOption "the ${name} role";`);
  for (let i = Math.max(1, sections >> 1); i > 0; i--) optionBlock(w, 2, `${w.pick(WORDS)}${i}`);
  w.line(1, '};');
  w.line(0, '');
  w.line(1, 'config = mkIf cfg.enable {');
  configBody(w, 2, name, sections);
  w.line(2, 'tappaas.endpoints = map url hosts;');
  w.line(1, '};');
  w.line(0, '}');
  return w.text();
}

/** A host file: imports, hostname, a few switches. */
export function hostFile(rand: () => number, name: string, roles: string[]): string {
  const w = new Writer(rand);
  w.line(0, `# Host ${name}.`);
  w.line(0, '{ lib, ... }:');
  w.line(0, '{');
  w.line(1, 'imports = [');
  w.line(2, `../../hardware/${name}.nix`);
  for (const r of roles) w.line(2, `../../modules/${r}.nix`);
  w.line(1, '];');
  w.line(1, `networking.hostName = "${name}";`);
  for (const r of roles) w.line(1, `tappaas.${r.replace(/.*\//, '')}.enable = true;`);
  w.line(1, `system.stateVersion = "24.11";`);
  w.line(0, '}');
  return w.text();
}

export interface Corpus {
  dir: string;
  files: string[];
  bytes: number;
}

/** Writes modules and hosts under `dir` until at least `targetBytes` are written. */
export function generateCorpus(dir: string, targetBytes: number, seed = 20261126): Corpus {
  const rand = prng(seed);
  const files: string[] = [];
  const roles: string[] = [];
  let bytes = 0;
  const write = (rel: string, text: string) => {
    const abs = join(dir, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, text);
    files.push(rel);
    bytes += Buffer.byteLength(text);
  };
  for (let i = 0; bytes < targetBytes; i++) {
    const group = WORDS[i % WORDS.length]!;
    const name = `${group}${i}`;
    if (i % 5 === 4) {
      const picks = Array.from({ length: 1 + Math.floor(rand() * 4) }, () =>
        roles.length ? roles[Math.floor(rand() * roles.length)]! : `${group}/${name}`,
      );
      write(`hosts/${name}/default.nix`, hostFile(rand, name, [...new Set(picks)]));
      continue;
    }
    // Skewed sizes: mostly 1-8 sections, sometimes dozens (a few files of 20-60 KB).
    const r = rand();
    const sections = r < 0.7 ? 1 + Math.floor(rand() * 8) : r < 0.95 ? 8 + Math.floor(rand() * 24) : 60;
    const rel = `${group}/${name}`;
    roles.push(rel);
    write(`modules/${rel}.nix`, moduleFile(rand, name, sections));
  }
  return { dir, files, bytes };
}
