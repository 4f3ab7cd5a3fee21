import path from 'node:path';
import { REPO_ROOT } from '../../../../src/config/config';
import { loadYaml } from './findings';

// The official image's paths (grafana/grafana Dockerfile: ENV GF_PATHS_PROVISIONING, GF_PATHS_PLUGINS …); a
// GF_PATHS_* variable in compose moves them, so the effective path is compose's value, else the image's.
const IMAGE_PATHS: Record<string, string> = {
  GF_PATHS_PROVISIONING: '/etc/grafana/provisioning',
  GF_PATHS_PLUGINS: '/var/lib/grafana/plugins',
  GF_PATHS_DATA: '/var/lib/grafana',
};

export interface ComposeService {
  image?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  command?: string[];
}

export interface Mount {
  host: string;
  container: string;
  readOnly: boolean;
}

export function composeServices(): Record<string, ComposeService> {
  return loadYaml<{ services: Record<string, ComposeService> }>('docker-compose.yml').services;
}

/** A service's bind mounts (short syntax), host paths relative to the repository; named volumes are skipped. */
export function bindMounts(service: ComposeService): Mount[] {
  return (service.volumes ?? [])
    .map((v) => v.split(':'))
    .filter(([host]) => host.startsWith('.'))
    .map(([host, container, mode]) => ({ host: path.normalize(host), container, readOnly: mode === 'ro' }));
}

/** The effective GF_PATHS_* value of the Grafana service. */
export function grafanaPath(name: keyof typeof IMAGE_PATHS | string, service: ComposeService): string {
  return service.environment?.[name] ?? IMAGE_PATHS[name];
}

/**
 * The host path (relative to the repository) that a container path shows, through the deepest bind mount that
 * covers it; null when no bind mount does (then Grafana sees the image's or a named volume's content).
 * `${VAR:-default}` in a host path resolves to its default.
 */
export function hostPathFor(containerPath: string, mounts: Mount[]): string | null {
  const covering = mounts
    .filter((m) => containerPath === m.container || containerPath.startsWith(`${m.container}/`))
    .sort((a, b) => b.container.length - a.container.length)[0];
  if (!covering) return null;
  const host = covering.host.replace(/\$\{\w+:-([^}]*)\}/g, '$1');
  return path.join(host, path.relative(covering.container, containerPath));
}

export const repoPath = (relative: string) => path.join(REPO_ROOT, relative);
