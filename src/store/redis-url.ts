// What REDIS_URL names: one Redis server, or the seed nodes of a Redis Cluster (docs/SCALING.md).
//
//   redis://[user:pass@]host:6379[/db]            one server (ioredis parses it; db 0 by default)
//   rediss://…                                    the same over TLS
//   redis+cluster://[user:pass@]h1:7000,h2:7001   a Redis Cluster: any reachable nodes, the
//   rediss+cluster://…                            client discovers the rest (CLUSTER SLOTS)
//
// The cluster form lists several host:port pairs, which WHATWG URL cannot parse, hence this
// small parser. A cluster has only database 0, so a path other than "/" or "/0" is refused.
// Pure: no ioredis here, so the environment parser (src/config/env.ts) can use it.

export interface ClusterNode {
  host: string;
  port: number;
}

export type RedisTarget =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: ClusterNode[]; username?: string; password?: string; tls: boolean };

export const CLUSTER_SCHEMES = ['redis+cluster:', 'rediss+cluster:'] as const;

const shown = (s: string): string => JSON.stringify(s);

/** The target named by a URL, or an error message saying what to write instead. */
export function parseRedisTarget(text: string): RedisTarget | { error: string } {
  const t = text.trim();
  const m = /^(rediss?)\+cluster:\/\/(?:([^@/]*)@)?([^/?#]*)(\/[^?#]*)?$/i.exec(t);
  if (!m) {
    if (/^[a-z+]+:\/\//i.test(t) && /\+cluster:/i.test(t)) {
      return { error: `expected redis+cluster://HOST:PORT,HOST:PORT (or rediss+cluster:// for TLS), got ${shown(text)}` };
    }
    let u: URL | undefined;
    try {
      u = new URL(t);
    } catch {
      u = undefined;
    }
    if (!u || (u.protocol !== 'redis:' && u.protocol !== 'rediss:') || !u.hostname) {
      return { error: `expected a URL like redis://127.0.0.1:6379 (rediss:// for TLS, redis+cluster://h1:7000,h2:7001 for a Redis Cluster), got ${shown(text)}` };
    }
    return { kind: 'single', url: t };
  }
  const [, scheme, userinfo, hostList, path] = m;
  if (path !== undefined && path !== '/' && path !== '/0') {
    return { error: `a Redis Cluster has only database 0: remove ${shown(path)} from the end of ${shown(`${safeTarget(t)}${path}`)}` };
  }
  const nodes: ClusterNode[] = [];
  for (const part of hostList!.split(',').map((s) => s.trim())) {
    // host:port, host (port 6379), [v6]:port
    const hm = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(part);
    const port = hm?.[2] === undefined ? 6379 : Number(hm[2]);
    if (!hm || port < 1 || port > 65535) {
      return { error: `expected HOST:PORT for each cluster node, got ${shown(part)} in ${shown(safeTarget(t))}` };
    }
    nodes.push({ host: hm[1]!.replace(/^\[|\]$/g, ''), port });
  }
  let username: string | undefined;
  let password: string | undefined;
  if (userinfo) {
    const i = userinfo.indexOf(':');
    try {
      const user = decodeURIComponent(i < 0 ? userinfo : userinfo.slice(0, i));
      const pass = i < 0 ? undefined : decodeURIComponent(userinfo.slice(i + 1));
      // redis://:pass@ is a password without a user name (Redis before ACLs).
      if (user) username = user;
      if (pass) password = pass;
    } catch {
      return { error: 'the user name or password in REDIS_URL is not valid percent-encoding' };
    }
  }
  return { kind: 'cluster', nodes, ...(username ? { username } : {}), ...(password ? { password } : {}), tls: scheme!.toLowerCase() === 'rediss' };
}

/** The URL without credentials, for messages and logs. */
export function safeTarget(url: string): string {
  const m = /^(rediss?\+cluster:\/\/)(?:[^@/]*@)?([^/?#]*)/i.exec(url.trim());
  if (m) return `${m[1]!.toLowerCase()}${m[2]}`;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return '(invalid REDIS_URL)';
  }
}

export const isClusterUrl = (url: string): boolean => /^rediss?\+cluster:\/\//i.test(url.trim());
