// Fixture "NixOS systems" for deploy tests: real store paths built by real nix (no nixpkgs; the
// builder is /bin/sh), whose bin/switch-to-configuration does what NixOS's does to a test target's
// fake root: `switch`/`test` point current-system at the new system and restart its service (a
// small HTTP server answering its version on / and its health on /health), `boot` only records the
// boot entry. Variants make activation fail, health fail, the service not start, or activation slow.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export type FixtureVariant = 'ok' | 'activation-fails' | 'health-fails' | 'no-service' | 'slow';

export interface FixtureSpec {
  /** The fake root of the target this system is for (current-system, service files). */
  root: string;
  /** The port its HTTP service listens on (127.0.0.1). */
  httpPort: number;
  /** A marker the service answers on `/`; also part of the store name. */
  version: string;
  variant?: FixtureVariant;
  /** For `slow`: seconds switch-to-configuration sleeps before switching (default 4). */
  slowSeconds?: number;
}

const PYTHON = '/usr/bin/python3';

// argv: version port health-status root. Writes its pid and a ready marker once it listens.
const SERVICE = `import http.server, os, sys
version, port, health, root = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = health if self.path == '/health' else 200
        body = (('ok' if code == 200 else 'unhealthy') if self.path == '/health' else version).encode()
        self.send_response(code)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(('127.0.0.1', port), H)
with open(root + '/service.pid', 'w') as f:
    f.write(str(os.getpid()))
with open(root + '/service.ready.tmp', 'w') as f:
    f.write(version)
os.rename(root + '/service.ready.tmp', root + '/service.ready')
server.serve_forever()
`;

function switchScript(s: FixtureSpec): string {
  const variant = s.variant ?? 'ok';
  const q = (v: string | number) => `'${String(v).replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# Fixture switch-to-configuration (${variant}).
set -e
self=\${0%/bin/switch-to-configuration}
root=${q(s.root)}
mode=$1
echo "$(date +%s) ${s.version} $mode start" >>"$root/activations.log"
${variant === 'slow' ? `sleep ${s.slowSeconds ?? 4}` : ''}
case "$mode" in
  boot) ln -sfn "$self" "$root/boot-entry"; echo "$(date +%s) ${s.version} $mode done" >>"$root/activations.log"; exit 0 ;;
  switch|test) ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac
[ "$mode" = switch ] && ln -sfn "$self" "$root/boot-entry"
# Stop the running service, as NixOS stops changed units.
if [ -f "$root/service.pid" ]; then
  pid=$(cat "$root/service.pid")
  kill "$pid" 2>/dev/null || true
  # A zombie counts as gone: it has exited and only waits for its reaper, which is not us (the
  # agent that started it has ended) but pid 1, and a container's pid 1 may reap it seconds
  # later where systemd would at once.
  alive() { kill -0 "$1" 2>/dev/null || return 1; st=; { read -r _ _ st _ <"/proc/$1/stat"; } 2>/dev/null; [ "$st" != Z ]; }
  i=0; while alive "$pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done
  rm -f "$root/service.pid"
fi
${variant === 'activation-fails' ? 'echo "fixture: activation fails on purpose" >&2; exit 1' : ''}
ln -sfn "$self" "$root/current-system"
${variant === 'no-service' ? 'exit 0' : ''}
rm -f "$root/service.ready"
setsid ${PYTHON} "$self/libexec/service.py" ${q(s.version)} ${s.httpPort} ${variant === 'health-fails' ? 500 : 200} "$root" >>"$root/service.log" 2>&1 </dev/null &
i=0; until [ -f "$root/service.ready" ] || [ $i -ge 100 ]; do sleep 0.05; i=$((i+1)); done
echo "$(date +%s) ${s.version} $mode done" >>"$root/activations.log"
`;
}

const BUILDER = [
  '/bin/mkdir -p $out/bin $out/libexec',
  'printf "%s" "$stc" > $out/bin/switch-to-configuration',
  '/bin/chmod +x $out/bin/switch-to-configuration',
  'printf "%s" "$service" > $out/libexec/service.py',
  'printf "%s\\n" "$version" > $out/version',
].join(' && ');

const SYSTEMS_NIX = `let
  specs = builtins.fromJSON (builtins.readFile ./systems.json);
  mk = s: derivation {
    name = s.name;
    inherit (s) stc service version;
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" ${JSON.stringify(BUILDER)} ];
  };
in builtins.mapAttrs (_: mk) specs
`;

export const NIX_TEST_CONFIG = 'experimental-features = nix-command flakes\nsubstituters =\n';

/** Builds all specs with one `nix build`; returns their store paths in order. */
export async function buildFixtureSystems(dir: string, specs: FixtureSpec[]): Promise<string[]> {
  const attrs: Record<string, unknown> = {};
  specs.forEach((s, i) => {
    const name = `nixos-system-${s.version}-${s.variant ?? 'ok'}`.replace(/[^A-Za-z0-9+._?=-]/g, '-');
    attrs[`s${i}`] = { name, stc: switchScript(s), service: SERVICE, version: s.version };
  });
  writeFileSync(join(dir, 'systems.json'), JSON.stringify(attrs));
  writeFileSync(join(dir, 'systems.nix'), SYSTEMS_NIX);
  const { stdout } = await promisify(execFile)(
    'nix',
    ['build', '--no-link', '--json', '-f', join(dir, 'systems.nix'), ...specs.map((_, i) => `s${i}`)],
    { env: { ...process.env, NIX_CONFIG: NIX_TEST_CONFIG }, maxBuffer: 64 * 1024 * 1024 },
  );
  const built = JSON.parse(stdout) as { outputs: { out: string } }[];
  return built.map((b) => b.outputs.out);
}
