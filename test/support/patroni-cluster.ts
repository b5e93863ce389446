import { execFileSync, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { freePort } from "./free-port.js";
import { childrenOf, Processes, until, type Started } from "./processes.js";

/**
 * A private high-availability PostgreSQL stack, as an operator would run it from Debian's
 * packages: etcd as the store Patroni keeps its leader lock in, two Patroni members each managing
 * a PostgreSQL server (a primary and a synchronous replica: `synchronous_mode` on, so a commit is
 * acknowledged only once the replica has it), and HAProxy sending connections to whichever member
 * Patroni's REST API calls the primary. Everything lives in one temporary directory on free ports;
 * the shared server on 5432 is never touched.
 */
export interface PatroniCluster {
  /** Through HAProxy: always the current primary, whichever member that is. */
  readonly url: string;
  readonly members: readonly PatroniMember[];
  /** The member running as primary, by its own Patroni's account. */
  leader(): Promise<PatroniMember>;
  /** Waits until a member leads, and with `withSyncStandby` until the other streams to it as its synchronous standby. */
  waitForLeader(options?: { readonly withSyncStandby?: boolean; readonly timeoutMs?: number }): Promise<PatroniMember>;
  /**
   * The whole node lost at once: SIGKILL to the member's Patroni (so it cannot restart its
   * server) and to its postmaster and every backend. Returns when all of them are gone.
   */
  killMember(member: PatroniMember): Promise<void>;
  /** SIGKILL to the member's postmaster and every backend; its Patroni lives on and acts. */
  killPostgres(member: PatroniMember): Promise<void>;
  destroy(): Promise<void>;
}

export interface PatroniMember {
  readonly name: string;
  readonly pgPort: number;
  readonly apiPort: number;
  readonly dataDir: string;
}

/** Patroni's timing, in seconds: the leader lock lapses `ttl` after its holder stops renewing it. */
export const PATRONI_TIMING = { ttl: 10, loopWait: 1, retryTimeout: 4 } as const;

const TOOLS = ["patroni", "etcd", "haproxy", "initdb"] as const;

/** Whether the HA stack can run here; under CI=true a missing program is an error, not a skip. */
export function patroniAvailable(suite: string): boolean {
  const missing = TOOLS.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
  if (missing.length === 0) return true;
  const message = `${suite}: ${missing.join(", ")} not on PATH (apt-get install patroni etcd-server etcd-client haproxy)`;
  if (process.env.CI === "true") throw new Error(message);
  console.warn(`WARNING: ${message}; the suite did not run`);
  return false;
}

const asRoot = process.getuid?.() === 0;

/**
 * PostgreSQL refuses to run as root, so as root Patroni (and the servers it starts) run as
 * `postgres`. `setpriv` execs the program (unlike `runuser`, which forks), so the `timeout` that
 * `Processes` wraps around it stops Patroni itself if the test process dies.
 */
function asPostgres(command: string, args: readonly string[]): [string, string[]] {
  return asRoot ? ["setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", "--", command, ...args]] : [command, [...args]];
}

function ownedByPostgres(path: string): void {
  if (!asRoot) return;
  const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
  chownSync(path, uid, gid);
}

/** The server programs' folder (Patroni's `bin_dir`), from the `initdb` on PATH. */
function postgresBinDir(): string {
  const initdb = execFileSync("sh", ["-c", "readlink -f \"$(command -v initdb)\""]).toString().trim();
  return initdb.slice(0, initdb.lastIndexOf("/"));
}

