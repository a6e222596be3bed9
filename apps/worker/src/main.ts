// Entry point: `pnpm --filter @visage/worker start` (npm start runs it beside the web app).
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { startWorker } from './worker.ts';

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = readConfig();
const log = createLogger({ level: config.LOG_LEVEL, format: config.LOG_FORMAT });

process.on('unhandledRejection', (reason) => {
  log.fatal({ err: reason }, 'unhandled promise rejection');
  process.exit(1);
});

try {
  const worker = await startWorker(config, log);
  let stoppingSince = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stoppingSince) {
      // One Ctrl-C can arrive several times (terminal, process manager, wrapper); a deliberate
      // second press a moment later means "stop now".
      if (Date.now() - stoppingSince < 1_000) return;
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    stoppingSince = Date.now();
    log.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: config.VISAGE_SHUTDOWN_TIMEOUT_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, config.VISAGE_SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    worker.stop().then(
      () => {
        log.info('worker stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
} catch (error) {
  log.fatal({ err: error }, (error as Error).message);
  process.exit(1);
}
