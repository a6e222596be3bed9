// tRPC routers, request context (session or API key) and the typed client for scripts.
// Public surface of @visage/api. Filled in by its own issue; see ../../shared/DESIGN.md.
export {};
