// ensure_postgres / ensure_redis (scripts/lib/services.sh): what setup.sh does when a store is down.
// Fake pg_ctlcluster / redis-server commands "start" a server by opening a TCP listener.
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot, Sandbox } from './sandbox.ts';

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  server.close();
  await once(server, 'close');
  return port;
}

const libs = `source '${repoRoot}/scripts/lib/common.sh'; source '${repoRoot}/scripts/lib/services.sh'`;

/** Bash that starts a detached listener on $1 and records its pid, standing in for a server. */
const listen = (pidFile: string) =>
  `"$(command -v node)" -e 'require("net").createServer((s) => s.end()).listen(+process.argv[1], "127.0.0.1")' "$PORT" >/dev/null 2>&1 &
   echo $! >> '${pidFile}'`;

describe('services.sh', () => {
  let sandbox: Sandbox;
  afterEach(() => {
    const pids = path.join(sandbox.bin, 'pids');
    const started = existsSync(pids) ? readFileSync(pids, 'utf8').split('\n').filter(Boolean) : [];
    for (const pid of started) process.kill(Number(pid));
    sandbox.dispose();
  });

  it('should start a stopped Debian cluster on the port DATABASE_URL names', async () => {
    sandbox = new Sandbox();
    const port = await freePort();
    sandbox
      .fake('id', 'echo 0') // root, as CI is
      .fake('pg_lsclusters', `echo "15 main ${port} down postgres /var/lib/postgresql/15/main log"`)
      .fake('pg_ctlcluster', `PORT=${port}; ${listen(path.join(sandbox.bin, 'pids'))}`);
    const { code, stdout, stderr } = sandbox.bash(`${libs}; ensure_postgres`, {
      DATABASE_URL: `postgresql://postgres:pw@127.0.0.1:${port}/visage`,
    });
    expect(code, stderr).toBe(0);
    expect(sandbox.calls()).toContain('pg_ctlcluster --skip-systemctl-redirect 15 main start');
    expect(stdout).toContain(`PostgreSQL reachable at 127.0.0.1:${port}`);
  });

  it('should stop with what to install when nothing can start PostgreSQL', async () => {
    sandbox = new Sandbox();
    const port = await freePort();
    const { code, stderr } = sandbox.bash(`${libs}; ensure_postgres; echo unreachable`, {
      DATABASE_URL: `postgresql://postgres:pw@localhost:${port}/visage`,
    });
    expect(code).toBe(1);
    expect(stderr).toContain(`PostgreSQL is not reachable at localhost:${port} and could not be started.`);
    expect(stderr).toContain('sudo apt-get install postgresql');
    expect(stderr).toContain('brew install postgresql@16');
    expect(stderr).toContain('docker compose -f docker-compose.yml up -d postgres');
  });

  it('should not try to start a server on another machine', async () => {
    sandbox = new Sandbox();
    sandbox.fake('pg_lsclusters', 'echo "15 main 5432 down postgres x y"').fake('pg_ctlcluster', 'exit 0');
    const { code, stderr } = sandbox.bash(`${libs}; ensure_postgres`, {
      DATABASE_URL: 'postgresql://postgres:pw@192.0.2.1:5432/visage', // TEST-NET: never answers
    });
    expect(code).toBe(1);
    expect(stderr).toContain('PostgreSQL is not reachable at 192.0.2.1:5432 (from DATABASE_URL).');
    expect(sandbox.calls().filter((c) => c.startsWith('pg_ctlcluster'))).toEqual([]);
  });

  it('should use Docker Compose when an engine runs and no local server exists', async () => {
    sandbox = new Sandbox();
    const port = await freePort();
    sandbox.fake(
      'docker',
      `case "$1" in info) exit 0 ;; compose) [ "$2" = version ] && exit 0; PORT=${port}; ${listen(path.join(sandbox.bin, 'pids'))} ;; esac`,
    );
    const { code, stderr } = sandbox.bash(`${libs}; ensure_redis`, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(code, stderr).toBe(0);
    expect(sandbox.calls()).toContain(`docker compose -f ${repoRoot}/docker-compose.yml up -d redis`);
  });

  it('should start an installed redis-server on the port REDIS_URL names', async () => {
    sandbox = new Sandbox();
    const port = await freePort();
    sandbox.fake('redis-server', `PORT=${port}; ${listen(path.join(sandbox.bin, 'pids'))}`);
    const { code, stderr } = sandbox.bash(`${libs}; ensure_redis`, {
      REDIS_URL: `redis://127.0.0.1:${port}`,
    });
    expect(code, stderr).toBe(0);
    expect(sandbox.calls()).toContain(
      `redis-server --daemonize yes --bind 127.0.0.1 -::1 --port ${port} --save  --appendonly no`,
    );
  });

  it('should leave a server that already answers alone', () => {
    sandbox = new Sandbox();
    sandbox.fake('redis-server', 'exit 1');
    const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
    const { code, stdout } = sandbox.bash(`${libs}; ensure_redis`, { REDIS_URL: redisUrl });
    expect(code).toBe(0);
    expect(stdout).toContain('Redis reachable at');
    expect(sandbox.calls()).toEqual([]);
  });
});