function memberConfig(dir: string, member: PatroniMember, etcdPort: number): string {
  // JSON is YAML: no YAML writer needed.
  return JSON.stringify(
    {
      scope: "cs-agents-drill",
      name: member.name,
      restapi: { listen: `127.0.0.1:${member.apiPort}`, connect_address: `127.0.0.1:${member.apiPort}` },
      etcd3: { hosts: `127.0.0.1:${etcdPort}` },
      bootstrap: {
        dcs: {
          ttl: PATRONI_TIMING.ttl,
          loop_wait: PATRONI_TIMING.loopWait,
          retry_timeout: PATRONI_TIMING.retryTimeout,
          synchronous_mode: true,
          postgresql: { use_pg_rewind: true, parameters: { fsync: "off", max_connections: 60, shared_buffers: "16MB" } },
        },
        initdb: [{ encoding: "UTF8" }, { locale: "C" }],
        pg_hba: ["local all all trust", "host replication replicator 127.0.0.1/32 trust", "host all all 127.0.0.1/32 trust"],
      },
      postgresql: {
        listen: `127.0.0.1:${member.pgPort}`,
        connect_address: `127.0.0.1:${member.pgPort}`,
        data_dir: member.dataDir,
        bin_dir: postgresBinDir(),
        // A former primary that cannot follow the new timeline is rewound, or else cloned afresh.
        remove_data_directory_on_rewind_failure: true,
        remove_data_directory_on_diverged_timelines: true,
        authentication: { superuser: { username: "postgres" }, replication: { username: "replicator" } },
        parameters: { unix_socket_directories: dir },
      },
    },
    null,
    2,
  );
}

/**
 * HAProxy in TCP mode: a member takes connections while its REST API answers `/primary` with 200
 * (checked every 500 ms); when a member is marked down its sessions are cut, so clients reconnect
 * to the new primary instead of waiting on a dead one.
 */
function haproxyConfig(port: number, members: readonly PatroniMember[]): string {
  return [
    "global",
    "  maxconn 200",
    "defaults",
    "  mode tcp",
    "  timeout connect 2s",
    "  timeout client 30m",
    "  timeout server 30m",
    "  timeout check 1s",
    "listen postgres-primary",
    `  bind 127.0.0.1:${port}`,
    "  option httpchk GET /primary",
    "  http-check expect status 200",
    "  default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions",
    ...members.map((m) => `  server ${m.name} 127.0.0.1:${m.pgPort} maxconn 100 check port ${m.apiPort}`),
    "",
  ].join("\n");
}

