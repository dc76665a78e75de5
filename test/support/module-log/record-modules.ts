/**
 * A preload (`NODE_OPTIONS=--import=<this file's URL>`) that records every module a process loads, one URL or path a
 * line, into the file MODULE_LOG_FILE names: ES modules as the loader's `load` hook sees them (module-log-hooks.ts, on
 * the loader's thread, written before the module runs), and at exit every CommonJS module in the require cache (the
 * SDKs and drivers are CommonJS packages whose inner `require`s the ES loader's hooks do not see on Node 20).
 * loaded-packages.ts reads the file. Without MODULE_LOG_FILE it does nothing.
 */
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.MODULE_LOG_FILE;
if (file !== undefined && file !== '') {
  register('./module-log-hooks.js', import.meta.url, { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const paths = Object.keys(require.cache);
    if (paths.length > 0) appendFileSync(file, `${paths.join('\n')}\n`);
  });
}
