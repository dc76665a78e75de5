import type { Config, Secrets } from '../../config/config.js';
import type { Logger } from '../../shared/logger.js';
import type { KeySource } from './key-types.js';
import { combineKeySources } from './combined-key-source.js';
import { createKeeperKeySource } from './keeper-vault.js';
import { readKeyFiles } from './key-files.js';
import { inspectPrivateKey } from './private-key.js';

/** Where a run's keys come from: the Keeper vault when configured (it wins), else or then the keys folder. */
export function createKeySource(config: Pick<Config, 'keysDir'>, secrets: Pick<Secrets, 'ksmConfig'>, logger: Logger): KeySource {
  const folder: KeySource = (names) => readKeyFiles(config.keysDir, names);
  if (secrets.ksmConfig === undefined) return folder;
  const vault = createKeeperKeySource({ ksmConfig: secrets.ksmConfig, inspect: inspectPrivateKey, logger });
  return combineKeySources(vault, folder);
}
