export type Platform = 'linux' | 'windows';

export interface ParameterInput {
  readonly platform: Platform;
  readonly hostname: string;
  readonly username: string;
  /** PEM or OpenSSH text, stored as given (Guacamole accepts both). */
  readonly privateKey?: string | undefined;
  readonly record: boolean;
}

/**
 * Recording goes where the guacamole-history-recording-storage extension finds it: one folder per session,
 * named by the history entry, so recordings appear beside the connection's history.
 */
const RECORDING_PATH = '${HISTORY_PATH}/${HISTORY_UUID}';

/** Guacamole connection parameters for one instance. Empty values are never stored (Guacamole never does). */
export function connectionParameters(input: ParameterInput): Record<string, string> {
  const parameters: Record<string, string> =
    input.platform === 'windows'
      ? { hostname: input.hostname, port: '3389', username: input.username, 'ignore-cert': 'true', security: 'any' }
      : { hostname: input.hostname, port: '22', username: input.username };
  if (input.platform === 'linux' && input.privateKey !== undefined) parameters['private-key'] = input.privateKey;
  if (input.record) {
    parameters['recording-path'] = RECORDING_PATH;
    parameters['create-recording-path'] = 'true';
    if (input.platform === 'linux') {
      parameters['typescript-path'] = RECORDING_PATH;
      parameters['create-typescript-path'] = 'true';
    }
  }
  return parameters;
}
