import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const STATE_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test-results/.e2e-state.json');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the service started by global-setup.ts (its whole process group) and cleans up. */
export default async function globalTeardown(): Promise<void> {
  if (!fs.existsSync(STATE_FILE)) return;
  const { pid, dir } = JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as { pid?: number; dir?: string };
  fs.rmSync(STATE_FILE, { force: true });
  if (pid) {
    try {
      process.kill(-pid, 'SIGTERM'); // the service and its camera workers
    } catch {
      /* already gone */
    }
    const deadline = Date.now() + 15_000;
    while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(pid)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  if (dir && !process.env.SHOPGUARD_E2E_KEEP) fs.rmSync(dir, { recursive: true, force: true });
}
