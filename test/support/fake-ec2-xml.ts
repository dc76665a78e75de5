/**
 * XML rendering for the fake EC2 (aws-ec2.md §5, §11.2, §11.3). Element names are the wire names,
 * which differ from the SDK's in places: `ipAddress` (PublicIpAddress), `dnsName` (PublicDnsName),
 * `imageOwnerId` (OwnerId), `regionEndpoint` (Endpoint).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { FakeImage, FakeInstance } from './fake-ec2.js';

const NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';

const STATE_CODES: Readonly<Record<string, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

/**
 * Escapes text for element content. `\r` must be a character reference: XML parsers (the SDK's
 * included) turn a literal CR or CRLF into LF.
 */
export function escapeXml(value: string): string {
  return value.replace(/[&<>"'\r]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `<name>value</name>`; an empty string gives `<name/>` (as AWS sends empty DNS names); undefined gives nothing. */
export function el(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return text === '' ? `<${name}/>` : `<${name}>${escapeXml(text)}</${name}>`;
}

/** A `…Set`/`regionInfo` list: `<name><item>…</item>…</name>`, or `<name/>` when empty. */
export function list(name: string, items: readonly string[]): string {
  return items.length === 0 ? `<${name}/>` : `<${name}>${items.map((i) => `<item>${i}</item>`).join('')}</${name}>`;
}

export function successXml(action: string, body: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${NAMESPACE}">` +
    `${el('requestId', randomUUID())}${body}</${action}Response>`
  );
}

/** The EC2 error shape; note `RequestID` here against `requestId` in successes. */
export function errorXml(code: string, message: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>${el('Code', code)}${el('Message', message)}` +
    `</Error></Errors>${el('RequestID', randomUUID())}</Response>`
  );
}

export function instanceXml(i: FakeInstance): string {
  const state = i.state ?? 'running';
  const tags = Object.entries(i.tags ?? {}).map(([key, value]) => el('key', key) + el('value', value));
  return [
    el('instanceId', i.instanceId),
    el('imageId', i.imageId),
    `<instanceState>${el('code', STATE_CODES[state] ?? 16)}${el('name', state)}</instanceState>`,
    el('privateDnsName', i.privateDns),
    el('dnsName', i.publicDns),
    el('keyName', i.keyName),
    el('instanceType', 't3.micro'),
    el('launchTime', i.launchTime?.toISOString()),
    `<placement>${el('availabilityZone', `${i.region}a`)}</placement>`,
    el('platform', i.platform),
    el('privateIpAddress', i.privateIp),
    el('ipAddress', i.publicIp),
    el('ipv6Address', i.ipv6),
    el('platformDetails', i.platformDetails),
    i.tags === undefined ? '' : list('tagSet', tags),
  ].join('');
}

/** One `reservationSet/item`, holding one or more instances. */
export function reservationXml(instances: readonly FakeInstance[]): string {
  const first = instances[0]?.instanceId ?? 'i-none';
  return (
    el('reservationId', `r-${first.replace(/^i-/, '')}`) +
    el('ownerId', '123456789012') +
    list('instancesSet', instances.map(instanceXml))
  );
}

export function imageXml(image: FakeImage): string {
  return [
    el('imageId', image.imageId),
    el('imageState', 'available'),
    el('imageOwnerId', image.ownerId),
    el('imageOwnerAlias', image.ownerAlias),
    el('name', image.name),
    el('description', image.description),
    el('platform', image.platform),
    el('platformDetails', image.platformDetails),
    el('deprecationTime', image.deprecated === true ? '2024-01-01T00:00:00.000Z' : undefined),
  ].join('');
}

export function regionXml(region: string): string {
  const endpoint = `ec2.${region}.amazonaws.com`;
  return el('regionName', region) + el('regionEndpoint', endpoint) + el('optInStatus', 'opt-in-not-required');
}

/** The whole request body as text (the Query protocol sends form-encoded parameters). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendXml(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/xml;charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
