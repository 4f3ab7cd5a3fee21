import fs from 'node:fs';
import path from 'node:path';
import { hostPathFor, type Mount, repoPath } from './compose';
import { asString, collector, type Finding, isRecord, uidProblem } from './findings';

// The dashboards file provider as Grafana reads it:
// - pkg/services/provisioning/dashboards/config_reader.go: readConfig (org, type, updateIntervalSeconds, folderUid use)
// - pkg/services/provisioning/dashboards/file_reader.go: NewDashboardFileReader (options.path, foldersFromFilesStructure),
//   getOrCreateFolder (by folderUid, else by title; "general" refused), walkDisk (*.json below path)

export interface ProviderFolders {
  /** Folder titles the provider finds or creates (what an alert rule group's `folder` must not collide with). */
  titles: string[];
  /** JSON files Grafana would load, as repository paths. */
  dashboardFiles: string[];
}

export function checkDashboardProviders(
  file: string,
  doc: unknown,
  mounts: Mount[],
): { findings: Finding[]; folders: ProviderFolders } {
  const { findings, report } = collector(file);
  const folders: ProviderFolders = { titles: [], dashboardFiles: [] };
  const providers = isRecord(doc) && Array.isArray(doc.providers) ? doc.providers : [];
  const folderUids = new Map<string, number>();
  providers.forEach((p: unknown, i: number) => {
    const at = `providers[${i}]${isRecord(p) && p.name ? ` (${asString(p.name)})` : ''}`;
    if (!isRecord(p)) return report(at, 'is not a mapping', 'config_reader.go parseConfigs');
    if (!asString(p.name)) report(at, 'has no name (the provisioner keys its dashboards by it)', 'file_reader.go');
    if (p.type !== undefined && p.type !== 'file') report(at, `type ${asString(p.type)} is not file`, 'dashboards.go');
    const options = isRecord(p.options) ? p.options : {};
    const dir = options.path ?? options.folder;
    if (typeof dir !== 'string')
      return report(
        at,
        'failed to load dashboards, path param is not a string',
        'file_reader.go NewDashboardFileReader',
      );
    const fromFiles = options.foldersFromFilesStructure === true;
    const folder = asString(p.folder);
    const folderUid = asString(p.folderUid);
    if (fromFiles && folder && folderUid)
      report(
        at,
        "'folder' and 'folderUID' should be empty using 'foldersFromFilesStructure' option",
        'file_reader.go NewDashboardFileReader',
      );
    if (folderUid) {
      folderUids.set(folderUid, (folderUids.get(folderUid) ?? 0) + 1);
      const problem = uidProblem(folderUid);
      if (problem) report(at, problem, 'folder service Create (util.ValidateUID)');
      if (folderUid === 'general')
        report(at, 'folder uid "general" is refused', 'file_reader.go getOrCreateFolder (ErrFolderInvalidUID)');
    }
    if (!fromFiles && !folder)
      report(
        at,
        'no folder: the dashboards land in the General folder',
        'file_reader.go getOrCreateFolder (ErrFolderNameMissing)',
      );
    if (folder) folders.titles.push(folder);

    const host = hostPathFor(dir, mounts);
    if (!host) return report(at, `path ${dir} is not mounted into the Grafana container`, 'file_reader.go walkDisk');
    const full = repoPath(host);
    if (!fs.existsSync(full) || !fs.statSync(full).isDirectory())
      return report(at, `path ${dir} is ${host} on the host, which is not a directory`, 'file_reader.go resolvedPath');
    const jsonFiles = walk(full).filter((f) => f.endsWith('.json'));
    if (jsonFiles.length === 0) report(at, `path ${dir} (${host}) holds no .json dashboard`, 'file_reader.go walkDisk');
    folders.dashboardFiles.push(...jsonFiles.map((f) => path.relative(repoPath('.'), f)));
  });
  for (const [uid, n] of folderUids)
    if (n > 1) report('providers', `the same folder UID ${uid} is used more than once`, 'config_reader.go readConfig');
  return { findings, folders };
}

/** file_reader.go createWalkFn / validateWalkablePath: every file below, skipping dot-directories. */
function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name.startsWith('.') ? [] : walk(full);
    return [full];
  });
}

/** Dashboard JSON as the file reader takes it: a uid each (stable links), unique across the provider's files. */
export function checkDashboardFiles(files: string[]): Finding[] {
  const findings: Finding[] = [];
  const seen = new Map<string, string>();
  for (const f of files) {
    const d = JSON.parse(fs.readFileSync(repoPath(f), 'utf8')) as { uid?: string; title?: string };
    const report = (message: string, grafana: string) => findings.push({ file: f, where: '', message, grafana });
    if (!d.title)
      report('dashboard has no title', 'dashboards service SaveProvisionedDashboard (ErrDashboardTitleEmpty)');
    if (!d.uid)
      report('dashboard has no uid: Grafana makes one up and every link to it breaks', 'file_reader.go saveDashboard');
    else {
      const problem = uidProblem(d.uid);
      if (problem) report(problem, 'dashboards service (util.ValidateUID)');
      if (seen.has(d.uid))
        report(`uid ${d.uid} is also used by ${seen.get(d.uid)}`, 'file_reader.go usageTracker (uid used twice)');
      seen.set(d.uid, f);
    }
  }
  return findings;
}
