// `system migrate`: a rootless user's namespace is made again (after a /etc/subuid change) by
// restarting the pause process; root has nothing to migrate. Needs no store.
export async function systemMigrate(): Promise<void> {
  if (process.geteuid?.() === 0 && !process.env._TSMAN_USERNS) return;
  const { migrate } = await import('../userns/index.js');
  const { resolvePaths } = await import('../config/paths.js');
  await migrate(resolvePaths().runtimeDir);
}
