// What deploy, status and rollback all start from: the repository root, tappaas.json's
// inventory and deploy settings, and where the fleet's flake is.
import { dirname, join } from 'node:path';
import { loadConfig } from '../config/file.js';
import { fleetLayout } from '../config/fleet.js';
import { repoRoot } from '../git/repo-root.js';
import { type Inventory, inventoryOf } from './inventory.js';

export interface FleetContext {
  root: string;
  flakeDir: string;
  inventory: Inventory;
  configFile?: string;
}

export function fleetContext(cwd: string, configFile?: string): FleetContext {
  const root = repoRoot(cwd);
  const { config, file } = loadConfig(root, configFile);
  const inventory = inventoryOf(config, file ?? 'tappaas.json');
  const flakeDir = dirname(join(root, fleetLayout(config.fleet).flake));
  const ctx: FleetContext = { root, flakeDir, inventory };
  if (file !== undefined) ctx.configFile = file;
  return ctx;
}
