// Server-side surface of @visage/api (the web app's route handlers use it).
export { type Caller, visibleAssets, visibleJobs } from './access.ts';
export { type Auth, createAuth } from './auth.ts';
export {
  type ApiServices,
  type Context,
  createContext,
  createContextInner,
  resolveCaller,
} from './context.ts';
export { type AppRouter, appRouter, createCaller } from './root.ts';
export { MAX_BULK_ASSETS } from './routers/assets.ts';
export { type ApiConfig, createApiServices } from './services.ts';
export { withSignupLock } from './signup-lock.ts';
