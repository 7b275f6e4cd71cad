// GPU hosts configured halfway, as seen from one module: `hardware.nvidia.*` without
// `"nvidia"` in `services.xserver.videoDrivers` (NixOS then never loads the driver, even on
// a headless host), and CUDA packages without `nixpkgs.config.cudaSupport = true` (the
// CUDA-capable packages around them are then built without GPU support).
//
// The rule sees one file; the other half may live in another module of the same host. The
// messages say "in this module", and the help says how to silence it when that is so.
import type { Node } from 'web-tree-sitter';
import { type AttrDefinition, staticPath, unwrapValue } from '../../nix-ast/attrpaths.js';
import { moduleInfo } from '../../nix-ast/module.js';
import { rangeOfOffsets } from '../../nix-ast/range.js';
import type { Rule } from '../types.js';
import { stringLiteralValue } from './util/nix.js';

/** Packages that are CUDA builds by name (`cudaPackages.cudnn`, `cudaPackages_12_4.…`, `cudatoolkit`). */
const CUDA_PACKAGE = /\b(?:cudaPackages(?:_\d+(?:_\d+)?)?\.[\w-]+|cudatoolkit(?:_\d+(?:_\d+)?)?)\b/g;
/**
 * Packages whose GPU support follows `config.cudaSupport` (vllm, torch, …); they count
 * only where the module also sets up an NVIDIA GPU or names a CUDA package, since on a CPU
 * host they are right as they are. `torchWithCuda` and `*-bin` builds bring CUDA themselves.
 */
const CUDA_CAPABLE =
  /(?<![\w-])(?:(?:python\d*Packages|python\d+\.pkgs)\.)?(?:vllm|torch|pytorch|tensorflow|jaxlib|llama-cpp|ollama|onnxruntime|xformers|bitsandbytes)(?![\w-])/g;
const PREFILTER =
  /nvidia|cuda|vllm|torch|tensorflow|jaxlib|llama-cpp|ollama|onnxruntime|xformers|bitsandbytes/;

interface PackageHit {
  name: string;
  start: number;
  end: number;
  cuda: boolean;
}

