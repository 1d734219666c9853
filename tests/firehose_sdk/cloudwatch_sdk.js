#!/usr/bin/env node
// Drives gamelake's CloudWatch API with the official AWS SDK for JavaScript v3
// (@aws-sdk/client-cloudwatch, pinned in package-lock.json). Prints one JSON
// object on stdout.
//
// --protocol json|query|cbor picks the wire protocol the client speaks: AWS
// JSON 1.0 in query-compatible mode (the client's default), the Query protocol
// (form bodies, XML answers; AwsQueryProtocol) or Smithy RPC v2 CBOR
// (AwsSmithyRpcV2CborProtocol), each with the client's own protocol settings.
//
//   node cloudwatch_sdk.js [--protocol P] lab <endpoint> <key_id> <secret>
//     Puts the lab's six metrics (namespace serverless-analytics-demo, no
//     dimensions, StorageResolution 1) for 20 seconds ending 5 s ago, several
//     values a second, then reads them back with GetMetricData (SampleCount,
//     Sum, Average, Minimum, Maximum, p90 at 1 s and 60 s), GetMetricStatistics
//     and ListMetrics. Prints what was put (exact expectations) and what came back.
//   node cloudwatch_sdk.js errors <endpoint> <key_id> <secret>
//     Sends bad requests; prints each one's error name and HTTP status.
//   node cloudwatch_sdk.js read <endpoint> <key_id> <secret>
//     One ListMetrics (to check that an ingest key may not read).
//   node cloudwatch_sdk.js dashboards <endpoint> <key_id> <secret>
//     GetDashboard serverless-analytics (as `serve --demo` installs it), then
//     Put/Get/List/DeleteDashboards of a copy, and a bad body and a missing name.
//   node cloudwatch_sdk.js alarms <endpoint> <key_id> <secret>
//     PutMetricAlarm, DescribeAlarms, SetAlarmState, DescribeAlarmHistory and
//     DeleteAlarms of one alarm, and bad alarms (each one's error name).
'use strict';

const {
  CloudWatchClient,
  PutMetricDataCommand,
  GetMetricDataCommand,
  GetMetricStatisticsCommand,
  ListMetricsCommand,
  PutDashboardCommand,
  GetDashboardCommand,
  ListDashboardsCommand,
  DeleteDashboardsCommand,
  PutMetricAlarmCommand,
  DescribeAlarmsCommand,
  DescribeAlarmHistoryCommand,
  DeleteAlarmsCommand,
  SetAlarmStateCommand,
} = require('@aws-sdk/client-cloudwatch');
const { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } = require('@aws-sdk/core/protocols');

const PROTOCOLS = { json: undefined, query: AwsQueryProtocol, cbor: AwsSmithyRpcV2CborProtocol };
let protocol;  // Set by --protocol; undefined: the client's default (JSON 1.0).

const NS = 'serverless-analytics-demo';
const METRICS = ['playerID', 'wins', 'losses', 'timePlayed', 'caughtAt', 'CaughtBy'];

function client(endpoint, keyId, secret) {
  const c = new CloudWatchClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: keyId, secretAccessKey: secret },
    maxAttempts: 1,
    ...(protocol ? { protocol } : {}),
  });
  if (protocol === AwsSmithyRpcV2CborProtocol) {
    // An SDK bug worked around: with RPC v2 CBOR the protocol sets content-length
    // before the compression middleware gzips bodies of 10 KB and more, and
    // nothing updates it, so any server waits for bytes that never come. Set it
    // after compression (and before signing), as JSON 1.0's path does.
    c.middlewareStack.add((next) => async (args) => {
      const body = args.request.body;
      if (body instanceof Uint8Array) {
        args.request.headers['content-length'] = String(body.byteLength);
      }
      return next(args);
    }, { step: 'build', priority: 'low', name: 'cborContentLengthAfterGzip' });
  }
  return c;
}

// The value of metric m, second s, sample k: integers like the lab's rows.
function value(m, s, k) {
  return ((m + 1) * 7 + s * 3 + k * 5) % (m === 0 ? 10000 : 21);
}

function exactStats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const sum = values.reduce((a, b) => a + b, 0);
  const rank = Math.ceil(0.9 * sorted.length) - 1;
  return {
    SampleCount: values.length, Sum: sum, Average: sum / values.length,
    Minimum: sorted[0], Maximum: sorted[sorted.length - 1], p90: sorted[rank],
  };
}

