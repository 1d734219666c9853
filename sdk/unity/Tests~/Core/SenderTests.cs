// Tests of the sender against a fake transport: batching/gzip/headers, per-record results
// (invalid dropped once, log_unavailable resent), 413 halving down to one poisoned event,
// 401 keeping every event, and 503 retries. Thread-safety: the worker runs; handlers lock.
using System;
using System.Collections.Generic;
using System.Threading;

namespace Gamelake.Tests
{
    internal static class SenderTests
    {
        public static void Register(List<KeyValuePair<string, Action>> t)
        {
            t.Add(new KeyValuePair<string, Action>("sender_batches_gzip_headers", Batches));
            t.Add(new KeyValuePair<string, Action>("sender_per_record_results", PerRecord));
            t.Add(new KeyValuePair<string, Action>("sender_413_halves_to_the_poisoned_event", Halving));
            t.Add(new KeyValuePair<string, Action>("sender_401_keeps_events_and_reports", Unauthorized));
            t.Add(new KeyValuePair<string, Action>("sender_retries_503_and_network_errors", Retries));
            t.Add(new KeyValuePair<string, Action>("sender_tls_failure_reported_once_events_kept", TlsFailure));
            t.Add(new KeyValuePair<string, Action>("sender_pipelined_answers_out_of_order", OutOfOrder));
        }

        private static Client Make(string dir, FakeTransport transport, List<string> drops, List<string> errors)
        {
            return new Client(new Config
            {
                BaseUrl = "http://127.0.0.1:9/",
                ApiKey = "GLKTEST.secret",
                Stream = "my-stream",
                QueueDir = dir,
                Transport = transport,
                FlushIntervalMs = 10,
                RetryBaseMs = 5,
                RetryMaxMs = 50,
                OnDropped = (r, n, d) => { lock (drops) drops.Add(r + ":" + n + ":" + d); },
                OnError = m => { lock (errors) errors.Add(m); },
            });
        }

        private static HashSet<string> Ids(IEnumerable<List<string>> requests)
        {
            var ids = new HashSet<string>();
            foreach (var req in requests)
            {
                foreach (string line in req)
                {
                    object v;
                    T.Check(JsonReader.TryParse(line, out v), "line is JSON");
                    ids.Add((string)((Dictionary<string, object>)v)["event_id"]);
                }
            }
            return ids;
        }

