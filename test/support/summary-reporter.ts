import type { Reporter } from 'vitest/reporters';
import type { RunnerTask, RunnerTestFile } from 'vitest';

function count(tasks: RunnerTask[], acc = { passed: 0, failed: 0, skipped: 0 }) {
  for (const t of tasks) {
    if (t.type === 'test') {
      const state = t.result?.state;
      if (t.mode === 'skip' || t.mode === 'todo') acc.skipped++;
      else if (state === 'pass') acc.passed++;
      else if (state === 'fail') acc.failed++;
      else acc.skipped++;
    } else if ('tasks' in t) count(t.tasks, acc);
  }
  return acc;
}

/** Prints one plain closing line ("tests: N passed, N failed, N skipped") that any CI can read. */
export default class SummaryLineReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = [], errors: unknown[] = []) {
    const c = count(files);
    // A file or suite whose set-up failed leaves its tests "skipped": count it as a failure.
    const failedWithoutFailedTest = files.filter((f) => f.result?.state === 'fail' && count(f.tasks).failed === 0).length;
    process.stdout.write(`\ntests: ${c.passed} passed, ${c.failed + failedWithoutFailedTest + errors.length} failed, ${c.skipped} skipped\n`);
  }
}
