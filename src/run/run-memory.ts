import type { RegionListCache } from '../discover/enabled-regions.js';
import { ConsoleMemory } from '../enrich/host-keys/console-memory.js';
import { PasswordMemory } from '../enrich/passwords/password-memory.js';

/** What the daemon remembers between runs (in memory only; `--once` starts empty): each step's own memory. */
export class RunMemory {
  /** Windows instances not to ask GetPasswordData again yet. */
  readonly passwords = new PasswordMemory();
  /** Consoles not to read again yet (host key pinning). */
  readonly consoles = new ConsoleMemory();
  /** `AWS_DISCOVERY_REGIONS=*`: each account's enabled regions (by account id, `''` without roles), asked again after an hour. */
  readonly regionLists = new Map<string, RegionListCache>();
  /** Warnings said once per process (the schema's recording warning). */
  readonly #said = new Set<string>();

  /** True the first time `warning` is asked about, false after: say it then. */
  firstTime(warning: string): boolean {
    if (this.#said.has(warning)) return false;
    this.#said.add(warning);
    return true;
  }
}
