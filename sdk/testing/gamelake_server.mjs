// Starts the real gamelake binary on 127.0.0.1 for the SDK tests, with auth on:
// an admin key (to read the lake) and an ingest key (for the SDK under test).
// One server per call; stop() kills it and removes its data folder.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function createKey(binary, dataDir, name, scope) {
  const out = execFileSync(binary, ["keys", "create", "--name", name, "--scope", scope, "--data-dir", dataDir], {
    encoding: "utf8",
  });
  const lines = out.trim().split("\n");
  return lines[lines.length - 1].trim();
}

// Resolves once the server printed the port it bound.
function waitForListening(child, timeoutMs) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`gamelake did not start in ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    child.stdout.on("data", (chunk) => {
      seen += chunk.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gamelake exited (${code}) before listening:\n${seen}`));
    });
  });
}

export async function startGamelake({ binary, extraArgs = [] }) {
  const dataDir = mkdtempSync(join(tmpdir(), "gl-sdk-"));
  const adminKey = createKey(binary, dataDir, "sdk-test-admin", "admin");
  const ingestKey = createKey(binary, dataDir, "sdk-test-game", "ingest");
  const args = ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0", ...extraArgs];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let logs = "";
  child.stderr.on("data", (c) => {
    logs = (logs + c.toString()).slice(-20000);
  });
  const port = await waitForListening(child, 30000);
  const url = `http://127.0.0.1:${port}`;

  async function query(sql) {
    const res = await fetch(`${url}/v1/query`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminKey}` },
      body: JSON.stringify({ sql, timeout_s: 120 }),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`query failed (${res.status}): ${text}\nSQL: ${sql}`);
    const doc = JSON.parse(text);
    if (doc.error) throw new Error(`query failed mid-stream: ${JSON.stringify(doc.error)}`);
    return doc;
  }

  // event_id -> how many rows carry it, for the rows of `stream` with event_type `eventType`
  // (all rows when eventType is empty). A stream that never got a record is an empty map.
  async function countsById(stream, eventType = "") {
    const where = eventType ? `WHERE event_type = '${eventType}'` : "";
    const counts = new Map();
    let doc;
    try {
      doc = await query(`SELECT event_id, count(*) FROM "${stream}" ${where} GROUP BY event_id`);
    } catch (e) {
      if (/invalid_query/.test(e.message) && /does not exist/i.test(e.message)) return counts;
      throw e;
    }
    for (const [id, n] of doc.rows) counts.set(String(id), Number(n));
    return counts;
  }

  function stop() {
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { url, port, dataDir, adminKey, ingestKey, query, countsById, stop, logs: () => logs };
}