async function lab(endpoint, keyId, secret) {
  const c = client(endpoint, keyId, secret);
  const now = Math.floor(Date.now() / 1000);
  const first = now - 25;
  const seconds = 20;
  const perSecond = 4;
  const put = {};  // metric -> { second -> [values] }
  // One PutMetricData per second of data: 6 metrics x 4 values, as the lab's
  // function publishes each row.
  for (let s = 0; s < seconds; s++) {
    const data = [];
    for (let m = 0; m < METRICS.length; m++) {
      for (let k = 0; k < perSecond; k++) {
        const v = value(m, s, k);
        ((put[METRICS[m]] ??= {})[first + s] ??= []).push(v);
        data.push({
          MetricName: METRICS[m], Timestamp: new Date((first + s) * 1000 + k * 100),
          Value: v, Unit: 'None', StorageResolution: 1,
        });
      }
    }
    await c.send(new PutMetricDataCommand({ Namespace: NS, MetricData: data }));
  }
  const expected = {};
  for (const name of METRICS) {
    const perSec = {};
    let all = [];
    for (const [sec, vals] of Object.entries(put[name])) {
      perSec[sec] = exactStats(vals);
      all = all.concat(vals);
    }
    expected[name] = { per_second: perSec, window: exactStats(all) };
  }
  const stats = ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum', 'p90'];
  const queries = [];
  METRICS.forEach((name, m) => stats.forEach((stat) => queries.push({
    Id: `m${m}_${stat.toLowerCase()}`,
    MetricStat: { Metric: { Namespace: NS, MetricName: name }, Period: 1, Stat: stat },
  })));
  const gmd = await c.send(new GetMetricDataCommand({
    MetricDataQueries: queries,
    StartTime: new Date(first * 1000), EndTime: new Date((first + seconds) * 1000),
    ScanBy: 'TimestampAscending',
  }));
  const perSecond1 = {};
  for (const r of gmd.MetricDataResults) {
    perSecond1[r.Id] = {
      timestamps: r.Timestamps.map((t) => Math.round(t.getTime() / 1000)),
      values: r.Values, status: r.StatusCode,
    };
  }
  // The whole window at once: 60 s periods from the minute the data starts in.
  const minuteStart = Math.floor(first / 60) * 60;
  const gms = {};
  for (const name of METRICS) {
    const out = await c.send(new GetMetricStatisticsCommand({
      Namespace: NS, MetricName: name, StartTime: new Date(minuteStart * 1000),
      EndTime: new Date((minuteStart + 120) * 1000), Period: 60,
      Statistics: ['SampleCount', 'Sum', 'Average', 'Minimum', 'Maximum'],
      ExtendedStatistics: ['p90'],
    }));
    gms[name] = out.Datapoints.map((d) => ({
      timestamp: Math.round(d.Timestamp.getTime() / 1000), SampleCount: d.SampleCount, Sum: d.Sum,
      Average: d.Average, Minimum: d.Minimum, Maximum: d.Maximum, p90: d.ExtendedStatistics?.p90,
      Unit: d.Unit,
    }));
  }
  const list = await c.send(new ListMetricsCommand({ Namespace: NS }));
  const listed = list.Metrics.map((x) => `${x.MetricName}:${(x.Dimensions || []).length}`).sort();
  return { first, seconds, expected, get_metric_data: perSecond1, get_metric_statistics: gms,
           list_metrics: listed };
}

async function errorOf(promise) {
  try {
    await promise;
    return { name: 'none' };
  } catch (e) {
    return { name: e.name, status: e.$metadata?.httpStatusCode, message: e.message };
  }
}

async function errors(endpoint, keyId, secret) {
  const c = client(endpoint, keyId, secret);
  const now = new Date();
  const datum = (extra) => ({ MetricName: 'wins', Value: 1, Timestamp: now, ...extra });
  const put = (data, ns = NS) => c.send(new PutMetricDataCommand({ Namespace: ns, MetricData: data }));
  const many = Array.from({ length: 1001 }, () => datum({}));
  const dims = Array.from({ length: 31 }, (_, i) => ({ Name: `d${i}`, Value: 'v' }));
  const out = {
    too_many_datums: await errorOf(put(many)),
    nan: await errorOf(put([datum({ Value: NaN })])),
    infinity: await errorOf(put([datum({ Value: Infinity })])),
    too_many_dimensions: await errorOf(put([datum({ Dimensions: dims })])),
    too_old: await errorOf(put([datum({ Timestamp: new Date(Date.now() - 15 * 86400e3) })])),
    values_and_value: await errorOf(put([datum({ Values: [1, 2] })])),
    reserved_namespace: await errorOf(put([datum({})], 'AWS/EC2')),
    bad_period: await errorOf(c.send(new GetMetricStatisticsCommand({
      Namespace: NS, MetricName: 'wins', StartTime: new Date(Date.now() - 600e3), EndTime: now,
      Period: 45, Statistics: ['Sum'] }))),
    bad_statistic: await errorOf(c.send(new GetMetricDataCommand({
      MetricDataQueries: [{ Id: 'a', MetricStat: {
        Metric: { Namespace: NS, MetricName: 'wins' }, Period: 60, Stat: 'p200' } }],
      StartTime: new Date(Date.now() - 600e3), EndTime: now }))),
    too_many_points: await errorOf(c.send(new GetMetricStatisticsCommand({
      Namespace: NS, MetricName: 'wins', StartTime: new Date(Date.now() - 7200e3), EndTime: now,
      Period: 1, Statistics: ['Sum'] }))),
  };
  return out;
}

async function read(endpoint, keyId, secret) {
  return errorOf(client(endpoint, keyId, secret).send(new ListMetricsCommand({ Namespace: NS })));
}

