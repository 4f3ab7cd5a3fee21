// npm run smoke:first-run — the README's two commands (`npm install`, then `npm start`) on fresh clones of this
// checkout's HEAD, where new users type them: as root from a 0700 folder, from a path with spaces, as an
// unprivileged user, and with the API port taken. Each run goes until the first backfill's summary log line, then
// the worker is stopped with SIGTERM and must exit 0. Prints a table of scenario → outcome; exits 1 on a failure.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import console from 'node:console';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import process from 'node:process';
import { clearTimeout, setTimeout } from 'node:timers';

const REPO = execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8' }).trim();
const HEAD = execFileSync('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const IS_ROOT = process.getuid?.() === 0;
const USER = 'cw-smoke';
// The README's defaults backfill 30 days of an 80-developer team; a shorter backfill keeps CI within minutes.
// fsync=off too: these runs check the first start, not durability across a power cut.
const SHORTER = { BACKFILL_DAYS: '3', SIM_TEAM_SIZE: '15', EMBEDDED_PG_FAST: '1' };
const START_TIMEOUT_MS = 240_000;
const INSTALL_TIMEOUT_MS = 420_000;

const results = [];
const cleanups = [];
const t0 = Date.now();
const say = (line) => console.log(`[smoke ${((Date.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${line}`);

/** `n` distinct free ports on 127.0.0.1: all are held until the last is picked, so the kernel cannot repeat one. */
async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = net.createServer();
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
      servers.push(srv);
    }
    return servers.map((srv) => srv.address().port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(resolve))));
  }
}

