/** What the key source knows about one key pair name. Key text is a secret: it only goes into parameters. */
export type KeyLookup =
  | { readonly status: 'found'; readonly privateKey: string }
  | { readonly status: 'missing' | 'invalid'; readonly reason: string };
