// What onboarding and retiring change, as pure functions of the base revision's texts: the
// file changes and the inventory edit. No git, no disk.
import type { FleetLayout } from '../config/fleet.js';
import { hardwarePath, hostPath } from '../fleet/layout.js';
import { payloadPath } from '../fleet/registration-files.js';
import { hostFile } from './host-file.js';
import { removeMember, setMember } from './json-edit.js';
import { deployAddress, type RegistrationPayload } from './payload.js';

export const CONFIG_FILE = 'tappaas.json';

/** The inventory entry: address and role from the payload; fields someone set by hand stay. */
export function inventoryEntry(
  payload: RegistrationPayload,
  existing: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const entry: Record<string, unknown> = { ...(existing ?? {}) };
  const address = deployAddress(payload);
  if (address) entry.address = address;
  else delete entry.address;
  entry.role = payload.role;
  if (!Array.isArray(entry.tags)) entry.tags = [payload.role];
  // Keys in a stable order: the three we own first, then the rest as they were.
  const { address: a, role, tags, ...rest } = entry;
  return { ...(a === undefined ? {} : { address: a }), role, tags, ...rest };
}

export interface OnboardInput {
  host: string;
  layout: FleetLayout;
  roles: readonly string[];
  payload: RegistrationPayload;
  payloadBytes: Buffer;
  hardwareBytes: Buffer;
  /** tappaas.json at the base, if it exists. */
  configText?: string;
  /** The base already has nix/hosts/<host>.nix (a re-registration): keep it as it is. */
  hostFileExists: boolean;
}

export function onboardChanges(input: OnboardInput): Record<string, Buffer | string> {
  const { host, layout } = input;
  const changes: Record<string, Buffer | string> = {
    [payloadPath(host)]: input.payloadBytes,
    [hardwarePath(layout, host)]: input.hardwareBytes,
  };
  if (!input.hostFileExists)
    changes[hostPath(layout, host)] = hostFile(host, input.payload.role, input.roles);
  const text = input.configText ?? '{\n  "$schema": "./schemas/tappaas.schema.json"\n}\n';
  const config = JSON.parse(text) as { hosts?: Record<string, unknown> };
  const existing = config.hosts?.[host];
  const entry = inventoryEntry(
    input.payload,
    existing && typeof existing === 'object' ? (existing as Record<string, unknown>) : undefined,
  );
  changes[CONFIG_FILE] = setMember(text, ['hosts', host], entry);
  return changes;
}

/** Retiring: the host's three files and its inventory and registration-binding entries. */
export function retireChanges(
  host: string,
  layout: FleetLayout,
  present: ReadonlySet<string>,
  configText: string | undefined,
): Record<string, string | null> {
  const changes: Record<string, string | null> = {};
  for (const p of [hostPath(layout, host), hardwarePath(layout, host), payloadPath(host)])
    if (present.has(p)) changes[p] = null;
  if (configText !== undefined) {
    let text = removeMember(configText, ['hosts', host]);
    text = removeMember(text, ['policy', 'registration', 'hosts', host]);
    if (text !== configText) changes[CONFIG_FILE] = text;
  }
  return changes;
}
