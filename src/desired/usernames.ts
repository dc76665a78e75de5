import type { ImageInfo } from '../discover/instance.js';
import { TAGS } from '../discover/tags.js';

/** Owner accounts of the publishers' official images (see aws-ec2.md §6.2). */
const OWNERS = {
  amazon: '137112412989',
  canonical: '099720109477',
  debian: '136693071363',
  redhat: '309956199498',
  fedora: '125523088429',
  rocky: '792107900819',
  alma: '764336703387',
  freebsd: '118940168514',
} as const;

/** First match wins; patterns are tried against the image name, then the description. */
const RULES: readonly { readonly pattern: RegExp; readonly user: string; readonly owner?: string }[] = [
  { pattern: /bitnami/i, user: 'bitnami' },
  { pattern: /^(al2023-ami|amzn2?-ami|amzn-ec2-macos)/i, user: 'ec2-user', owner: OWNERS.amazon },
  { pattern: /ubuntu/i, user: 'ubuntu', owner: OWNERS.canonical },
  { pattern: /^debian/i, user: 'admin', owner: OWNERS.debian },
  { pattern: /^rocky/i, user: 'rocky', owner: OWNERS.rocky },
  { pattern: /^almalinux/i, user: 'ec2-user', owner: OWNERS.alma },
  { pattern: /^fedora/i, user: 'fedora', owner: OWNERS.fedora },
  { pattern: /^centos[- ]stream[- ]?(9|\d\d)/i, user: 'ec2-user' },
  { pattern: /^centos/i, user: 'centos' },
  { pattern: /^(rhel|red ?hat)/i, user: 'ec2-user', owner: OWNERS.redhat },
  { pattern: /^(suse|sles|opensuse)/i, user: 'ec2-user' },
  { pattern: /^freebsd/i, user: 'ec2-user', owner: OWNERS.freebsd },
  { pattern: /^turnkey/i, user: 'root' },
];

const DEFAULT_USERNAME = 'ec2-user';

/**
 * The login AWS documents for the image's distribution, from its name (the only reliable signal; the owner id
 * breaks ties when the name alone matches an official publisher), else `ec2-user`.
 */
export function guessUsername(image: ImageInfo | undefined): string {
  if (image === undefined) return DEFAULT_USERNAME;
  for (const text of [image.name, image.description]) {
    if (text === undefined) continue;
    const rule = RULES.find((r) => r.pattern.test(text.trim()));
    if (rule !== undefined) return rule.user;
  }
  const byOwner = RULES.find((r) => r.owner !== undefined && r.owner === image.ownerId);
  return byOwner?.user ?? DEFAULT_USERNAME;
}

/**
 * The `kcm:username` tag, trimmed; undefined when absent or blank. A value with spaces or control characters (a
 * newline) cannot be a login name: it is reported in `problems` and the default login is used instead.
 */
export function taggedUsername(value: string | undefined, problems: string[]): string | undefined {
  const name = value?.trim() ?? '';
  if (name === '') return undefined;
  if (/[\s\p{Cc}\p{Cf}]/u.test(name)) {
    problems.push(`${TAGS.username} contains spaces or control characters; using the default login`);
    return undefined;
  }
  return name;
}
