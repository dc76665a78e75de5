import type { Protocol } from '../discover/classify-instance.js';

export interface ParameterInput {
  readonly protocol: Protocol;
  readonly hostname: string;
  readonly port: number;
  /** Not used by VNC. */
  readonly username: string;
  /** PEM or OpenSSH text, stored as given (Guacamole accepts both); SSH only. */
  readonly privateKey?: string | undefined;
  /** The decrypted Administrator password; RDP only. */
  readonly password?: string | undefined;
  /** Pinned SSH host key (`host-key`); SSH only. */
  readonly hostKey?: string | undefined;
  readonly record: boolean;
}

/** Guacamole's token for the recording-storage extension's folder (the extension and the token came with 1.5.0). */
export const HISTORY_PATH_TOKEN = '${HISTORY_PATH}';

/**
 * Recording goes where the guacamole-history-recording-storage extension finds it: one folder per session,
 * named by the history entry, so recordings appear beside the connection's history.
 */
const RECORDING_PATH = '${HISTORY_PATH}/${HISTORY_UUID}';

/** Whether these parameters record sessions into `${HISTORY_PATH}` (see RECORDING_PATH). */
export function recordsIntoHistoryPath(parameters: Readonly<Record<string, string>>): boolean {
  return parameters['recording-path']?.includes(HISTORY_PATH_TOKEN) === true;
}

/** Guacamole connection parameters for one instance. Empty values are never stored (Guacamole never does). */
export function connectionParameters(input: ParameterInput): Record<string, string> {
  const parameters: Record<string, string> = { hostname: input.hostname, port: String(input.port) };
  if (input.protocol !== 'vnc') parameters.username = input.username;
  if (input.protocol === 'rdp') {
    if (input.password !== undefined) parameters.password = input.password;
    // EC2 Windows instances present a self-signed certificate; NLA or TLS is negotiated.
    parameters['ignore-cert'] = 'true';
    parameters.security = 'any';
  }
  if (input.protocol === 'ssh') {
    if (input.privateKey !== undefined) parameters['private-key'] = input.privateKey;
    if (input.hostKey !== undefined) parameters['host-key'] = input.hostKey;
  }
  if (input.record) {
    parameters['recording-path'] = RECORDING_PATH;
    parameters['create-recording-path'] = 'true';
    // Text transcripts exist only for terminal protocols.
    if (input.protocol === 'ssh' || input.protocol === 'telnet') {
      parameters['typescript-path'] = RECORDING_PATH;
      parameters['create-typescript-path'] = 'true';
    }
  }
  return parameters;
}