        private static void Batches()
        {
            var transport = new FakeTransport(lines => FakeTransport.Ok(lines.Count));
            var drops = new List<string>();
            var errors = new List<string>();
            var tracked = new List<string>();
            List<List<string>> sent;
            using (Client c = Make(T.TempDir(), transport, drops, errors))
            {
                for (int i = 0; i < 1200; i++) tracked.Add(c.Track("e", new Dictionary<string, object> { { "i", i } }));
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(20)), "drained");
                T.Equal(0, c.PendingEvents, "nothing pending");
                // Taken before Dispose: its Shutdown(0) queues a session_end it may or may not send.
                lock (transport.Requests) sent = new List<List<string>>(transport.Requests);
            }
            int total = 0;
            foreach (var req in sent)
            {
                T.Check(req.Count <= 500, "at most MaxBatchEvents per request");
                total += req.Count;
            }
            T.Equal(1201, total, "each event sent once over a clean transport");
            HashSet<string> ids = Ids(sent);
            foreach (string id in tracked) T.Check(ids.Contains(id), "delivered " + id);
            TransportRequest first = transport.Raw[0];
            T.Equal("http://127.0.0.1:9/v1/streams/my-stream/records", first.Url, "URL");
            var headers = new Dictionary<string, string>();
            foreach (var h in first.Headers) headers[h.Key] = h.Value;
            T.Equal("Bearer GLKTEST.secret", headers["Authorization"], "key header");
            T.Equal("application/x-ndjson", headers["Content-Type"], "NDJSON");
            T.Equal("gzip", headers["Content-Encoding"], "gzip over 1 KiB");
            T.Equal(0, drops.Count + errors.Count, "no drops or errors");
        }

        private static void PerRecord()
        {
            int calls = 0;
            string invalidLine = null, retryLine = null;
            var transport = new FakeTransport(lines =>
            {
                if (calls++ > 0) return FakeTransport.Ok(lines.Count);
                invalidLine = lines[1];
                retryLine = lines[3];
                return new TransportResponse
                {
                    Status = 200,
                    Body = "{\"accepted\":" + (lines.Count - 2) + ",\"failed\":2,\"errors\":[{\"index\":1,\"code\":\"too_deep\",\"message\":\"record 1: too deep\"},"
                           + "{\"index\":3,\"code\":\"log_unavailable\",\"message\":\"retry\"}]}",
                };
            });
            var drops = new List<string>();
            using (Client c = Make(T.TempDir(), transport, drops, new List<string>()))
            {
                for (int i = 0; i < 6; i++) c.Track("e", new Dictionary<string, object> { { "i", i } });
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(10)), "drained");
            }
            T.Equal(1, drops.Count, "one drop report");
            T.Check(drops[0].StartsWith("invalid:1:too_deep"), "invalid with the server's code: " + drops[0]);
            int invalidSends = 0, retrySends = 0;
            foreach (var req in transport.Requests)
            {
                foreach (string l in req)
                {
                    if (l == invalidLine) invalidSends++;
                    if (l == retryLine) retrySends++;
                }
            }
            T.Equal(1, invalidSends, "an invalid record is never resent");
            T.Equal(2, retrySends, "a log_unavailable record is resent");
        }

        private static void Halving()
        {
            var sizes = new List<int>();
            var delivered = new HashSet<string>();
            var transport = new FakeTransport(lines =>
            {
                sizes.Add(lines.Count);
                if (lines.Count > 8) return new TransportResponse { Status = 413, Body = "{\"error\":\"body_too_large\",\"message\":\"x\"}" };
                foreach (string l in lines)
                {
                    if (l.Contains("poison")) return new TransportResponse { Status = 400, Body = "{\"error\":\"malformed_body\",\"message\":\"bad\"}" };
                }
                delivered.UnionWith(lines);
                return FakeTransport.Ok(lines.Count);
            });
            var drops = new List<string>();
            using (Client c = Make(T.TempDir(), transport, drops, new List<string>()))
            {
                for (int i = 0; i < 40; i++) c.Track("e", new Dictionary<string, object> { { "i", i }, { "tag", i == 17 ? "poison" : "ok" } });
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(10)), "drained");
                // Counted before Dispose: its Shutdown(0) queues a session_end it may or may not send.
                T.Equal(40, delivered.Count, "every other event delivered (39 + session_start)");
            }
            T.Check(sizes.Exists(n => n > 8) && sizes.Contains(1), "413 on a batch over 8, halved down to one: " + string.Join(",", sizes.ConvertAll(s => s.ToString()).ToArray()));
            T.Equal(1, drops.Count, "the poisoned event reported");
            T.Check(drops[0].StartsWith("invalid:1:"), "as invalid: " + drops[0]);
        }

        private static void Unauthorized()
        {
            var transport = new FakeTransport(lines => new TransportResponse { Status = 401, Body = "{\"error\":\"unauthorized\",\"message\":\"wrong secret\"}" });
            var drops = new List<string>();
            var errors = new List<string>();
            using (Client c = Make(T.TempDir(), transport, drops, errors))
            {
                for (int i = 0; i < 10; i++) c.Track("e", null);
                c.Flush();
                for (int i = 0; i < 200 && transport.RequestCount < 3; i++) Thread.Sleep(20);
                T.Check(transport.RequestCount >= 3, "retried");
                T.Equal(11, c.PendingEvents, "nothing dropped");
            }
            T.Equal(0, drops.Count, "no drop reports");
            T.Check(errors.Count >= 1 && errors[0].Contains("401"), "reported to OnError");
        }

        private static void TlsFailure()
        {
            bool trusted = false;
            var transport = new FakeTransport(lines =>
            {
                if (Volatile.Read(ref trusted)) return FakeTransport.Ok(lines.Count);
                TransportResponse r = TransportResponse.NetworkError("TLS: CERTIFICATE_VERIFY_FAILED (not signed by a CA of ca.pem)");
                r.TlsError = true;
                return r;
            });
            var drops = new List<string>();
            var errors = new List<string>();
            using (Client c = Make(T.TempDir(), transport, drops, errors))
            {
                for (int i = 0; i < 10; i++) c.Track("e", null);
                c.Flush();
                for (int i = 0; i < 200 && transport.RequestCount < 4; i++) Thread.Sleep(20);
                T.Check(transport.RequestCount >= 4, "retried");
                T.Equal(11, c.PendingEvents, "nothing dropped");
                lock (errors)
                {
                    T.Equal(1, errors.Count, "reported once, not per retry");
                    T.Check(errors[0].Contains("CERTIFICATE_VERIFY_FAILED") && errors[0].Contains("ca.pem"), "with the reason: " + errors[0]);
                }
                Volatile.Write(ref trusted, true);
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(10)), "drained once trusted");
            }
            T.Equal(0, drops.Count, "no drop reports");
        }

        private static void Retries()
        {
            int calls = 0;
            var transport = new FakeTransport(lines =>
            {
                calls++;
                if (calls == 1) return TransportResponse.NetworkError("connection reset");
                if (calls == 2) return new TransportResponse { Status = 503, RetryAfter = "0", Body = "{\"error\":\"log_unavailable\"}" };
                if (calls == 3) return new TransportResponse { Status = 429, RetryAfter = "0" };
                return FakeTransport.Ok(lines.Count);
            });
            var drops = new List<string>();
            using (Client c = Make(T.TempDir(), transport, drops, new List<string>()))
            {
                for (int i = 0; i < 5; i++) c.Track("e", null);
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(10)), "drained after retries");
                // Counted before Dispose: its Shutdown(0) queues a session_end it may or may not send.
                T.Equal(4, transport.RequestCount, "three failures then success");
            }
            T.Equal(Ids(new[] { transport.Requests[0] }).Count, Ids(new[] { transport.Requests[3] }).Count, "the same batch resent");
            T.Equal(0, drops.Count, "nothing dropped");
        }

        // Two batches in flight; the first is answered after the second and fails once: every
        // event still ends up acknowledged, nothing is lost, and the queue drains.
        private static void OutOfOrder()
        {
            int calls = 0;
            var delivered = new HashSet<string>();
            var transport = new DelayedTransport(lines =>
            {
                int call = Interlocked.Increment(ref calls);
                if (call == 1) return new KeyValuePair<int, TransportResponse>(150, new TransportResponse { Status = 500 });
                lock (delivered) delivered.UnionWith(lines);
                return new KeyValuePair<int, TransportResponse>(call == 2 ? 0 : 5, FakeTransport.Ok(lines.Count));
            });
            var tracked = new List<string>();
            var config = new Config
            {
                BaseUrl = "http://127.0.0.1:9", ApiKey = "k", QueueDir = T.TempDir(), Transport = transport,
                FlushIntervalMs = 10, RetryBaseMs = 5, RetryMaxMs = 20, MaxBatchEvents = 100,
            };
            using (var c = new Client(config))
            {
                for (int i = 0; i < 1000; i++) tracked.Add(c.Track("e", new Dictionary<string, object> { { "i", i } }));
                T.Check(c.FlushAndWait(TimeSpan.FromSeconds(20)), "drained");
            }
            var ids = new HashSet<string>();
            foreach (string line in delivered)
            {
                object v;
                JsonReader.TryParse(line, out v);
                ids.Add((string)((Dictionary<string, object>)v)["event_id"]);
            }
            foreach (string id in tracked) T.Check(ids.Contains(id), "delivered " + id);
            T.Check(calls >= 11, "the failed batch was sent again: " + calls);
        }

        private sealed class DelayedTransport : ITransport
        {
            private readonly Func<List<string>, KeyValuePair<int, TransportResponse>> handler_;

            public DelayedTransport(Func<List<string>, KeyValuePair<int, TransportResponse>> handler) { handler_ = handler; }

            public void Send(TransportRequest request, Action<TransportResponse> onDone)
            {
                KeyValuePair<int, TransportResponse> r = handler_(FakeTransport.Lines(request));
                var timer = new Timer(_ => onDone(r.Value));
                timer.Change(r.Key, Timeout.Infinite);
                lock (timers_) timers_.Add(timer);
            }

            private readonly List<Timer> timers_ = new List<Timer>();

            public void Dispose() { }
        }
    }
}
