/** Real SDK clients pointed at a FakeEc2, for the wire-level tests. */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { createEc2Client, sdkEc2Api } from '../../src/discover/ec2-client.js';
import type { Ec2Api } from '../../src/discover/ec2-client.js';
import type { FakeEc2 } from './fake-ec2.js';

// Never let the SDK probe instance metadata for credentials or region.
process.env.AWS_EC2_METADATA_DISABLED = 'true';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export interface TestClients {
  /** An `Ec2Api` over a real `EC2Client` for `region`; created on first use, destroyed by `destroyAll`. */
  api(region: string, options?: { maxAttempts?: number; secretAccessKey?: string }): Ec2Api;
  client(region: string): EC2Client;
  destroyAll(): void;
}

export function testClients(fake: () => FakeEc2): TestClients {
  const clients = new Map<string, EC2Client>();
  const clientFor = (region: string, maxAttempts = 2, secretAccessKey = 'test'): EC2Client => {
    const key = `${region}/${maxAttempts}/${secretAccessKey}`;
    let client = clients.get(key);
    if (client === undefined) {
      const credentials = { ...TEST_CREDENTIALS, secretAccessKey };
      client = createEc2Client({ region, endpoint: fake().endpoint, credentials, maxAttempts });
      clients.set(key, client);
    }
    return client;
  };
  return {
    api: (region, options = {}) => sdkEc2Api(clientFor(region, options.maxAttempts, options.secretAccessKey)),
    client: (region) => clientFor(region),
    destroyAll: () => {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    },
  };
}
