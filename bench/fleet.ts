/**
 * The synthetic fleet the benchmark serves from the loopback fake EC2. Deterministic: instance `n` is always the
 * same, so runs of the benchmark on different commits compare like with like.
 *
 * By `n % 100`: 0–69 Linux with a key pair (`bench-a`/`bench-b`), 70–89 Windows with password data, 90–99 odd cases:
 * 90 Linux without key pair, 91 key file missing, 92 no IP yet (pending), 93 stopped, 94 name with odd characters
 * (quotes, slash, tab, zero-width space, an emoji MySQL cannot store), 95 name over 128 characters, 96 duplicate name,
 * 97 Windows without key pair, 98 Windows whose password EC2 has not generated yet, 99 no tags and a deregistered AMI.
 * Regions, images, folders (`kcm:organize`: 20 teams × 15 services, 85% of instances) and `kcm:record` (20%) come
 * from a small seeded generator.
 */
import { seededRandom as random } from '../test/support/seeded-random.js';
import type { FakeImage, FakeInstance } from '../test/support/fake-ec2.js';

export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2', 'us-west-2'] as const;

/** Key pairs whose `.pem` the keys folder holds; `bench-missing` has none. */
export const KEY_NAMES = { linux: ['bench-a', 'bench-b'], windows: 'bench-win', missing: 'bench-missing' } as const;

const LINUX_IMAGES = [
  'al2023-ami-2023.6.20241010.0-kernel-6.1-x86_64',
  'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20240927',
  'debian-12-amd64-20240717-1811',
  'RHEL-9.4.0_HVM-20240605-x86_64-82-Hourly2-GP3',
  'Rocky-9-EC2-Base-9.4-20240523.0.x86_64',
  'amzn2-ami-kernel-5.10-hvm-2.0.20241001.0-x86_64-gp2',
];
const WINDOWS_IMAGES = ['Windows_Server-2022-English-Full-Base-2024.10.09', 'Windows_Server-2019-English-Full-Base-2024.10.09'];
/** AMI versions per image family and region: 6 Linux × 4 + 2 Windows × 4 = 32 AMIs per region. */
const VERSIONS = 4;
const TEAMS = 20;
const SERVICES_PER_TEAM = 15;

export interface Fleet {
  readonly instances: FakeInstance[];
  readonly images: FakeImage[];
}


function pick<T>(items: readonly T[], r: number): T {
  return items[Math.floor(r * items.length) % items.length] as T;
}

export function instanceId(n: number): string {
  return `i-${n.toString(16).padStart(17, '0')}`;
}

function amiId(region: string, family: number, version: number): string {
  return `ami-${(REGIONS.indexOf(region as (typeof REGIONS)[number]) * 1000 + family * 10 + version).toString(16).padStart(17, '0')}`;
}

/** Every image of the fleet, in every region (the AMI of odd case 99 is deliberately absent: deregistered). */
export function fleetImages(): FakeImage[] {
  const families = [...LINUX_IMAGES, ...WINDOWS_IMAGES];
  return REGIONS.flatMap((region) =>
    families.flatMap((name, family) =>
      Array.from({ length: VERSIONS }, (_, version) => ({
        imageId: amiId(region, family, version),
        region,
        name: `${name}-v${version}`,
        ...(family >= LINUX_IMAGES.length ? { platform: 'windows', platformDetails: 'Windows' } : {}),
      })),
    ),
  );
}

/** Images a churn run launches from for the first time (the "unknown AMI" case): one new version per region. */
export function launchImages(): FakeImage[] {
  return REGIONS.map((region) => ({ imageId: amiId(region, 0, VERSIONS), region, name: `${LINUX_IMAGES[0]}-v${VERSIONS}` }));
}