/** The deepest process under `pid` (itself included) whose command line contains `needle`: the program, not the wrappers (`timeout`, `runuser`) that started it. */
function findProcess(pid: number, needle: string): number | undefined {
  for (const child of childrenOf(pid)) {
    const found = findProcess(child, needle);
    if (found !== undefined) return found;
  }
  const cmdline = existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ") : "";
  return cmdline.includes(needle) ? pid : undefined;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGKILL to `first`, then to the member's postmaster and its backends; resolves when all are gone. */
async function killAll(member: PatroniMember, first: readonly number[]): Promise<void> {
  const postmaster = postmasterPid(member.dataDir);
  if (postmaster === undefined) throw new Error(`${member.name}: its server is not running`);
  const victims = [...first, postmaster, ...childrenOf(postmaster)];
  for (const pid of victims) process.kill(pid, "SIGKILL");
  await until(`${member.name}'s processes to be gone`, async () => (victims.some(alive) ? undefined : true), 10_000);
}

function postmasterPid(dataDir: string): number | undefined {
  const file = join(dataDir, "postmaster.pid");
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

interface MemberStatus {
  readonly role?: string;
  readonly state?: string;
}

async function memberStatus(member: PatroniMember): Promise<MemberStatus | undefined> {
  const res = await fetch(`http://127.0.0.1:${member.apiPort}/patroni`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
  return res ? ((await res.json().catch(() => undefined)) as MemberStatus | undefined) : undefined;
}

export async function startPatroniCluster(): Promise<PatroniCluster> {
  const dir = mkdtempSync(join(tmpdir(), "cs-agents-patroni-"));
  ownedByPostgres(dir);
  const processes = new Processes();
  const env = { PATH: process.env.PATH ?? "", HOME: dir, LANG: "C.UTF-8" };
  const [etcdPort, etcdPeerPort, haproxyPort] = [await freePort(), await freePort(), await freePort()];
  const members: PatroniMember[] = [];
  for (const name of ["node1", "node2"]) members.push({ name, pgPort: await freePort(), apiPort: await freePort(), dataDir: join(dir, name) });

  const etcd = processes.start(
    "etcd",
    [
      "--name=drill",
      `--data-dir=${join(dir, "etcd")}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=drill=http://127.0.0.1:${etcdPeerPort}`,
      "--log-level=warn",
    ],
    { cwd: dir, env },
    600,
  );
  await until("etcd to answer", async () => ((await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok ? true : undefined), 30_000);

  const patronis = new Map<string, Started>();
  const startMember = (member: PatroniMember): void => {
    const config = join(dir, `${member.name}.yml`);
    writeFileSync(config, memberConfig(dir, member, etcdPort));
    ownedByPostgres(config);
    const [command, args] = asPostgres("patroni", [config]);
    patronis.set(member.name, processes.start(command, args, { cwd: dir, env }, 600));
  };

  const haproxyFile = join(dir, "haproxy.cfg");
  writeFileSync(haproxyFile, haproxyConfig(haproxyPort, members));
  const haproxy = processes.start("haproxy", ["-db", "-f", haproxyFile], { cwd: dir, env }, 600);

  const cluster: PatroniCluster = {
    url: `postgres://postgres@127.0.0.1:${haproxyPort}/postgres`,
    members,
    async leader() {
      for (const member of members) {
        // Patroni 3.0 says "master"; later versions say "primary".
        const role = (await memberStatus(member))?.role;
        if (role === "master" || role === "primary") return member;
      }
      throw new Error("no member leads");
    },
    async waitForLeader(options = {}) {
      return until(
        `a Patroni leader${options.withSyncStandby ? " with a synchronous standby" : ""}`,
        async () => {
          // Any member that answers tells the whole cluster's state; a dead one is skipped.
          for (const member of members) {
            const res = await fetch(`http://127.0.0.1:${member.apiPort}/cluster`, { signal: AbortSignal.timeout(1_000) }).catch(() => undefined);
            const body = (await res?.json().catch(() => undefined)) as { members: { name: string; role: string; state: string }[] } | undefined;
            if (!body) continue;
            const leader = body.members.find((m) => m.role === "leader" && m.state === "running");
            const sync = body.members.some((m) => m.role === "sync_standby" && m.state === "running");
            if (leader && (!options.withSyncStandby || sync)) return members.find((m) => m.name === leader.name);
          }
          return undefined;
        },
        options.timeoutMs ?? 90_000,
      );
    },
    async killMember(member) {
      const patroni = patronis.get(member.name);
      const patroniPid = patroni?.pid === undefined ? undefined : findProcess(patroni.pid, "patroni");
      if (patroniPid === undefined) throw new Error(`${member.name}: Patroni is not running`);
      await killAll(member, [patroniPid]);
    },
    async killPostgres(member) {
      await killAll(member, []);
    },
    async destroy() {
      await processes.stopAll();
      // Patroni stops its server on SIGTERM; a server whose Patroni was killed is stopped here.
      for (const member of members) {
        const pid = postmasterPid(member.dataDir);
        if (pid !== undefined) process.kill(pid, "SIGQUIT");
      }
      await until("the servers to stop", async () => (members.some((m) => postmasterPid(m.dataDir) !== undefined) ? undefined : true), 15_000).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };

  try {
    // The first member bootstraps (initdb) and takes the lock; the second clones it with pg_basebackup.
    const [first, second] = members as [PatroniMember, PatroniMember];
    startMember(first);
    await until(`${first.name} to lead`, async () => ((await memberStatus(first))?.state === "running" ? true : undefined), 90_000);
    startMember(second);
    await cluster.waitForLeader({ withSyncStandby: true });
    await until(
      "HAProxy to route to the primary",
      async () => {
        const client = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 1_000 });
        try {
          await client.connect();
          const { rows } = await client.query<{ recovery: boolean }>("select pg_is_in_recovery() as recovery");
          return rows[0]?.recovery === false ? true : undefined;
        } finally {
          await client.end().catch(() => undefined);
        }
      },
      30_000,
    );
  } catch (error) {
    const logs = [etcd, haproxy, ...patronis.values()].map((p) => p.output().slice(-2_000)).join("\n---\n");
    await cluster.destroy();
    throw new Error(`the Patroni cluster did not come up: ${(error as Error).message}\n${logs}`);
  }
  return cluster;
}
