// Node side of gamelake's S3 client tests (tests/s3/*_test.cc run it):
//
//   node s3_check.js serve <dir> [port]
//       Starts s3rver on 127.0.0.1 (<port>, else a free one) storing into <dir>, with
//       bucket "gl-test" and service endpoint "gamelake.test" (so
//       virtual-hosted requests for <bucket>.s3.gamelake.test work), prints
//       {"port": N} on one line, and stops when its standard input closes.
//       Run it with node --openssl-legacy-provider: s3rver 3.7 encrypts its
//       continuation tokens with DES, which Node 17+ (OpenSSL 3) has only
//       there — without it every truncated listing is a 500 InternalError.
//   node s3_check.js sign < requests.json
//       Signs each request with the AWS SDK's own SigV4 signer
//       (@smithy/signature-v4, S3 rules) and prints their Authorization
//       headers as a JSON array.
//   node s3_check.js readback <endpoint> <bucket> <prefix> <max-keys>
//       Lists <prefix> with @aws-sdk/client-s3 (path style, pages of
//       <max-keys>) and reads every object; prints [{key, size, etag,
//       sha256}] as JSON.
//   node s3_check.js download <endpoint> <bucket> <prefix> <dir>
//       Lists <prefix> with @aws-sdk/client-s3 and writes every object to
//       <dir>/<key>; prints [{key, size}] as JSON.
'use strict';

const crypto = require('crypto');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

async function serve(dir, port) {
  const S3rver = require('s3rver');
  const server = new S3rver({
    address: '127.0.0.1',
    port: Number(port || 0),
    directory: dir,
    silent: true,
    serviceEndpoint: 'gamelake.test',
    configureBuckets: [{ name: 'gl-test', configs: [] }],
  });
  const { port: bound } = await server.run();
  process.stdout.write(JSON.stringify({ port: bound }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', async () => {
    await server.close();
    process.exit(0);
  });
}

async function sign() {
  const { SignatureV4 } = require('@smithy/signature-v4');
  const { Sha256 } = require('@aws-crypto/sha256-js');
  const input = JSON.parse(await readStdin());
  const signer = new SignatureV4({
    service: 's3',
    region: input.region,
    credentials: input.credentials,
    sha256: Sha256,
    uriEscapePath: false,  // S3: the path is signed as sent, encoded once.
    applyChecksum: true,
  });
  const out = [];
  for (const r of input.requests) {
    const request = {
      method: r.method,
      protocol: 'http:',
      hostname: r.hostname,
      path: r.path,
      query: r.query,
      headers: { ...r.headers },
      body: r.body_base64 === undefined ? undefined : Buffer.from(r.body_base64, 'base64'),
    };
    const signed = await signer.sign(request, { signingDate: new Date(r.date) });
    out.push({
      authorization: signed.headers.authorization,
      content_sha256: signed.headers['x-amz-content-sha256'],
    });
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

// Every object under <prefix> of <bucket> on <endpoint> (s3rver's key,
// path style), listed with @aws-sdk/client-s3 in pages of <pageSize> and
// read: yields the listing's entry and the object's bytes.
async function* objectsUnder(endpoint, bucket, prefix, pageSize) {
  const { S3Client, GetObjectCommand, paginateListObjectsV2 } = require('@aws-sdk/client-s3');
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 2,
  });
  const pages = paginateListObjectsV2({ client, pageSize }, { Bucket: bucket, Prefix: prefix });
  for await (const page of pages) {
    for (const o of page.Contents || []) {
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key }));
      yield { o, bytes: Buffer.from(await got.Body.transformToByteArray()) };
    }
  }
}

async function readback(endpoint, bucket, prefix, maxKeys) {
  const objects = [];
  for await (const { o, bytes } of objectsUnder(endpoint, bucket, prefix, Number(maxKeys))) {
    objects.push({
      key: o.Key,
      size: o.Size,
      etag: (o.ETag || '').replace(/"/g, ''),
      sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
    });
  }
  process.stdout.write(JSON.stringify(objects) + '\n');
}

async function download(endpoint, bucket, prefix, dir) {
  const fs = require('fs');
  const path = require('path');
  const objects = [];
  for await (const { o, bytes } of objectsUnder(endpoint, bucket, prefix, 1000)) {
    const file = path.join(dir, o.Key);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, bytes);
    objects.push({ key: o.Key, size: bytes.length });
  }
  process.stdout.write(JSON.stringify(objects) + '\n');
}

async function main() {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'serve') return serve(args[0], args[1]);
  if (command === 'download') return download(...args);
  if (command === 'sign') return sign();
  if (command === 'readback') return readback(...args);
  throw new Error(`usage: s3_check.js serve|sign|readback|download ...; got '${command}'`);
}

main().catch((e) => {
  process.stderr.write(`s3_check.js: ${e.stack || e}\n`);
  process.exit(1);
});
