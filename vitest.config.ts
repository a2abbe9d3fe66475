import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    restoreMocks: true,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests bind real sockets and LevelDB directories; forks keep native handles per process.
    pool: 'forks'
  }
})
