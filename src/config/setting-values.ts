/** The value sets and defaults of settings that later steps also name (config owns them; the pipeline imports them). */

/** `AWS_DISCOVERY_POLICY`: `sync` creates, updates and deletes; `upsert-only` never deletes; `create-only` never updates. */
export type Policy = 'sync' | 'upsert-only' | 'create-only';

/** `AWS_DISCOVERY_ADDRESS`: which of an instance's addresses a connection uses, in order of preference. */
export type AddressKind = 'private-ip' | 'public-ip' | 'private-dns' | 'public-dns' | 'ipv6';
export const ADDRESS_KINDS: readonly AddressKind[] = ['private-ip', 'public-ip', 'private-dns', 'public-dns', 'ipv6'];
export const DEFAULT_ADDRESS_ORDER: readonly AddressKind[] = ['private-ip', 'public-ip'];

/** The per-scope listing deadline when none is configured (AWS_DISCOVERY_LISTING_TIMEOUT). */
export const DEFAULT_LISTING_TIMEOUT_MS = 60_000;

/** An AWS region name as AWS_DISCOVERY_REGIONS takes it (`us-east-1`, `us-gov-west-1`, `cn-north-1`). */
export const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;
