// Runs once when the Next.js server starts: validate the configuration now, so a bad variable
// stops the server at boot with a message naming it instead of failing the first request.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { config, ConfigError } = await import('./server/config.ts');
  try {
    config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}