const rule: Rule = {
  meta: {
    type: 'problem',
    docs: {
      description:
        'NVIDIA settings without the nvidia video driver, and CUDA packages without `nixpkgs.config.cudaSupport`, in the same module.',
      why: 'NixOS loads the NVIDIA kernel module only when "nvidia" is in `services.xserver.videoDrivers`, also on a headless host: `hardware.nvidia.*` alone builds a host without a GPU driver. Without `nixpkgs.config.cudaSupport = true`, vllm, torch and friends are built for the CPU, so CUDA packages next to them do nothing. Both fail only at run time.',
      bad: '{ pkgs, ... }:\n{\n  hardware.nvidia.open = false;\n  environment.systemPackages = [ pkgs.cudaPackages.cudatoolkit ];\n}',
      good: '{ config, pkgs, ... }:\n{\n  nixpkgs.config.cudaSupport = true;\n  services.xserver.videoDrivers = [ "nvidia" ];\n  hardware.nvidia.open = false;\n  environment.systemPackages = [ pkgs.cudaPackages.cudatoolkit ];\n}',
      certainty:
        'A likely mistake, read from one module: another module of the host may set the driver or `cudaSupport`. Only reported in NixOS modules.',
    },
    messages: {
      noVideoDriver:
        '`hardware.nvidia` is configured in this module, but `services.xserver.videoDrivers` does not include "nvidia" here: the NVIDIA kernel module is never loaded.',
      noCudaSupport:
        '`{{name}}` is installed in this module without `nixpkgs.config.cudaSupport = true`: CUDA-capable packages are then built without GPU support.',
    },
    defaultLevel: 'warning',
    certainty: 'heuristic',
    scope: 'nixos',
  },
  create(context) {
    return {
      Program() {
        const file = context.file;
        if (!PREFILTER.test(file.source)) return;
        const info = moduleInfo(file);
        if (!info.isModule) return;
        let nvidiaKey: Node | undefined;
        let driver: 'nvidia' | 'other' | 'unknown' | undefined;
        let datacenter = false;
        let cudaSupport: 'on' | 'off' | undefined;
        const installs: AttrDefinition[] = [];
        for (const def of info.definitions) {
          const path = staticPath(def.segments);
          if (!path) continue;
          const [a, b, c] = path;
          if (a === 'hardware' && b === 'nvidia') {
            nvidiaKey ??= def.segments[1]!.node;
            if (c === 'datacenter' && path[3] === 'enable') datacenter = true;
          } else if (a === 'services' && b === 'xserver' && c === 'videoDrivers' && def.value) {
            driver = mergeDriver(driver, videoDrivers(def.value));
          } else if (a === 'services' && b === 'xserver' && path.length === 2) {
            driver = 'unknown'; // `services.xserver = someAttrs;`: cannot tell
          } else if (a === 'nixpkgs' && (b === 'pkgs' || (b === 'config' && path.length === 2))) {
            cudaSupport = 'on'; // an imported config or a whole package set: cannot tell
          } else if (a === 'nixpkgs' && b === 'config' && c === 'cudaSupport') {
            const v = def.value ? unwrapValue(def.value).text : '';
            if (cudaSupport !== 'on') cudaSupport = v === 'false' ? 'off' : 'on';
          } else if (installsPackages(path)) {
            installs.push(def);
          }
        }
        if (nvidiaKey && !datacenter && driver !== 'nvidia' && driver !== 'unknown') {
          context.report({
            node: nvidiaKey,
            messageId: 'noVideoDriver',
            help: 'Add `services.xserver.videoDrivers = [ "nvidia" ];` next to it (no X server is started by that). If another module of this host sets it, say so here: `# tappaas-lint-disable-next-line gpu-driver -- videoDrivers is set in <file>`.',
          });
        }
        if (cudaSupport === 'on' || installs.length === 0) return;
        // `cudaSupport = true` in an override (`torch.override { cudaSupport = true; }`) is fine too.
        if (cudaSupport === undefined && /cudaSupport\s*=\s*true/.test(file.source)) return;
        const hits = installs.flatMap((d) => packagesIn(d, file.source, file.root));
        const gpuModule = nvidiaKey !== undefined || driver === 'nvidia' || hits.some((h) => h.cuda);
        const first = hits.find((h) => h.cuda || gpuModule);
        if (!first) return;
        context.report({
          range: rangeOfOffsets(file.source, first.start, first.end),
          messageId: 'noCudaSupport',
          data: { name: first.name },
          help: 'Set `nixpkgs.config.cudaSupport = true;` (with `nixpkgs.config.allowUnfree = true;`) in the module that configures the GPU. If another module of this host sets it, say so here: `# tappaas-lint-disable-next-line gpu-driver -- cudaSupport is set in <file>`.',
        });
      },
    };
  },
};

/** Definitions that install packages or run them: system packages, user packages, services. */
function installsPackages(path: string[]): boolean {
  if (path[0] === 'environment' && path[1] === 'systemPackages') return true;
  if (path[0] === 'users' && path[1] === 'users' && path[3] === 'packages') return true;
  return path[0] === 'systemd' && (path[1] === 'services' || (path[1] === 'user' && path[2] === 'services'));
}

/** What a `videoDrivers` value says: "nvidia" listed, only other literals, or not literal. */
function videoDrivers(value: Node): 'nvidia' | 'other' | 'unknown' {
  const list = unwrapValue(value);
  if (list.type !== 'list_expression') return 'unknown';
  let allLiteral = true;
  for (const e of list.namedChildren) {
    if (!e || e.type === 'comment') continue;
    const s = stringLiteralValue(e);
    if (s === 'nvidia') return 'nvidia';
    if (s === undefined) allLiteral = false;
  }
  return allLiteral ? 'other' : 'unknown';
}

function mergeDriver(
  a: 'nvidia' | 'other' | 'unknown' | undefined,
  b: 'nvidia' | 'other' | 'unknown',
): 'nvidia' | 'other' | 'unknown' {
  if (a === 'nvidia' || b === 'nvidia') return 'nvidia';
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  return 'other';
}

/** Package names in a definition's value, by text, outside comments. */
function packagesIn(def: AttrDefinition, source: string, root: Node): PackageHit[] {
  if (!def.value) return [];
  const start = def.value.startIndex;
  const text = source.slice(start, def.value.endIndex);
  const out: PackageHit[] = [];
  for (const [re, cuda] of [
    [CUDA_PACKAGE, true],
    [CUDA_CAPABLE, false],
  ] as const) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const at = start + m.index;
      const node = root.descendantForIndex(at);
      if (node?.type === 'comment' || node?.type === 'string_fragment') continue;
      out.push({ name: m[0], start: at, end: at + m[0].length, cuda });
    }
  }
  return out.sort((x, y) => x.start - y.start);
}

export default rule;
