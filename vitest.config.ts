import { defineConfig } from 'vitest/config';

// Two projects: everything in one process runs in parallel files; the worker-pool tests start
// real threads and run one file at a time (the machines have two cores).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts', 'test/kernels/**/*.test.ts', 'test/cli/**/*.test.ts', 'test/bench/kernels-bench.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'pool',
          include: ['test/pool/**/*.test.ts', 'test/bench/bench.test.ts'],
          fileParallelism: false,
          testTimeout: 120_000,
        },
      },
      {
        // Real redis-server processes and worker processes: one file at a time.
        test: {
          name: 'queue',
          include: ['test/queue/**/*.test.ts'],
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
