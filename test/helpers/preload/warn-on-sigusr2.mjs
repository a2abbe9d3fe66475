// Preloaded with `node --import` into the built CLI: SIGUSR2 makes the process emit a Node warning, so a
// test can check where warnings go while the node runs.
process.on('SIGUSR2', () => {
  process.emitWarning('a warning raised by the test', { code: 'PK_TEST_WARNING' })
})
