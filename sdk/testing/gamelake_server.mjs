// Starts the real gamelake binary on 127.0.0.1 for the SDK tests, with auth on:
// an admin key (to read the lake) and an ingest key (for the SDK under test).
// One server per call; stop() kills it and removes its data folder. With `tls` (from
// makeTestCerts) it serves HTTPS, and a plain listener beside it that query() uses.

import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

function createKey(binary, dataDir, name, scope) {
  const out = execFileSync(binary, ["keys", "create", "--name", name, "--scope", scope, "--data-dir", dataDir], {
    encoding: "utf8",
  });
  const lines = out.trim().split("\n");
  return lines[lines.length - 1].trim();
}

// With openssl, in dir: ca.pem (a test CA) and server.pem/server.key, the server's
// certificate it signs, for 127.0.0.1 and localhost; other-ca.pem, a CA that signed
// nothing here (a client trusting only it must refuse the server). The CAs are RSA:
// Mono's X509Chain (the C# SDK's CaCertFile check) cannot verify ECDSA signatures.
export function makeTestCerts(dir) {
  const p = (f) => join(dir, f);
  const ssl = (...args) => execFileSync("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  for (const ca of ["ca", "other-ca"]) {
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", p(`${ca}.key`), "-out", p(`${ca}.pem`), "-days", "2", "-subj", `/CN=gamelake-sdk-test-${ca}`);
  }
  writeFileSync(p("server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  ssl("req", ...ec, "-keyout", p("server.key"), "-out", p("server.csr"), "-subj", "/CN=127.0.0.1");
  ssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.pem"), "-CAkey", p("ca.key"), "-CAcreateserial",
      "-out", p("server.pem"), "-days", "2", "-extfile", p("server.ext"));
  return { ca: p("ca.pem"), otherCa: p("other-ca.pem"), cert: p("server.pem"), key: p("server.key") };
}

// Resolves once the server printed the port it bound (and, with TLS, its plain one).
function waitForListening(child, timeoutMs, tls) {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`gamelake did not start in ${timeoutMs} ms:\n${seen}`)), timeoutMs);
    child.stdout.on("data", (chunk) => {
      seen += chunk.toString();
      const m = /listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(seen);
      const plain = /plain HTTP beside it on 127\.0\.0\.1:(\d+)/.exec(seen);
      if (m && (!tls || plain)) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), plainPort: plain ? Number(plain[1]) : 0 });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`gamelake exited (${code}) before listening:\n${seen}`));
    });
  });
}

export async function startGamelake({ binary, extraArgs = [], tls = null }) {
  const dataDir = mkdtempSync(join(tmpdir(), "gl-sdk-"));
  const adminKey = createKey(binary, dataDir, "sdk-test-admin", "admin");
  const ingestKey = createKey(binary, dataDir, "sdk-test-game", "ingest");
  const tlsArgs = tls
    ? ["--set", `server.tls_cert_file=${tls.cert}`, "--set", `server.tls_key_file=${tls.key}`,
       "--set", "server.plain_listen=127.0.0.1:0"]
    : [];
  const args = ["serve", "--data-dir", dataDir, "--listen", "127.0.0.1:0", ...tlsArgs, ...extraArgs];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  let logs = "";
  child.stderr.on("data", (c) => {
    logs = (logs + c.toString()).slice(-20000);
  });
  const { port, plainPort } = await waitForListening(child, 30000, tls !== null);
  const url = `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  const plainUrl = tls ? `http://127.0.0.1:${plainPort}` : url;

  async function query(sql) {
    const res = await fetch(`${plainUrl}/v1/query`, {
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
  return { url, port, plainUrl, dataDir, adminKey, ingestKey, query, countsById, stop, logs: () => logs };
}
