/**
 * The run's time cut into consecutive phases that add up to the run (pure), from the EC2 call spans (timed-ec2.ts)
 * and the statement timeline (sql-counter.ts), all in ms from the run's start:
 *
 *   start → first DescribeInstances            `startMs`     (reading the DescribeImages cache)
 *   → last DescribeInstances/DescribeImages    `listingMs`   (SDK requests, the fake's answers, XML parsing, mapping of
 *                                                             the SDK objects; regions in parallel, images after pages)
 *   → first GetPasswordData                    `keysMs`      (storing new images, key files, stored passwords)
 *   → last GetPasswordData answered            `passwordsMs` (SDK calls and RSA decryption, 8 at a time)
 *   → BEGIN of the run's transaction           `mappingMs`   (instances → desired connections)
 *   → last read before the first write         `loadMs`      (Guacamole's current state and the bookkeeping)
 *   → first write                              `planMs`      (the planner, pure)
 *   → COMMIT                                   `writeMs`     (the change set, one transaction)
 *   → end of the run                           `afterMs`     (change log lines, the run's status record)
 *
 * A phase that did not happen is 0 (no GetPasswordData: `keysMs` ends with the last statement before BEGIN and
 * `passwordsMs` is 0; no write: `planMs` runs to COMMIT).
 */
import type { StatementSpan } from './sql-counter.js';

export interface PhaseBreakdown {
  readonly startMs: number;
  readonly listingMs: number;
  readonly keysMs: number;
  readonly passwordsMs: number;
  readonly mappingMs: number;
  readonly loadMs: number;
  readonly planMs: number;
  readonly writeMs: number;
  readonly afterMs: number;
  /** DescribeInstances pages: first request → last answer (overlaps `listingMs`). */
  readonly describeInstancesMs: number;
  /** DescribeImages: first request → last answer (overlaps `listingMs`; 0 when every AMI was cached). */
  readonly describeImagesMs: number;
  /** BEGIN → COMMIT of the run's transaction: `loadMs + planMs + writeMs`. */
  readonly transactionMs: number;
  /** Sum of statement round trips inside the run's transaction. */
  readonly transactionDatabaseMs: number;
}

export interface CallWindow {
  readonly calls: number;
  readonly fromMs: number;
  readonly toMs: number;
}

/** `ec2`: spans per action; `timeline`: statements relative to the run's start; `runMs`: the run's length. */
export function breakDown(ec2: Readonly<Record<string, CallWindow>>, timeline: readonly StatementSpan[], runMs: number): PhaseBreakdown {
  const di = ec2.DescribeInstances;
  const images = ec2.DescribeImages;
  const gpd = ec2.GetPasswordData;
  // The run's transaction is the first BEGIN … COMMIT (the run status is recorded in its own, later).
  const begin = timeline.findIndex((s) => s.kind === 'control');
  const commit = begin < 0 ? -1 : timeline.findIndex((s, i) => i > begin && s.kind === 'control');
  const inside = begin < 0 || commit < 0 ? [] : timeline.slice(begin + 1, commit);
  const firstWrite = inside.findIndex((s) => s.kind === 'write');
  const reads = firstWrite < 0 ? inside : inside.slice(0, firstWrite);

  const clamp = (v: number) => Math.max(0, Math.min(runMs, v));
  const a = clamp(di?.fromMs ?? 0);
  const b = clamp(Math.max(a, di?.toMs ?? a, images?.toMs ?? a));
  const tBegin = clamp(begin < 0 ? runMs : (timeline[begin] as StatementSpan).startAt);
  // Without GetPasswordData calls, the password phase sits after the last statement before BEGIN (stored passwords).
  const lastBefore = timeline.filter((s, i) => (begin < 0 || i < begin) && s.endAt >= b && s.endAt <= tBegin).at(-1)?.endAt ?? b;
  const c = clamp(Math.min(Math.max(b, gpd?.fromMs ?? lastBefore), tBegin));
  const d = clamp(Math.min(Math.max(c, gpd?.toMs ?? c), tBegin));
  const tCommit = clamp(commit < 0 ? tBegin : (timeline[commit] as StatementSpan).endAt);
  const f = clamp(Math.max(tBegin, reads.at(-1)?.endAt ?? (begin < 0 ? tBegin : (timeline[begin] as StatementSpan).endAt)));
  const g = clamp(Math.max(f, firstWrite < 0 ? (commit < 0 ? f : (timeline[commit] as StatementSpan).startAt) : (inside[firstWrite] as StatementSpan).startAt));
  const h = Math.max(g, tCommit);
  const r = (v: number) => Math.round(v);
  return {
    startMs: r(a),
    listingMs: r(b - a),
    keysMs: r(c - b),
    passwordsMs: r(d - c),
    mappingMs: r(tBegin - d),
    loadMs: r(f - tBegin),
    planMs: r(g - f),
    writeMs: r(h - g),
    afterMs: r(Math.max(0, runMs - h)),
    describeInstancesMs: di === undefined ? 0 : r(di.toMs - di.fromMs),
    describeImagesMs: images === undefined ? 0 : r(images.toMs - images.fromMs),
    transactionMs: r(h - tBegin),
    transactionDatabaseMs: r(inside.reduce((sum, s) => sum + (s.endAt - s.startAt), 0)),
  };
}