/** A process as `account` (uid/gid) or as us; output kept; resolves with the exit code (-1 when killed). */
function run(cmd, args, { cwd, env, account, timeoutMs, onLine, detached } = {}) {
  const child = spawn(cmd, args, {
    cwd,
    env,
    detached,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(account ? { uid: account.uid, gid: account.gid } : {}),
  });
  let output = '';
  let pending = '';
  const take = (chunk) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) onLine?.(line, child);
  };
  child.stdout.on('data', take);
  child.stderr.on('data', take);
  const timer = setTimeout(() => {
    output += `\n[smoke] timed out after ${timeoutMs / 1000} s\n`;
    try {
      process.kill(detached ? -child.pid : child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }, timeoutMs ?? 600_000);
  return new Promise((resolve) => {
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n${err.message}` });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? -1 : 0), signal, output });
    });
  });
}

function baseEnv(extra = {}) {
  const env = { ...process.env, ...extra };
  for (const k of Object.keys(env)) if (/^(npm_|NODE_OPTIONS$|INIT_CWD$)/.test(k)) delete env[k];
  // What a fresh shell would have: none of this checkout's settings.
  for (const k of ['DATABASE_URL', 'CURSOR_ADMIN_API_KEY', 'EMBEDDED_PG_DIR', 'WORKER_API_HOST', 'WORKER_API_TOKEN'])
    delete env[k];
  return env;
}

/** git clone of HEAD into `dir`; handed to `account` when given. */
function cloneInto(dir, account) {
  execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO, dir]);
  execFileSync('git', ['-C', dir, 'checkout', '--quiet', HEAD]);
  if (account) execFileSync('chown', ['-R', `${account.uid}:${account.gid}`, dir]);
}

async function npmInstall(dir, env, account) {
  say(`npm install in ${dir}${account ? ` as ${USER}` : ''}`);
  const started = Date.now();
  const r = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
    cwd: dir,
    env,
    account,
    timeoutMs: INSTALL_TIMEOUT_MS,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (r.code !== 0) throw new Error(`npm install failed (exit ${r.code}):\n${r.output.slice(-2500)}`);
  say(`npm install done in ${seconds} s`);
  return seconds;
}

/**
 * `npm start` until the first backfill's summary line, then SIGTERM to the worker (its pid is in that log line) and
 * wait: npm start must then exit 0. Returns what happened.
 */
async function startUntilBackfill(dir, env, account) {
  let summary;
  let dataDir;
  const started = Date.now();
  const r = await run('npm', ['start'], {
    cwd: dir,
    env,
    account,
    detached: true,
    timeoutMs: START_TIMEOUT_MS,
    onLine: (line) => {
      if (!line.startsWith('{')) return;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return;
      }
      if (entry.msg?.includes('data kept here instead')) dataDir = entry.dir;
      if (!summary && entry.msg?.startsWith('collection finished:')) {
        summary = entry.msg;
        say(`${summary} — stopping worker pid ${entry.pid} with SIGTERM`);
        process.kill(entry.pid, 'SIGTERM');
      }
    },
  });
  if (dataDir) cleanups.push(removeTree(path.dirname(dataDir)));
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (!summary) return { ok: false, detail: `no backfill summary (exit ${r.code})`, output: r.output };
  if (r.code !== 0) return { ok: false, detail: `exit ${r.code} after SIGTERM`, output: r.output };
  if (!r.output.includes('"msg":"shutting down"'))
    return { ok: false, detail: 'exited without the shutdown log line', output: r.output };
  return { ok: true, detail: `backfill in ${seconds} s, SIGTERM → exit 0${dataDir ? `; data in ${dataDir}` : ''}` };
}

async function scenario(name, fn) {
  say(`— ${name}`);
  try {
    const r = await fn();
    results.push({ name, ...r });
    if (r.output && !r.ok) console.log(r.output.slice(-3000));
  } catch (err) {
    results.push({ name, ok: false, detail: err.message.split('\n')[0] });
    console.log(err.message);
  }
}

async function ports() {
  const [pg, api] = await freePorts(2);
  return { EMBEDDED_PG_PORT: String(pg), WORKER_API_PORT: String(api) };
}

/** An unprivileged account, created with useradd when missing (removed at the end). */
function ensureUser() {
  const look = () => {
    const id = (flag) =>
      Number(execFileSync('id', [flag, USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g'), home: `/home/${USER}` };
  };
  try {
    return look();
  } catch {
    execFileSync('useradd', ['--create-home', '--shell', '/bin/sh', USER]);
    cleanups.push(() => {
      spawnSync('userdel', [USER]);
      trees.push(`/home/${USER}`);
    });
    return look();
  }
}

/** A PATH on which `account` finds Node >= 22 and npm: ours, copied where it can reach it if need be. */
function nodePathFor(account, scratch) {
  const check = (pathVar) =>
    spawnSync('node', ['-e', 'process.exit(+process.versions.node.split(".")[0] >= 22 ? 0 : 1)'], {
      uid: account.uid,
      gid: account.gid,
      env: { PATH: pathVar },
    }).status === 0 &&
    spawnSync('npm', ['--version'], { uid: account.uid, gid: account.gid, env: { PATH: pathVar } }).status === 0;
  if (check(process.env.PATH)) return process.env.PATH;
  const bin = path.join(scratch, 'node-bin');
  fs.mkdirSync(bin, { recursive: true, mode: 0o755 });
  fs.copyFileSync(process.execPath, path.join(bin, 'node'));
  fs.chmodSync(path.join(bin, 'node'), 0o755);
  const withOurs = `${bin}:${process.env.PATH}`;
  if (check(withOurs)) return withOurs;
  throw new Error(`no Node >= 22 with npm that ${USER} can run (tried ${process.execPath})`);
}

/** Folders to delete at the end: by one `rm -rf` left running in the background (node_modules trees are slow to delete). */
const trees = [];
const removeTree = (dir) => () => trees.push(dir);

async function main() {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cw-first-run-'));
  fs.chmodSync(scratch, 0o755);
  cleanups.push(removeTree(scratch));
  const shorter = Object.entries(SHORTER)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  say(`clones of ${REPO} at ${HEAD}; npm start runs with ${shorter} and free ports`);
  say('(a shorter backfill than the README default of 30 days × 80 developers, to stay within minutes)');
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const clones = [];

  // 1. Root, clone in a 0700 folder (as in `docker run -it node:24` with the clone in /root).
  if (!IS_ROOT) {
    results.push({ name: 'root, clone in a 0700 folder', ok: true, skipped: 'not root: cannot run as root' });
  } else {
    const home = fs.mkdtempSync(path.join(os.homedir(), 'cw-first-run-'));
    fs.chmodSync(home, 0o700);
    cleanups.push(removeTree(home));
    const dir = path.join(home, 'repo');
    cloneInto(dir);
    clones.push({ name: 'root, clone in a 0700 folder', dir, env: baseEnv({ ...SHORTER, ...(await ports()) }) });
  }

  // 2. A path with spaces, by an unprivileged user when we can create one (else by us).
  let account;
  let userSkip;
  if (!IS_ROOT) userSkip = 'not root: cannot create a user';
  else if (os.platform() !== 'linux') userSkip = `useradd is Linux-only (${os.platform()})`;
  else {
    try {
      account = ensureUser();
    } catch (err) {
      userSkip = `useradd failed: ${err.message.split('\n')[0]}`;
    }
  }
  {
    const parent = path.join(scratch, 'first run', 'my projects');
    fs.mkdirSync(parent, { recursive: true, mode: 0o755 });
    const dir = path.join(parent, 'cursor cost watch');
    cloneInto(dir, account);
    let env = baseEnv({ ...SHORTER, ...(await ports()) });
    if (account) {
      // The user's own npm cache, seeded from ours, so the install stays offline-first.
      const cache = path.join(account.home, '.npm');
      if (fs.existsSync(npmCache) && !fs.existsSync(cache)) fs.cpSync(npmCache, cache, { recursive: true });
      execFileSync('chown', ['-R', `${account.uid}:${account.gid}`, account.home]);
      env = { ...env, HOME: account.home, USER, LOGNAME: USER, PATH: nodePathFor(account, scratch) };
      env.npm_config_cache = cache;
    }
    const name = account ? `path with spaces, as unprivileged user ${USER}` : 'path with spaces';
    clones.push({ name, dir, env, account });
  }
  if (!account) results.push({ name: 'unprivileged user', ok: true, skipped: userSkip });

  // npm install in every clone at once (npm waits on the disk as much as on the CPU), then the starts one by one.
  const installs = await Promise.all(
    clones.map((c) =>
      npmInstall(c.dir, c.env, c.account).then(
        (seconds) => ({ seconds }),
        (err) => ({ err }),
      ),
    ),
  );
  let installed;
  for (const [i, c] of clones.entries()) {
    await scenario(c.name, async () => {
      if (installs[i].err) throw installs[i].err;
      const r = await startUntilBackfill(c.dir, c.env, c.account);
      if (r.ok) installed ??= c;
      return { ...r, detail: `${r.detail}; npm install ${installs[i].seconds} s` };
    });
  }

  // 3. Node older than 22 (a machine's own Node, such as Debian's /usr/bin/node): one line, before anything else.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((file) => {
    const v = spawnSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout?.trim();
    return v && Number(v.split('.')[0]) < 22;
  });
  if (!oldNode)
    results.push({ name: 'Node older than 22', ok: true, skipped: 'no Node older than 22 on this machine' });
  else
    await scenario(`Node older than 22 (${oldNode})`, async () => {
      if (!installed) throw new Error('no clone installed and started: nothing to run');
      const version = execFileSync(oldNode, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
      const bin = path.join(scratch, 'old-node');
      fs.mkdirSync(bin, { recursive: true, mode: 0o755 });
      if (!fs.existsSync(path.join(bin, 'node'))) fs.symlinkSync(oldNode, path.join(bin, 'node'));
      const r = await run('npm', ['start'], {
        cwd: installed.dir,
        env: { ...installed.env, PATH: `${bin}:${installed.env.PATH}` },
        account: installed.account,
        timeoutMs: 120_000,
      });
      const expected = `Cursor Cost Watch needs Node.js 22 or newer; this is Node.js ${version}. Install Node.js 22 or 24 (https://nodejs.org, or nvm install 24), then run the command again.`;
      if (r.code === 0) return { ok: false, detail: `npm start succeeded on Node ${version}`, output: r.output };
      if (!r.output.split('\n').includes(expected))
        return { ok: false, detail: 'the message is missing', output: r.output };
      return { ok: true, detail: `exit ${r.code} with: ${expected}` };
    });

  // 4. The API port taken: one line naming WORKER_API_PORT, exit 1, before PostgreSQL starts.
  await scenario('API port taken (WORKER_API_PORT)', async () => {
    if (!installed) throw new Error('no clone installed and started: nothing to run');
    const busy = net.createServer();
    await new Promise((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const port = busy.address().port;
    try {
      const r = await run('npm', ['start'], {
        cwd: installed.dir,
        env: { ...installed.env, WORKER_API_PORT: String(port) },
        account: installed.account,
        timeoutMs: 120_000,
      });
      const expected = `Port ${port} on 127.0.0.1 is already in use, so the worker API cannot listen there: stop the program using it, or set WORKER_API_PORT to a free port.`;
      if (r.code === 0) return { ok: false, detail: 'npm start succeeded on a taken port', output: r.output };
      if (!r.output.split('\n').includes(expected))
        return { ok: false, detail: 'the message is missing', output: r.output };
      if (r.output.includes('starting the embedded PostgreSQL'))
        return { ok: false, detail: 'PostgreSQL started before the port check', output: r.output };
      return { ok: true, detail: `exit ${r.code} with: ${expected}` };
    } finally {
      busy.close();
    }
  });
}

let failed = false;
try {
  await main();
} catch (err) {
  console.log(err.stack);
  failed = true;
} finally {
  say('cleaning up');
  for (const clean of cleanups.reverse()) {
    try {
      clean();
    } catch (err) {
      console.log(`cleanup: ${err.message}`);
    }
  }
  if (trees.length) {
    spawn('rm', ['-rf', ...trees], { detached: true, stdio: 'ignore' }).unref();
    say(`deleting in the background: ${trees.join(', ')}`);
  }
}

const width = Math.max(...results.map((r) => r.name.length), 8);
console.log(`\nfirst-run smoke (${HEAD}), ${((Date.now() - t0) / 1000).toFixed(0)} s`);
console.log(`${'scenario'.padEnd(width)}  outcome`);
for (const r of results) {
  const outcome = r.skipped ? `SKIPPED (${r.skipped})` : `${r.ok ? 'ok' : 'FAILED'}: ${r.detail}`;
  console.log(`${r.name.padEnd(width)}  ${outcome}`);
}
failed ||= results.some((r) => !r.ok);
process.exit(failed ? 1 : 0);
