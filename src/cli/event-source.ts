import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { Config } from '../config/config.js';
import type { AccountDirectory } from '../discover/account-directory.js';
import { EventQueue } from '../discover/events/event-queue.js';
import { acceptedScopes, type AcceptedScopes } from '../discover/events/instance-event.js';
import { createStsApi, homeRegionOf } from '../discover/sts-iam-client.js';
import type { EventSource } from '../daemon/event-loop.js';

/** How the daemon receives: a batch ends once the queue is quiet (at most the 1 s window), not at the window's end. */
export const DAEMON_QUEUE_OPTIONS = { endWhenQuiet: true } as const;

/**
 * Event mode's queue and the accounts its events are accepted for, built from the configuration. Nothing is called,
 * and no SDK loaded, until the event loop's first receive: @aws-sdk/client-sqs and (without AWS_DISCOVERY_ASSUME_ROLES)
 * @aws-sdk/client-sts load at their first call.
 */
export function createEventSource(
  config: Config & { eventsQueue: NonNullable<Config['eventsQueue']> },
  credentials: AwsCredentialIdentityProvider,
  accounts: AccountDirectory | undefined,
): EventSource {
  // The queue lives in the daemon's own account: its own credentials, never an assumed role's.
  const queue = new EventQueue(config.eventsQueue, { credentials, ...DAEMON_QUEUE_OPTIONS });
  const regions = config.allRegions ? 'all' : config.regions;
  const sts = accounts === undefined ? createStsApi({ region: homeRegionOf(undefined), credentials, ...stsEndpoint(config) }) : undefined;
  let ownAccount: string | undefined;

  /** The accounts the daemon reads: its own (GetCallerIdentity, asked until it answers), or those of the roles and `self`. */
  const accountIds = async (): Promise<string[]> => {
    if (accounts === undefined || config.accounts === undefined) {
      ownAccount ??= await (sts as NonNullable<typeof sts>).callerAccount();
      return [ownAccount];
    }
    const ids: string[] = [];
    for (const spec of config.accounts) ids.push(spec.kind === 'role' ? spec.accountId : await accounts.ownAccountId());
    return ids;
  };
  return {
    queue,
    queueName: config.eventsQueue.name,
    acceptedScopes: async (): Promise<AcceptedScopes> => acceptedScopes(await accountIds(), regions),
    close: () => {
      queue.destroy();
      sts?.destroy();
    },
  };
}

function stsEndpoint(config: Config): { endpoint?: string } {
  return config.stsEndpoint === undefined ? {} : { endpoint: config.stsEndpoint };
}