/** Instance `n` of the fleet; `passwordData` holds the few ciphertexts made once for the whole run. */
export function makeInstance(n: number, passwordData: readonly string[], newImages = false): FakeInstance {
  const r = random(n * 2654435761);
  const region = pick(REGIONS, r());
  const kind = n % 100;
  const windows = (kind >= 70 && kind < 90) || kind === 97 || kind === 98;
  const family = windows ? LINUX_IMAGES.length + Math.floor(r() * WINDOWS_IMAGES.length) : Math.floor(r() * LINUX_IMAGES.length);
  const version = newImages && !windows && n % 20 === 0 ? VERSIONS : Math.floor(r() * VERSIONS);
  const team = Math.floor(r() * TEAMS);
  const service = Math.floor(r() * SERVICES_PER_TEAM);
  const tags: Record<string, string> = { Name: `${windows ? 'win' : 'host'}-${n}` };
  if (r() < 0.85) tags['kcm:organize'] = `Team ${team}/Service ${team}-${service}`;
  if (r() < 0.2) tags['kcm:record'] = 'true';
  const instance: FakeInstance = {
    instanceId: instanceId(n),
    region,
    imageId: amiId(region, newImages && version === VERSIONS ? 0 : family, version),
    keyName: windows ? KEY_NAMES.windows : pick(KEY_NAMES.linux, r()),
    privateIp: `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`,
    launchTime: new Date(Date.UTC(2026, 0, 1) + n * 1000),
    tags,
    ...(windows ? { platform: 'windows', platformDetails: 'Windows', passwordData: passwordData[n % passwordData.length] as string } : {}),
  };
  return kind >= 90 ? oddCase(instance, kind) : instance;
}

function oddCase(instance: FakeInstance, kind: number): FakeInstance {
  const n = parseInt(instance.instanceId.slice(2), 16);
  const tags = instance.tags ?? {};
  switch (kind) {
    case 90:
      return { ...instance, keyName: undefined };
    case 91:
      return { ...instance, keyName: KEY_NAMES.missing };
    case 92:
      return { ...instance, state: 'pending', privateIp: undefined };
    case 93:
      return { ...instance, state: 'stopped' };
    case 94:
      return { ...instance, tags: { ...tags, Name: `wëb "prod" / <eu> 🚀\tfront\u200b & Ünïcode ${n}` } };
    case 95:
      return { ...instance, tags: { ...tags, Name: `${'very-long-service-name-'.repeat(8)}${n}` } };
    case 96:
      return { ...instance, tags: { ...tags, Name: `duplicate-${n % 7}` } };
    case 97:
      return { ...instance, keyName: undefined };
    case 98:
      return { ...instance, passwordData: undefined };
    case 99:
      return { ...instance, imageId: 'ami-0deregistered000', tags: {} };
    default:
      return instance;
  }
}

export function makeFleet(size: number, passwordData: readonly string[]): Fleet {
  return { instances: Array.from({ length: size }, (_, n) => makeInstance(n, passwordData)), images: fleetImages() };
}

export interface Churn {
  readonly changed: number;
  readonly terminated: number;
  readonly launched: number;
}

/**
 * 1% of `size` changed (in turn: private IP, Name, `kcm:organize`), 1% terminated, 1% launched (numbered after the
 * fleet; one in twenty from an AMI never seen before). Spread over the fleet, every kind of instance included.
 */
export function applyChurn(fleet: Fleet, size: number, passwordData: readonly string[]): Churn {
  const count = Math.max(1, Math.floor(size / 100));
  for (let j = 0; j < count; j++) {
    const changed = fleet.instances[j * 100 + ((j * 37) % 100)];
    const gone = fleet.instances[j * 100 + ((j * 37 + 50) % 100)];
    if (changed === undefined || gone === undefined) throw new Error(`churn index out of range (size ${size})`);
    const tags = changed.tags ?? {};
    if (j % 3 === 0) changed.privateIp = `172.16.${(j >> 8) & 255}.${j & 255}`;
    else if (j % 3 === 1) changed.tags = { ...tags, Name: `renamed-${j}` };
    else changed.tags = { ...tags, 'kcm:organize': `Moved/Batch ${j % 40}` };
    gone.state = 'terminated';
    fleet.instances.push(makeInstance(size + j, passwordData, true));
  }
  fleet.images.push(...launchImages());
  return { changed: count, terminated: count, launched: count };
}
