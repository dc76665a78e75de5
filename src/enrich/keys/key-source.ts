import type { Config, Secrets } from '../../config/config.js';
import type { Logger } from '../../shared/logger.js';
import type { KeySource } from './key-types.js';
import { combineKeySources } from './combined-key-source.js';
import { readKeyFiles } from './key-files.js';
import { inspectPrivateKey } from './private-key.js';

/** Where a run's keys come from: the Keeper vault when configured (it wins), else or then the keys folder. */
export function createKeySource(config: Pick<Config, 'keysDir'>, secrets: Pick<Secrets, 'ksmConfig'>, logger: Logger): KeySource {
  const folder: KeySource = (names) => readKeyFiles(config.keysDir, names);
  if (secrets.ksmConfig === undefined) return folder;
  const options = { ksmConfig: secrets.ksmConfig, inspect: inspectPrivateKey, logger };
  // The vault module, and the Keeper SDK with it, loads at the first lookup: only AWS_DISCOVERY_KSM_CONFIG loads it.
  const openVault = () => import('./keeper-vault.js').then((vault) => vault.createKeeperKeySource(options));
  let vault: Promise<KeySource> | undefined;
  const fromVault: KeySource = async (names) => (await (vault ??= openVault()))(names);
  return combineKeySources(fromVault, folder);
}