async function dashboards(endpoint, keyId, secret) {
  const c = client(endpoint, keyId, secret);
  const lab = await c.send(new GetDashboardCommand({ DashboardName: 'serverless-analytics' }));
  await c.send(new PutDashboardCommand({ DashboardName: 'copy', DashboardBody: lab.DashboardBody }));
  const copy = await c.send(new GetDashboardCommand({ DashboardName: 'copy' }));
  const listed = await c.send(new ListDashboardsCommand({}));
  await c.send(new DeleteDashboardsCommand({ DashboardNames: ['copy'] }));
  const after = await c.send(new ListDashboardsCommand({}));
  return {
    lab_body: lab.DashboardBody,
    copy_equal: copy.DashboardBody === lab.DashboardBody,
    listed: listed.DashboardEntries.map((e) => `${e.DashboardName}:${e.Size}`),
    after: after.DashboardEntries.map((e) => e.DashboardName),
    bad_body: await errorOf(c.send(new PutDashboardCommand({
      DashboardName: 'bad', DashboardBody: '{"widgets":[{"type":"pie"}]}' }))),
    missing: await errorOf(c.send(new GetDashboardCommand({ DashboardName: 'nope' }))),
  };
}

async function alarms(endpoint, keyId, secret) {
  const c = client(endpoint, keyId, secret);
  const alarm = {
    AlarmName: 'sdk-alarm', AlarmDescription: 'from the SDK', Namespace: NS, MetricName: 'wins',
    Dimensions: [{ Name: 'map', Value: 'forest' }], Statistic: 'Sum', Period: 60,
    EvaluationPeriods: 3, DatapointsToAlarm: 2, Threshold: 10,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'ignore',
    AlarmActions: ['http://127.0.0.1:9/hook'],
  };
  await c.send(new PutMetricAlarmCommand(alarm));
  const described = await c.send(new DescribeAlarmsCommand({ AlarmNames: ['sdk-alarm'] }));
  await c.send(new SetAlarmStateCommand({
    AlarmName: 'sdk-alarm', StateValue: 'ALARM', StateReason: 'testing the actions' }));
  const history = await c.send(new DescribeAlarmHistoryCommand({ AlarmName: 'sdk-alarm' }));
  const inAlarm = await c.send(new DescribeAlarmsCommand({ StateValue: 'ALARM' }));
  const bad = (change) => errorOf(c.send(new PutMetricAlarmCommand({ ...alarm, ...change })));
  const out = {
    described: described.MetricAlarms.map((a) => ({
      name: a.AlarmName, state: a.StateValue, statistic: a.Statistic, period: a.Period,
      n: a.EvaluationPeriods, m: a.DatapointsToAlarm, threshold: a.Threshold,
      operator: a.ComparisonOperator, treat: a.TreatMissingData, actions: a.AlarmActions,
      dimensions: a.Dimensions.map((d) => `${d.Name}=${d.Value}`),
      dated: a.StateUpdatedTimestamp instanceof Date,
    })),
    history: history.AlarmHistoryItems.filter((h) => h.HistoryItemType !== 'Action')
      .map((h) => `${h.HistoryItemType}:${h.HistorySummary}`),
    in_alarm: inAlarm.MetricAlarms.map((a) => a.AlarmName),
    https_action: await bad({ AlarmActions: ['https://example.com/hook'] }),
    sns_action: await bad({ AlarmActions: ['arn:aws:sns:us-east-1:123456789012:topic'] }),
    bad_period: await bad({ Period: 45 }),
    anomaly_operator: await bad({ ComparisonOperator: 'LessThanLowerThreshold' }),
    two_statistics: await bad({ ExtendedStatistic: 'p99' }),
    over_a_day: await bad({ Period: 3600, EvaluationPeriods: 25, DatapointsToAlarm: 1 }),
  };
  await c.send(new DeleteAlarmsCommand({ AlarmNames: ['sdk-alarm'] }));
  out.after = (await c.send(new DescribeAlarmsCommand({}))).MetricAlarms.length;
  out.delete_missing = await errorOf(c.send(new DeleteAlarmsCommand({ AlarmNames: ['sdk-alarm'] })));
  return out;
}

async function main() {
  const args = process.argv.slice(2);
  const flag = args.indexOf('--protocol');
  let name = 'json';
  if (flag >= 0) name = args.splice(flag, 2)[1];
  const [cmd, endpoint, keyId, secret] = args;
  const ops = { lab, errors, read, dashboards, alarms };
  if (!ops[cmd] || !secret || !(name in PROTOCOLS)) {
    process.stderr.write('usage: cloudwatch_sdk.js [--protocol json|query|cbor] ' +
                         'lab|errors|read|dashboards|alarms <endpoint> <key_id> <secret>\n');
    process.exit(2);
  }
  protocol = PROTOCOLS[name];
  const out = await ops[cmd](endpoint, keyId, secret);
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ fatal: e.name, message: e.message }) + '\n');
  process.exit(1);
});
