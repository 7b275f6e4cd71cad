// The registration payload (fleet/registration-files.ts) a new VM pushed: size-limited, parsed,
// validated against schemas/registration.schema.json and held to the host-name rules. Pure:
// text in, payload or problems out.
import { describeSchemaErrors } from '../config/file.js';
import { hostNameProblem } from '../policy/registration.js';
import { compileSchema, type Validator } from '../schemas/compile.js';
import { loadSchema } from '../schemas/load.js';

export interface RegistrationPayload {
  hostname: string;
  role: string;
  macs: string[];
  addresses: string[];
  proxmoxVmId: number | null;
  cpu: { model: string; count: number };
  memoryBytes: number;
  disks: { name: string; sizeBytes: number; model?: string }[];
  gpus: { pciAddress: string; vendorId: string; deviceId: string; driver?: string }[];
  sshHostKey: string;
  toolkitVersion: string;
}

/** A registration payload is a few KB; anything near this is not one. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** `nixos-generate-config --show-hardware-config` writes one or two KB. */
export const MAX_HARDWARE_BYTES = 256 * 1024;

export type PayloadResult = { ok: true; payload: RegistrationPayload } | { ok: false; problems: string[] };

let validate: Validator | undefined;

function schemaValidator(): Validator {
  validate ??= compileSchema(loadSchema('registration.schema.json'));
  return validate;
}

/**
 * `file` names the payload in messages. That the payload names the host its branch is for is
 * the registration verdict's rule (policy/registration.ts), as at push time.
 */
export function parsePayload(bytes: Buffer, file: string): PayloadResult {
  if (bytes.length > MAX_PAYLOAD_BYTES)
    return {
      ok: false,
      problems: [
        `${file} has ${bytes.length} bytes; a registration payload may have at most ${MAX_PAYLOAD_BYTES}`,
      ],
    };
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${file} is not valid JSON: ${(err as Error).message}`] };
  }
  const problems: string[] = [];
  const check = schemaValidator();
  if (!check(data)) {
    for (const p of describeSchemaErrors((check.errors ?? []) as Parameters<typeof describeSchemaErrors>[0]))
      problems.push(`${file}${p.path === '/' ? '' : ` ${p.path}`}: ${p.message}`);
  }
  const name = (data as { hostname?: unknown } | null)?.hostname;
  if (typeof name === 'string') {
    const bad = hostNameProblem(name);
    if (bad) problems.push(`${file}: hostname ${JSON.stringify(name)} ${bad}`);
  }
  if (problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  return { ok: true, payload: data as RegistrationPayload };
}

/** The address to deploy to: the first IPv4 address, else the first one, else none (the host name). */
export function deployAddress(p: Pick<RegistrationPayload, 'addresses'>): string | undefined {
  return p.addresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? p.addresses[0];
}
