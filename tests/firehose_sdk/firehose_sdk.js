#!/usr/bin/env node
// Drives gamelake's Firehose-compatible API with the official AWS SDK for
// JavaScript v3 (@aws-sdk/client-firehose, pinned in package-lock.json), to
// prove generated AWS clients work unchanged. Prints one JSON object on stdout.
//
//   node firehose_sdk.js send <endpoint> <key_id> <secret> <stream> <n>
//     PutRecordBatch n records (batches of at most 500), then one PutRecord,
//     DescribeDeliveryStream and ListDeliveryStreams. Exit 0 if every record
//     was accepted.
//   node firehose_sdk.js wrong-secret <endpoint> <key_id> <secret> <stream>
//     One PutRecord that must be refused; prints the error's name (the SDK's
//     exception class, from __type / x-amzn-ErrorType). Exit 0 if it threw.
//   node firehose_sdk.js sign <key_id> <secret> <stream> <n>
//     Sends nothing: the SDK builds and signs a PutRecordBatch of n records and
//     a PutRecord exactly as it would send them, and the script prints each
//     signed request ({method, path, query, headers, body}) instead.
//
// Setup: `npm ci --ignore-scripts` in this folder (scripts/setup.sh does it).
'use strict';

const {
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand,
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
} = require('@aws-sdk/client-firehose');

function usage() {
  process.stderr.write(
    'usage: firehose_sdk.js send <endpoint> <key_id> <secret> <stream> <n>\n' +
    '       firehose_sdk.js wrong-secret <endpoint> <key_id> <secret> <stream>\n' +
    '       firehose_sdk.js sign <key_id> <secret> <stream> <n>\n');
  process.exit(2);
}

function client(endpoint, keyId, secret, extra = {}) {
  return new FirehoseClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    ...extra,
  });
}

// One record: a JSON object and a newline, as Fluent Bit and most shippers send.
function record(i, source) {
  const event = { event: 'sdk_check', source, i, player: `p${i % 7}`, score: i * 1.5 };
  return { Data: Buffer.from(JSON.stringify(event) + '\n') };
}

async function send(endpoint, keyId, secret, stream, n) {
  const c = client(endpoint, keyId, secret);
  const summary = { sent: 0, batch: { requests: 0, records: 0, failed: 0, record_ids: [] } };
  for (let start = 0; start < n; start += 500) {
    const records = [];
    for (let i = start; i < Math.min(n, start + 500); i++) records.push(record(i, 'batch'));
    const out = await c.send(
      new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records }));
    summary.batch.requests += 1;
    summary.batch.records += records.length;
    summary.batch.failed += out.FailedPutCount;
    for (const r of out.RequestResponses) {
      if (r.RecordId) summary.batch.record_ids.push(r.RecordId);
      else summary.batch.errors = (summary.batch.errors || []).concat([r.ErrorCode]);
    }
    summary.sent += records.length - out.FailedPutCount;
  }
  const put = await c.send(
    new PutRecordCommand({ DeliveryStreamName: stream, Record: record(n, 'put_record') }));
  summary.put_record = { record_id: put.RecordId, encrypted: put.Encrypted };
  summary.sent += 1;
  const described = await c.send(
    new DescribeDeliveryStreamCommand({ DeliveryStreamName: stream }));
  summary.describe = {
    status: described.DeliveryStreamDescription.DeliveryStreamStatus,
    arn: described.DeliveryStreamDescription.DeliveryStreamARN,
  };
  const listed = await c.send(new ListDeliveryStreamsCommand({}));
  summary.list = listed.DeliveryStreamNames;
  process.stdout.write(JSON.stringify(summary) + '\n');
  return summary.batch.failed === 0 ? 0 : 1;
}

async function wrongSecret(endpoint, keyId, secret, stream) {
  const c = client(endpoint, keyId, secret, { maxAttempts: 1 });
  try {
    await c.send(new PutRecordCommand({ DeliveryStreamName: stream, Record: record(0, 'wrong') }));
  } catch (e) {
    process.stdout.write(JSON.stringify({
      threw: true,
      error_name: e.name,
      http_status: e.$metadata ? e.$metadata.httpStatusCode : null,
      message: e.message,
    }) + '\n');
    return 0;
  }
  process.stdout.write(JSON.stringify({ threw: false }) + '\n');
  return 1;
}

function bodyText(body) {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array) {
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  }
  throw new Error(`unexpected request body type ${typeof body}`);
}

// A request handler that records the signed request instead of sending it.
function capturingHandler(captured) {
  return {
    metadata: { handlerProtocol: 'http/1.1' },
    updateHttpClientConfig() {},
    httpHandlerConfigs() { return {}; },
    destroy() {},
    async handle(request) {
      captured.push({
        method: request.method,
        path: request.path,
        query: request.query || {},
        headers: request.headers,
        body: bodyText(request.body),
      });
      const answer = captured[captured.length - 1].headers['x-amz-target'].endsWith('Batch')
        ? { FailedPutCount: 0, Encrypted: false, RequestResponses: [] }
        : { RecordId: '0', Encrypted: false };
      return {
        response: {
          statusCode: 200,
          reason: 'OK',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': 'local' },
          body: new TextEncoder().encode(JSON.stringify(answer)),
        },
      };
    },
  };
}

async function sign(keyId, secret, stream, n) {
  const captured = [];
  const c = client('http://127.0.0.1:4573', keyId, secret,
                   { requestHandler: capturingHandler(captured), maxAttempts: 1 });
  const records = [];
  for (let i = 0; i < n; i++) records.push(record(i, 'sign'));
  await c.send(new PutRecordBatchCommand({ DeliveryStreamName: stream, Records: records }));
  await c.send(new PutRecordCommand({ DeliveryStreamName: stream, Record: record(n, 'sign') }));
  process.stdout.write(JSON.stringify({ requests: captured }) + '\n');
  return 0;
}

async function main(argv) {
  const [mode, ...args] = argv;
  if (mode === 'send' && args.length === 5) {
    return send(args[0], args[1], args[2], args[3], parseInt(args[4], 10));
  }
  if (mode === 'wrong-secret' && args.length === 4) {
    return wrongSecret(args[0], args[1], args[2], args[3]);
  }
  if (mode === 'sign' && args.length === 4) {
    return sign(args[0], args[1], args[2], parseInt(args[3], 10));
  }
  return usage();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`firehose_sdk.js: ${e.name}: ${e.message}\n`);
    process.exit(1);
  });
