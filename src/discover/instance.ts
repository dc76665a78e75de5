/**
 * What discovery hands to the rest of the program: plain data, no SDK types.
 * Field names follow the EC2 API; absent fields stay undefined (never empty strings).
 */
export interface DiscoveredInstance {
  /**
   * The scope it was listed in: the region, or `<account id>/<region>` with AWS_DISCOVERY_ASSUME_ROLES (the instance
   * id is unique only per account). Keys, the image cache and the EC2 client of later calls all follow it.
   */
  readonly scope: string;
  readonly instanceId: string;
  /** `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`. */
  readonly state: string;
  readonly imageId?: string;
  readonly keyName?: string;
  /** Raw `Platform`: `windows` on the wire for Windows, undefined otherwise. Compare case-insensitively. */
  readonly platform?: string;
  readonly platformDetails?: string;
  readonly privateIp?: string;
  readonly publicIp?: string;
  readonly privateDns?: string;
  readonly publicDns?: string;
  readonly ipv6?: string;
  readonly launchTime?: Date;
  /** Tag key → value. */
  readonly tags: Readonly<Record<string, string>>;
}

export interface ImageInfo {
  readonly imageId: string;
  readonly name?: string;
  readonly description?: string;
  readonly ownerId?: string;
  readonly ownerAlias?: string;
  readonly platform?: string;
  readonly platformDetails?: string;
}

/** The result of listing one scope (a region of an account). A failed scope is "unknown", never "empty". */
export type ScopeListing =
  | {
      readonly scope: string;
      readonly ok: true;
      readonly instances: readonly DiscoveredInstance[];
      /** Images that could be read, by id. Missing ids are deregistered, private or unshared. */
      readonly images: ReadonlyMap<string, ImageInfo>;
      /** Ids asked about that DescribeImages did not return (deregistered, private or unshared). */
      readonly missingImages?: readonly string[];
      /** Instance ids DescribeInstances listed more than once (merged into one instance each; see mergeDuplicateInstances). */
      readonly duplicates?: readonly string[];
      readonly calls: { readonly describeInstances: number; readonly describeImages: number };
    }
  | {
      readonly scope: string;
      readonly ok: false;
      /** A one-line, secret-free description: the AWS error code and message, the operation, the region. */
      readonly error: string;
      readonly code?: string;
    };

/** `scope` is the instance's listing scope (`region` or `<account id>/<region>`). */
export function instanceKey(scope: string, instanceId: string): string {
  return `${scope}/${instanceId}`;
}
