/**
 * An AWS SDK client made at its first call, its SDK package loaded then with `await import()`: a module that holds one
 * loads no SDK until it is used. The daemon's optional clients are made this way (STS and IAM for
 * AWS_DISCOVERY_ASSUME_ROLES, SQS for the events queue), so a configuration without them never pays for loading them.
 */
export interface SdkOnFirstCall<Sdk, Client> {
  /** The SDK (for its command classes) and the one client, loaded and made by the first call. */
  get(): Promise<{ readonly sdk: Sdk; readonly client: Client }>;
  /** Ends the client if one was made (or once it is); a later `get` makes a new one. */
  destroy(): void;
}

export function sdkOnFirstCall<Sdk, Client extends { destroy(): void }>(
  load: () => Promise<Sdk>,
  makeClient: (sdk: Sdk) => Client,
): SdkOnFirstCall<Sdk, Client> {
  let made: Promise<{ sdk: Sdk; client: Client }> | undefined;
  return {
    get: () => (made ??= load().then((sdk) => ({ sdk, client: makeClient(sdk) }))),
    destroy: () => {
      made?.then(({ client }) => client.destroy()).catch(() => undefined);
      made = undefined;
    },
  };
}
