/** What the permission check needs to know about a key file (from its `stat`). */
export interface KeyFileOwnership {
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** Who reads the key files: the daemon's user id (undefined where the platform has none) and its group ids, primary first. */
export interface KeyFileReader {
  readonly uid: number | undefined;
  readonly gids: readonly number[];
}

/**
 * The warning for a key file open to more than the daemon needs, or undefined. Two layouts are accepted:
 * - owner only (0600, 0400): the daemon owns the file, or is root;
 * - owner root, read by the daemon through the file's group (0640, 0440), the layout the README recommends, where
 *   the daemon runs as an unprivileged user of that group.
 * Anything wider warns (any bit for other users, a group that may write, a group-readable file of a non-root owner,
 * or of root when the daemon is root itself); the advice fits the layout the daemon is in, so following it never
 * locks the daemon out.
 */
export function keyFileModeWarning(path: string, file: KeyFileOwnership, reader: KeyFileReader): string | undefined {
  const mode = file.mode & 0o777;
  if ((mode & 0o077) === 0) return undefined;
  const throughGroup = file.uid === 0 && reader.uid !== undefined && reader.uid !== 0;
  if (throughGroup && (mode & 0o037) === 0) return undefined;

  const groupReads = (mode & 0o040) !== 0 && !throughGroup;
  const groupWrites = (mode & 0o020) !== 0;
  const problems: string[] = [];
  if (groupReads && groupWrites) problems.push('readable and writable by its group');
  else if (groupReads) problems.push('readable by its group');
  else if (groupWrites) problems.push('writable by its group');
  else if ((mode & 0o010) !== 0) problems.push('open to its group');
  if ((mode & 0o004) !== 0) problems.push('readable by other users');
  else if ((mode & 0o003) !== 0) problems.push('open to other users');
  const what = `${path} is ${problems.join(' and ')} (mode ${octal(mode)})`;
  if (reader.uid === undefined || reader.uid === 0 || file.uid === reader.uid) return `${what}; run chmod 600 ${path}`;
  // The daemon reads someone else's file: only the README layout lets it keep reading once the file is closed.
  const group = reader.gids.includes(file.gid) ? file.gid : (reader.gids[0] ?? file.gid);
  return `${what}; run chown root:${group} ${path} && chmod 640 ${path}`;
}

function octal(mode: number): string {
  return `0${mode.toString(8).padStart(3, '0')}`;
}
