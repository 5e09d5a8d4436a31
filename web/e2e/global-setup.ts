/**
 * Starts the real ShopGuard service for the end-to-end tests:
 *
 * 1. a temporary data directory with a test video (`SHOPGUARD_E2E_VIDEO`, or one composed
 *    from real person photos by `shopguard.testing.people_video`, looping like a camera);
 * 2. a config file (JSON, which YAML reads) on a free port, with event thresholds low
 *    enough that people walking by raise alerts quickly; `SHOPGUARD_E2E_CONFIG_EXTRA`
 *    (JSON) is merged over it;
 * 3. `shopguard serve --config <file>`, waiting for `/api/health`;
 * 4. an admin user created with `shopguard users create ... --password-stdin`, or else
 *    the admin password the service prints on its first start.
 *
 * The URL and credentials reach the tests through environment variables.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const resultsDir = path.join(repo, 'test-results');
export const STATE_FILE = path.join(resultsDir, '.e2e-state.json');

function venvBin(name: string): string | null {
  const p = path.join(repo, '.venv', 'bin', name);
  return fs.existsSync(p) ? p : null;
}

const python = process.env.SHOPGUARD_PYTHON ?? venvBin('python') ?? 'python3';
const shopguard = process.env.SHOPGUARD_BIN ?? venvBin('shopguard') ?? 'shopguard';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function merge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(extra)) out[k] = isObject(v) && isObject(out[k]) ? merge(out[k] as Record<string, unknown>, v) : v;
  return out;
}

function composeVideo(dir: string): string {
  const out = path.join(dir, 'people.mp4');
  const script = [
    'import sys',
    'from pathlib import Path',
    'from shopguard.testing.people_video import compose_people_video',
    'compose_people_video(Path(sys.argv[1]), Path(sys.argv[2]), seconds=12.0, fps=10.0)',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, path.join(repo, 'tests/data/bus.jpg'), out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`could not compose the test video with ${python}:\n${r.stderr || r.error}`);
  return out;
}

/**
 * Until the trained behaviour model is in models/, a stand-in with the same interface
 * (sigmoid of the mean of each window's features; tests/behavior/pose_factory.py) lets
 * the camera workers run. The dashboard test needs alerts, not good ones.
 */
function behaviourModel(dir: string): string | null {
  if (process.env.SHOPGUARD_E2E_BEHAVIOR_MODEL) return process.env.SHOPGUARD_E2E_BEHAVIOR_MODEL;
  if (fs.existsSync(path.join(repo, 'models', 'behavior-lstm.onnx'))) return null;
  const out = path.join(dir, 'behavior-standin.onnx');
  const script = [
    'import sys',
    'from pathlib import Path',
    'sys.path.insert(0, sys.argv[1])',
    'from pose_factory import mean_model',
    'from shopguard.behavior.config import FeatureConfig',
    'mean_model(Path(sys.argv[2]), FeatureConfig())',
  ].join('\n');
  const r = spawnSync(python, ['-c', script, path.join(repo, 'tests', 'behavior'), out], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`no behaviour model, and the stand-in could not be written:\n${r.stderr || r.error}`);
  return out;
}

async function waitForHealth(url: string, child: ChildProcess, log: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`shopguard serve exited with ${child.exitCode}:\n${log().slice(-4000)}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the service did not answer /api/health within ${timeoutMs / 1000} s (${last}):\n${log().slice(-4000)}`);
}

export default async function globalSetup(): Promise<void> {
  fs.mkdirSync(resultsDir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopguard-e2e-'));
  const port = Number(process.env.SHOPGUARD_E2E_PORT) || (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const video = process.env.SHOPGUARD_E2E_VIDEO ?? composeVideo(dir);

  let config: Record<string, unknown> = {
    data_dir: path.join(dir, 'var'),
    server: { host: '127.0.0.1', port },
    events: {
      threshold: 0.05,
      quiet_threshold: 0.02,
      open_k: 1,
      open_m: 1,
      quiet_s: 1.0,
      max_event_s: 6.0,
      pre_roll_s: 1.0,
      post_roll_s: 1.0,
      track_cooldown_s: 2.0,
      camera_cooldown_s: 2.0,
    },
    cameras: [{ id: 'e2e-cam', name: 'E2E camera', url: video, loop: true, analysis_fps: 5 }],
  };
  const behavior = behaviourModel(dir);
  if (behavior) config.models = { behavior };
  if (process.env.SHOPGUARD_E2E_CONFIG_EXTRA) config = merge(config, JSON.parse(process.env.SHOPGUARD_E2E_CONFIG_EXTRA));
  const configPath = path.join(dir, 'config.yaml');
  fs.writeFileSync(configPath, JSON.stringify(config, null, 2));

  const logPath = path.join(resultsDir, 'e2e-service.log');
  const logStream = fs.createWriteStream(logPath);
  let output = '';
  const child = spawn(shopguard, ['serve', '--config', configPath], {
    cwd: dir,
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const onData = (chunk: Buffer) => {
    output += chunk.toString();
    logStream.write(chunk);
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  child.on('error', (err) => {
    output += `\nspawn error: ${err.message}`;
  });
  fs.writeFileSync(STATE_FILE, JSON.stringify({ pid: child.pid, dir }));

  try {
    await waitForHealth(url, child, () => output, 120_000);
  } catch (err) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    throw err;
  }

  let username = process.env.SHOPGUARD_E2E_USER ?? '';
  let password = process.env.SHOPGUARD_E2E_PASSWORD ?? '';
  if (!username) {
    // The service prints the first admin's one-time password on its first start.
    const printed = output.match(/created user '([^']+)' with one-time password (\S+)/i);
    if (printed) {
      username = printed[1];
      password = printed[2];
    } else {
      username = 'e2e-admin';
      password = randomBytes(12).toString('hex');
      const r = spawnSync(shopguard, ['users', 'create', username, '--role', 'admin', '--password-stdin', '--config', configPath], {
        input: `${password}\n`,
        encoding: 'utf8',
        cwd: dir,
      });
      if (r.status !== 0)
        throw new Error(`found no admin password in the service output and could not create a user:\n${r.stderr || r.stdout}`);
    }
  }

  process.env.SHOPGUARD_E2E_URL = url;
  process.env.SHOPGUARD_E2E_USER = username;
  process.env.SHOPGUARD_E2E_PASSWORD = password;
  process.env.SHOPGUARD_E2E_CAMERA = 'e2e-cam';
  // The child must outlive this function; teardown stops it.
  child.unref();
}
