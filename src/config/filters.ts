/** An EC2 DescribeInstances filter, as the API takes it. */
export interface InstanceFilter {
  readonly Name: string;
  readonly Values: readonly string[];
}

/** EC2 filter names: lowercase words with `-` and `.` (e.g. `instance-state-name`, `vpc-id`), or `tag:<key>`. */
const FILTER_NAME = /^(tag:.+|tag-key|tag-value|[a-z][a-z0-9.-]*)$/;

/**
 * Pure: `AWS_DISCOVERY_FILTERS` → DescribeInstances filters, so AWS does the filtering. The syntax is
 * `name=value,value;name=value`: filters are separated by `;` (all must match), values by `,` (any may match),
 * `\` escapes `;`, `,`, `=` and `\` in tag keys and values; EC2's `*` and `?` wildcards pass through.
 * Example: `tag:Environment=prod,staging;instance-state-name=running`.
 */
export function parseFilters(text: string): { filters: InstanceFilter[] } | { problem: string } {
  const filters: InstanceFilter[] = [];
  for (const part of splitEscaped(text, ';')) {
    if (part.trim() === '') continue;
    const [rawName, ...rest] = splitEscaped(part, '=', 2);
    const name = unescapeFilterText(rawName ?? '').trim();
    if (rest.length === 0) return { problem: `"${name}" has no "=": write name=value[,value…]` };
    if (!FILTER_NAME.test(name)) return { problem: `"${name}" is not an EC2 filter name (e.g. tag:Environment, instance-state-name, vpc-id)` };
    const values = splitEscaped(rest[0] ?? '', ',').map((v) => unescapeFilterText(v).trim()).filter((v) => v !== '');
    if (values.length === 0) return { problem: `"${name}" has no value` };
    if (values.length > 200) return { problem: `"${name}" has ${values.length} values; EC2 takes at most 200` };
    if (filters.some((f) => f.Name === name)) return { problem: `"${name}" is given twice; list its values once, separated by ","` };
    filters.push({ Name: name, Values: values });
  }
  if (filters.length === 0) return { problem: 'names no filter' };
  return { filters };
}

/** Splits on `separator` where it is not escaped by `\`; at most `limit` parts (the last keeps the rest). */
function splitEscaped(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[++i] as string);
    } else if (c === separator && parts.length < limit - 1) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

function unescapeFilterText(text: string): string {
  return text.replace(/\\([\\;,=])/g, '$1');
}
