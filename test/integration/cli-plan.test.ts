// `tappaas plan` end to end with real git and real Nix (offline, fixture flake without
// nixpkgs): a 20-host fleet in a git repository, changes committed on top of a base.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitFixture } from '../helpers/git.js';
import { hostText, type NixFleet, offlineNixEnv, writeNixFleet } from '../helpers/nix-fleet.js';
import { buildCli, REPO, runCli } from '../helpers/run-cli.js';

interface HostJson {
  name: string;
  status: string;
  old: string | null;
  new: string | null;
  evaluated: boolean;
  reasons: string[];
  error?: string;
  errorAt?: string;
  baseError?: string;
  closure?: {
    changed: { name: string; old: string[]; new: string[] }[];
    added: { name: string }[];
    sizeDelta?: number;
  };
}

interface PlanJson {
  hosts: HostJson[];
  summary: Record<string, number>;
  all?: string;
}

let fx: GitFixture;
let fleet: NixFleet;
let base: string;

function plan(to: string, ...flags: string[]) {
  const r = runCli(['plan', '--from', base, '--to', to, '--json', ...flags], {
    cwd: fx.work,
    env: offlineNixEnv(),
  });
  let json: PlanJson | undefined;
  try {
    json = JSON.parse(r.stdout) as PlanJson;
  } catch {
    throw new Error(`no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  if (!validate(json))
    throw new Error(`plan JSON does not match its schema: ${JSON.stringify(validate.errors)}`);
  return { ...r, json };
}

const validate = new Ajv({ allErrors: true }).compile(
  JSON.parse(readFileSync(join(REPO, 'schemas', 'plan-report.schema.json'), 'utf8')) as object,
);

/** A file as the base commit has it (the work tree moves from test to test). */
const atBase = (path: string) => `${fx.git(['show', `${base}:${path}`])}\n`;

const byStatus = (p: PlanJson, status: string) =>
  p.hosts.filter((h) => h.status === status).map((h) => h.name);

beforeAll(() => {
  buildCli();
  fx = new GitFixture('tappaas-plan-');
  fleet = writeNixFleet(fx.work, { hosts: 20 });
  base = fx.commit(undefined, {}, 'fleet');
}, 120_000);

afterAll(() => fx?.cleanup());

describe('tappaas plan on a 20-host fleet', () => {
  it('a change to one host file: exactly that host changed, the others unchanged without evaluation', () => {
    const host = fleet.hosts[3]!;
    const index = Number(/\d+$/.exec(host)![0]);
    const head = fx.commit(base, {
      [fleet.hostPath(host)]: hostText(host, index, { lines: ['  settings.motd = "hi";'] }),
    });
    const r = plan(head);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json!.hosts).toHaveLength(20);
    expect(byStatus(r.json!, 'changed')).toEqual([host]);
    const changed = r.json!.hosts.find((h) => h.name === host)!;
    expect(changed.old).toMatch(/^\/nix\/store\/.+-nixos-system-/);
    expect(changed.new).not.toBe(changed.old);
    expect(changed.reasons).toEqual([fleet.hostPath(host)]);
    const others = r.json!.hosts.filter((h) => h.name !== host);
    expect(others.every((h) => h.status === 'unchanged' && !h.evaluated && h.old === null)).toBe(true);
    expect(r.json!.summary).toMatchObject({ changed: 1, unchanged: 19, evaluated: 1 });
  }, 120_000);

  it('a change to the shared module: every host changed', () => {
    const common = atBase('nix/common.nix');
    const head = fx.commit(base, { 'nix/common.nix': common.replace('Europe/Copenhagen', 'Europe/Oslo') });
    const r = plan(head, '--no-closures');
    expect(r.code, r.stderr).toBe(0);
    expect(byStatus(r.json!, 'changed')).toHaveLength(20);
    expect(r.json!.summary).toMatchObject({ changed: 20, evaluated: 20 });
  }, 120_000);

  it('a comment-only change to the shared module: all evaluated, none changed', () => {
    const common = atBase('nix/common.nix');
    const head = fx.commit(base, {
      'nix/common.nix': common.replace('# Settings every host shares.', '# Settings shared by every host.'),
    });
    const r = plan(head);
    expect(r.code, r.stderr).toBe(0);
    expect(byStatus(r.json!, 'changed')).toEqual([]);
    expect(
      r.json!.hosts.every((h) => h.evaluated && h.status === 'unchanged' && h.old === h.new && h.new),
    ).toBe(true);
  }, 120_000);

  it('an added and a removed host are reported as such', () => {
    const gone = fleet.hosts[5]!;
    const head = fx.commit(base, {
      [fleet.hostPath(gone)]: null,
      [`nix/hardware/${gone}-hw.nix`]: null,
      'nix/hosts/newhost.nix': hostText('newhost', 99),
      'nix/hardware/newhost-hw.nix': '{ ... }:\n{\n  settings.rootDevice = "/dev/vda";\n}\n',
    });
    const r = plan(head);
    expect(r.code, r.stderr).toBe(0);
    expect(byStatus(r.json!, 'added')).toEqual(['newhost']);
    expect(byStatus(r.json!, 'removed')).toEqual([gone]);
    expect(byStatus(r.json!, 'changed')).toEqual([]);
    const added = r.json!.hosts.find((h) => h.name === 'newhost')!;
    expect(added.old).toBeNull();
    expect(added.new).toMatch(/-nixos-system-newhost$/);
    expect(r.json!.hosts.find((h) => h.name === gone)!.old).toMatch(new RegExp(`-nixos-system-${gone}$`));
    expect(r.json!.summary).toMatchObject({ added: 1, removed: 1, unchanged: 19, evaluated: 2 });
  }, 120_000);

  it('the closure diff of a changed host shows a package version change and the size delta', () => {
    const host = fleet.hosts[0]!;
    const text = hostText(host, 0).replace('pkgs.htop', '(pkgs.mk { pname = "htop"; version = "3.4.0"; })');
    const head = fx.commit(base, { [fleet.hostPath(host)]: text });
    const r = plan(head, '--markdown', join(fx.root, 'plan.md'));
    expect(r.code, r.stderr).toBe(0);
    expect(byStatus(r.json!, 'changed')).toEqual([host]);
    const h = r.json!.hosts.find((x) => x.name === host)!;
    expect(h.closure?.changed).toEqual([{ name: 'htop', old: ['3.3.0'], new: ['3.4.0'] }]);
    expect(typeof h.closure?.sizeDelta).toBe('number');
    const md = readFileSync(join(fx.root, 'plan.md'), 'utf8');
    expect(md).toContain('<details><summary><b>' + host + '</b>');
    expect(md).toContain('| htop | 3.3.0 | 3.4.0 |');
  }, 120_000);

  it('a host that no longer evaluates: error with file:line, the others still planned, exit 1', () => {
    const host = fleet.hosts[1]!;
    const index = Number(/\d+$/.exec(host)![0]);
    const broken = hostText(host, index, { lines: ['  settings.broken = builtins.throw "no such disk";'] });
    const fine = fleet.hosts[2]!;
    const fineIndex = Number(/\d+$/.exec(fine)![0]);
    const head = fx.commit(base, {
      [fleet.hostPath(host)]: broken,
      [fleet.hostPath(fine)]: hostText(fine, fineIndex, { lines: ['  settings.motd = "ok";'] }),
    });
    const r = plan(head, '--no-closures');
    expect(r.code).toBe(1);
    const bad = r.json!.hosts.find((h) => h.name === host)!;
    expect(bad.error).toContain('no such disk');
    expect(bad.errorAt).toMatch(new RegExp(`^nix/hosts/${host}\\.nix:7`));
    expect(r.json!.hosts.find((h) => h.name === fine)!.status).toBe('changed');
  }, 120_000);

  it('prints the plan as a table and a job summary on a runner', () => {
    const host = fleet.hosts[4]!;
    const index = Number(/\d+$/.exec(host)![0]);
    const head = fx.commit(base, {
      [fleet.hostPath(host)]: hostText(host, index, { lines: ['  settings.motd = "x";'] }),
    });
    const summary = join(fx.root, 'summary.md');
    writeFileSync(summary, '');
    const r = runCli(['plan', '--from', base, '--to', head, '--no-closures'], {
      cwd: fx.work,
      env: { ...offlineNixEnv(), GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`changed\\s+${host}\\s+/nix/store/`));
    expect(r.stdout).toContain('1 changed, 0 added, 0 removed, 19 unchanged');
    const md = readFileSync(summary, 'utf8');
    expect(md).toContain(`| ${host} | 🟡 changed |`);
  }, 120_000);

  it('a flake that no longer evaluates at TO fails every host (exit 1), with an annotation on a runner', () => {
    const flake = atBase('flake.nix');
    const head = fx.commit(base, {
      'flake.nix': flake.replace('fleet.nixosSystem {', 'fleet.nixosSystem { broken = ;'),
    });
    const r = runCli(['plan', '--from', base, '--to', head, '--json'], {
      cwd: fx.work,
      env: { ...offlineNixEnv(), GITHUB_ACTIONS: 'true' },
    });
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'), r.stdout.lastIndexOf('}') + 1)) as PlanJson;
    expect(json.hosts).toHaveLength(20);
    expect(json.hosts.every((h) => h.error && h.new === null)).toBe(true);
    expect(json.all).toMatch(/cannot list the hosts/);
    expect(json.hosts[0]!.errorAt).toMatch(/^flake\.nix:15/);
    expect(r.stdout.match(/^::error /gm)).toHaveLength(1);
    expect(r.stdout).toMatch(/^::error title=tappaas plan%3A 20 hosts,file=flake\.nix,line=15/m);
  }, 120_000);

  it('a change that repairs a broken flake: every host evaluated at TO, the failure at FROM noted, exit 0', () => {
    const flake = atBase('flake.nix');
    const broken = fx.commit(base, {
      'flake.nix': flake.replace('fleet.nixosSystem {', 'fleet.nixosSystem { broken = ;'),
    });
    const fixed = fx.commit(broken, { 'flake.nix': flake });
    const r = runCli(['plan', '--from', broken, '--to', fixed, '--json', '--no-closures'], {
      cwd: fx.work,
      env: offlineNixEnv(),
    });
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as PlanJson;
    expect(json.hosts).toHaveLength(20);
    expect(json.hosts.every((h) => h.status === 'changed' && h.new && h.old === null && h.baseError)).toBe(
      true,
    );
    expect(json.all).toMatch(/cannot list the hosts at /);
  }, 120_000);

  it('a renamed host file: the old name removed, the new one added, the rename in changedFiles', () => {
    const old = fleet.hosts[8]!;
    const text = atBase(fleet.hostPath(old));
    const hw = atBase(`nix/hardware/${old}-hw.nix`);
    const head = fx.commit(base, {
      [fleet.hostPath(old)]: null,
      [`nix/hardware/${old}-hw.nix`]: null,
      'nix/hosts/renamed.nix': text,
      'nix/hardware/renamed-hw.nix': hw,
    });
    const r = plan(head, '--no-closures');
    expect(r.code, r.stderr).toBe(0);
    expect(byStatus(r.json!, 'removed')).toEqual([old]);
    expect(byStatus(r.json!, 'added')).toEqual(['renamed']);
    const files = (r.json as unknown as { changedFiles: { kind: string; path: string; oldPath?: string }[] })
      .changedFiles;
    expect(files).toContainEqual({
      kind: 'renamed',
      path: 'nix/hosts/renamed.nix',
      oldPath: fleet.hostPath(old),
    });
  }, 120_000);

  it('usage errors exit 2 with the reason', () => {
    const none = runCli(['plan'], { cwd: fx.work });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--from REV is required');
    const bad = runCli(['plan', '--from', 'no-such-branch'], { cwd: fx.work });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--from "no-such-branch": no such commit');
  });

  it('--flake DIR plans a fleet in a sub-folder of the repository', () => {
    const sub = new GitFixture('tappaas-plan-sub-');
    try {
      const small = writeNixFleet(join(sub.work, 'infra'), { hosts: 3 });
      const first = sub.commit(undefined, { 'README.md': '# repo\n' });
      const host = small.hosts[1]!;
      const index = Number(/\d+$/.exec(host)![0]);
      const head = sub.commit(first, {
        [`infra/${small.hostPath(host)}`]: hostText(host, index, { lines: ['  settings.motd = "sub";'] }),
        'README.md': '# repo, changed\n',
      });
      const r = runCli(
        ['plan', '--from', first, '--to', head, '--flake', 'infra', '--json', '--no-closures'],
        {
          cwd: sub.work,
          env: offlineNixEnv(),
        },
      );
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(r.stdout) as PlanJson & { ignored: string[] };
      expect(byStatus(json, 'changed')).toEqual([host]);
      expect(json.hosts.find((h) => h.name === host)!.reasons).toEqual([`infra/nix/hosts/${host}.nix`]);
      expect(json.ignored).toEqual(['README.md']);
    } finally {
      sub.cleanup();
    }
  }, 120_000);
});
