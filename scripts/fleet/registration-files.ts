// Where a host's registration lives in the fleet: the payload its VM pushes, in a fixed
// folder, and its hardware configuration in the layout's hardware folder (tappaas.json
// `fleet.hardware`). The hook, onboarding and retiring all ask here.
import { posix } from 'node:path';
import type { FleetLayout } from '../config/fleet.js';
import type { RegistrationLayout } from '../policy/registration.js';
import { hardwarePath } from './layout.js';

/** `registrations/<host>.json`: what a new VM pushes on first boot (schemas/registration.schema.json). */
export function payloadPath(host: string): string {
  return posix.join('registrations', `${host}.json`);
}

export function registrationLayout(layout: FleetLayout, host: string): RegistrationLayout {
  return { hardware: hardwarePath(layout, host), payload: payloadPath(host) };
}
