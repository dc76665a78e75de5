/** The loader hooks record-modules.ts registers: each module URL is appended to the log before the module loads. */
import { appendFileSync } from 'node:fs';

let file: string | undefined;

export function initialize(data: { file: string }): void {
  file = data.file;
}

type NextLoad = (url: string, context: unknown) => Promise<unknown>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<unknown> {
  if (file !== undefined) appendFileSync(file, `${url}\n`);
  return nextLoad(url, context);
}
