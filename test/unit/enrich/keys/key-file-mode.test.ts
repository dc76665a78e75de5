import { expect } from 'chai';
import { keyFileModeWarning } from '../../../../src/enrich/keys/key-file-mode.js';

const PATH = '/etc/keys/deploy.pem';
const ROOT = 0;
const DAEMON = { uid: 998, gids: [997, 4] };
const ROOT_DAEMON = { uid: 0, gids: [0] };
const file = (mode: number, uid: number, gid = 997) => ({ mode: 0o100000 | mode, uid, gid });

describe('keyFileModeWarning', () => {
  it('accepts a file only its owner can read: the daemon its own, or root any', () => {
    for (const mode of [0o600, 0o400, 0o700]) {
      expect(keyFileModeWarning(PATH, file(mode, DAEMON.uid), DAEMON), mode.toString(8)).to.equal(undefined);
      expect(keyFileModeWarning(PATH, file(mode, ROOT), ROOT_DAEMON), mode.toString(8)).to.equal(undefined);
      expect(keyFileModeWarning(PATH, file(mode, 1234), ROOT_DAEMON), mode.toString(8)).to.equal(undefined);
    }
  });

  it("accepts the README layout: owner root, the daemon's group may read (0640, 0440), the daemon not root", () => {
    expect(keyFileModeWarning(PATH, file(0o640, ROOT), DAEMON)).to.equal(undefined);
    expect(keyFileModeWarning(PATH, file(0o440, ROOT), DAEMON)).to.equal(undefined);
  });

  it('warns on anything wider, with advice that keeps the daemon able to read', () => {
    const cases: [number, number, { uid: number; gids: number[] }, string][] = [
      [0o644, ROOT, DAEMON, `${PATH} is readable by other users (mode 0644); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      [0o604, ROOT, DAEMON, `${PATH} is readable by other users (mode 0604); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      [0o660, ROOT, DAEMON, `${PATH} is writable by its group (mode 0660); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      [0o650, ROOT, DAEMON, `${PATH} is open to its group (mode 0650); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      [0o601, ROOT, DAEMON, `${PATH} is open to other users (mode 0601); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      [0o666, ROOT, DAEMON, `${PATH} is writable by its group and readable by other users (mode 0666); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
      // The daemon's own file needs no group: owner only.
      [0o640, DAEMON.uid, DAEMON, `${PATH} is readable by its group (mode 0640); run chmod 600 ${PATH}`],
      [0o644, DAEMON.uid, DAEMON, `${PATH} is readable by its group and readable by other users (mode 0644); run chmod 600 ${PATH}`],
      // A root daemon reads everything: the group is not needed either.
      [0o640, ROOT, ROOT_DAEMON, `${PATH} is readable by its group (mode 0640); run chmod 600 ${PATH}`],
      [0o644, 1234, ROOT_DAEMON, `${PATH} is readable by its group and readable by other users (mode 0644); run chmod 600 ${PATH}`],
      // Another user's file, read through the group or by everyone: hand it to root and the daemon's group.
      [0o640, 1234, DAEMON, `${PATH} is readable by its group (mode 0640); run chown root:997 ${PATH} && chmod 640 ${PATH}`],
    ];
    for (const [mode, uid, reader, expected] of cases) expect(keyFileModeWarning(PATH, file(mode, uid), reader)).to.equal(expected);
  });

  it("names the file's group when the daemon belongs to it, else the daemon's primary group", () => {
    expect(keyFileModeWarning(PATH, file(0o644, ROOT, 4), DAEMON)).to.match(/chown root:4 /);
    expect(keyFileModeWarning(PATH, file(0o604, ROOT, 50), DAEMON)).to.match(/chown root:997 /);
  });

  it('without user ids (Windows), advises owner only', () => {
    expect(keyFileModeWarning(PATH, file(0o644, 0), { uid: undefined, gids: [] })).to.match(/; run chmod 600 /);
  });
});
