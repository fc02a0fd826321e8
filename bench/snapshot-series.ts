/**
 * Snapshots taken side by side: every repetition starts from empty destinations and takes a full
 * snapshot, a no-change snapshot and one after 1% of the files changed, with the contenders in a
 * rotated order. Each copy is checked: all files there, and only the changed ones not hard-linked.
 */
import { rm } from 'node:fs/promises';
import type { Contender, Taken } from './contenders.js';
import { median, rotateOrder, runChecked } from './measure.js';
import { changeOnePercent, inspectCopy, type TreeShape } from './tree.js';

export const STEPS = ['full', 'no-change', 'one-percent'] as const;
export type Step = (typeof STEPS)[number];

export interface SeriesResult {
  /** Milliseconds of each repetition, by contender and step. */
  times: Record<string, Record<Step, number[]>>;
  /** KiB the no-change snapshot added beside the previous one (du, hard links counted once). */
  noChangeKiB: Record<string, number>;
  problems: string[];
}

export interface SeriesPlan {
  source: string;
  shape: TreeShape;
  reps: number;
  /** Fresh contenders (with empty destinations) for one repetition. */
  contenders(rep: number): Promise<Contender[]>;
  /** Removes what one repetition wrote. */
  cleanUp(rep: number): Promise<void>;
  log(line: string): void;
}

/** KiB that `dir` adds beside `previous`: du counts each hard-linked file once, at first sight. */
export async function addedKiB(previous: string, dir: string): Promise<number> {
  const r = await runChecked('du', ['-sk', previous, dir], { keepStdout: true });
  const second = r.stdout.trim().split('\n')[1] ?? '';
  return Number(second.split('\t')[0]);
}

export async function runSeries(plan: SeriesPlan, roundBase: number): Promise<SeriesResult> {
  const result: SeriesResult = { times: {}, noChangeKiB: {}, problems: [] };
  for (let rep = 0; rep < plan.reps; rep++) {
    const contenders = await plan.contenders(rep);
    for (const step of STEPS) {
      const changed =
        step === 'one-percent'
          ? await changeOnePercent(plan.source, plan.shape, roundBase + rep)
          : 0;
      for (const c of rotateOrder(contenders, rep)) {
        let taken: Taken;
        // Each run starts with no dirty pages left by the one before: it pays for its own writes.
        await runChecked('sync', []);
        try {
          taken = await c.take();
        } catch (e) {
          result.problems.push(`${c.name}, ${step}: ${(e as Error).message}`);
          continue;
        }
        const perStep = (result.times[c.name] ??= { full: [], 'no-change': [], 'one-percent': [] });
        perStep[step].push(taken.ms);
        plan.log(
          `  rep ${rep + 1} ${step.padEnd(11)} ${c.name.padEnd(15)} ${(taken.ms / 1000).toFixed(2)} s`,
        );
        const problem = await checkCopy(taken, step, plan.shape.files, changed);
        if (problem) result.problems.push(`${c.name}, ${step}, rep ${rep + 1}: ${problem}`);
        if (rep === 0 && step === 'no-change' && taken.previousDir) {
          result.noChangeKiB[c.name] = await addedKiB(taken.previousDir, taken.snapshotDir);
        }
      }
    }
    await plan.cleanUp(rep);
  }
  return result;
}

async function checkCopy(
  taken: Taken,
  step: Step,
  files: number,
  changed: number,
): Promise<string | null> {
  const copy = await inspectCopy(taken.copyRoot).catch(() => null);
  if (copy === null) return `no copy of the source at ${taken.copyRoot}`;
  if (copy.files !== files) return `${copy.files} files in the snapshot, ${files} in the source`;
  const expectUnshared = step === 'full' ? files : step === 'no-change' ? 0 : changed;
  if (copy.unshared !== expectUnshared) {
    return `${copy.unshared} files not hard-linked to the previous snapshot, expected ${expectUnshared}`;
  }
  return null;
}

export function mediansOf(times: Record<Step, number[]>): Record<Step, number> {
  return {
    full: median(times.full),
    'no-change': median(times['no-change']),
    'one-percent': median(times['one-percent']),
  };
}

export async function removeAll(paths: readonly string[]): Promise<void> {
  for (const p of paths) await rm(p, { recursive: true, force: true });
}
