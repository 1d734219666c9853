// The background worker: takes batches from the queue's head, gzips, posts them through the
// ITransport, reads the per-record results and acknowledges, retrying with back-off.
// Thread-safety: one worker thread owns the batch state; Nudge/RequestFlush/WaitDrained/Stop
// are callable from any thread and talk to it through signal_ (a monitor).
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Threading;

namespace Gamelake
{
    internal sealed class Sender
    {
        private readonly Config config_;
        private readonly DiskQueue queue_;
        private readonly ITransport transport_;
        private readonly IClock clock_;
        private readonly Client client_;
        private readonly Backoff backoff_;
        private readonly string url_;
        private readonly object signal_ = new object();
        private readonly List<BatchRecord> records_ = new List<BatchRecord>();
        private readonly List<DropReport> reports_ = new List<DropReport>();
        private readonly MemoryStream gzipped_ = new MemoryStream();
        private JsonWriter body_ = new JsonWriter(1 << 16);
        private Thread thread_;
        private int nudged_;
        private bool flushRequested_;
        private bool stopping_;
        private long firstPendingAt_;
        private long nextAttemptAt_;
        private long lastSyncAt_;
        private int attempt_;
        private int batchLimit_;

        public Sender(Config config, DiskQueue queue, ITransport transport, IClock clock, Client client)
        {
            config_ = config;
            queue_ = queue;
            transport_ = transport;
            clock_ = clock;
            client_ = client;
            backoff_ = new Backoff(config.RetryBaseMs, config.RetryMaxMs, Environment.TickCount);
            url_ = config.BaseUrl.TrimEnd('/') + "/v1/streams/" + Uri.EscapeDataString(config.Stream) + "/records";
            batchLimit_ = Math.Max(1, config.MaxBatchEvents);
        }

        public void Start()
        {
            thread_ = new Thread(Run) { IsBackground = true, Name = "gamelake-sender" };
            thread_.Start();
        }

        /// <summary>Called after each Track: wakes the worker at most once per wait.</summary>
        public void Nudge()
        {
            if (Interlocked.Exchange(ref nudged_, 1) == 0) Pulse();
        }

        public void RequestFlush()
        {
            lock (signal_)
            {
                flushRequested_ = true;
                Monitor.PulseAll(signal_);
            }
        }

        private void Pulse()
        {
            lock (signal_) Monitor.PulseAll(signal_);
        }

        /// <summary>Flushes and waits until nothing is pending or the timeout passes.</summary>
        public bool WaitDrained(TimeSpan timeout)
        {
            DateTime deadline = DateTime.UtcNow + timeout;
            RequestFlush();
            lock (signal_)
            {
                while (queue_.PendingEvents > 0 && !stopping_)
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero) return false;
                    Monitor.Wait(signal_, left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
                }
            }
            return queue_.PendingEvents == 0;
        }

        /// <summary>Stops the worker; an in-flight request is abandoned (its events stay queued).</summary>
        public void Stop()
        {
            lock (signal_)
            {
                stopping_ = true;
                Monitor.PulseAll(signal_);
            }
            if (thread_ != null && thread_ != Thread.CurrentThread) thread_.Join(2000);
            DeliverReports();
        }

        private void Run()
        {
            try
            {
                while (!stopping_)
                {
                    DeliverReports();
                    int wait = Step();
                    if (wait > 0) Wait(wait);
                }
            }
            catch (Exception e)
            {
                client_.RaiseError("sender stopped: " + e);
            }
        }

        private void Wait(int ms)
        {
            lock (signal_)
            {
                Interlocked.Exchange(ref nudged_, 0);
                Monitor.PulseAll(signal_);  // lets WaitDrained re-check
                if (!stopping_ && !flushRequested_) Monitor.Wait(signal_, ms);
            }
        }

        // One decision: send a batch now (returns 0) or how long to sleep.
        private int Step()
        {
            long now = clock_.UnixMs;
            queue_.PrepareSpare();
            if (now - lastSyncAt_ >= config_.SyncIntervalMs)
            {
                queue_.Sync();
                lastSyncAt_ = now;
            }
            int pending = queue_.PendingEvents;
            if (pending == 0)
            {
                firstPendingAt_ = 0;
                lock (signal_) flushRequested_ = false;
                return Math.Min(config_.SyncIntervalMs, 1000);
            }
            if (firstPendingAt_ == 0) firstPendingAt_ = now;
            if (now < nextAttemptAt_) return (int)Math.Min(nextAttemptAt_ - now, 1000);
            bool due = flushRequested_ || pending >= config_.MaxBatchEvents || queue_.PendingBytes >= config_.MaxBatchBytes
                       || now - firstPendingAt_ >= config_.FlushIntervalMs;
            if (!due) return (int)Math.Max(1, firstPendingAt_ + config_.FlushIntervalMs - now);
            SendBatch();
            return 0;
        }

        private void SendBatch()
        {
            int n;
            try
            {
                n = queue_.TakeBatch(Math.Min(batchLimit_, config_.MaxBatchEvents), config_.MaxBatchBytes, body_, records_);
            }
            catch (IOException e)
            {
                client_.RaiseError("reading the queue failed: " + e.Message);
                nextAttemptAt_ = clock_.UnixMs + config_.RetryMaxMs;
                return;
            }
            if (n == 0) return;
            TransportRequest request = BuildRequest();
            TransportResponse response = Post(request);
            if (response == null) return;  // stopping
            Handle(response, n);
        }

        private TransportRequest BuildRequest()
        {
            var req = new TransportRequest { Url = url_, TimeoutMs = config_.RequestTimeoutMs };
            req.Headers.Add(new KeyValuePair<string, string>("Authorization", "Bearer " + config_.ApiKey));
            req.Headers.Add(new KeyValuePair<string, string>("Content-Type", "application/x-ndjson"));
            if (config_.Gzip && body_.Length > 1024)
            {
                gzipped_.SetLength(0);
                using (var gz = new GZipStream(gzipped_, CompressionLevel.Fastest, true))
                {
                    gz.Write(body_.Buffer, 0, body_.Length);
                }
                req.Body = gzipped_.ToArray();
                req.BodyLength = req.Body.Length;
                req.Headers.Add(new KeyValuePair<string, string>("Content-Encoding", "gzip"));
            }
            else
            {
                req.Body = new byte[body_.Length];
                Buffer.BlockCopy(body_.Buffer, 0, req.Body, 0, body_.Length);
                req.BodyLength = body_.Length;
            }
            return req;
        }

        // Sends and waits for the callback; null if the client is stopping.
        private TransportResponse Post(TransportRequest request)
        {
            TransportResponse result = null;
            var done = new ManualResetEvent(false);
            try
            {
                transport_.Send(request, r => { result = r; done.Set(); });
            }
            catch (Exception e)
            {
                return TransportResponse.NetworkError(e.Message);
            }
            DateTime deadline = DateTime.UtcNow.AddMilliseconds(request.TimeoutMs + 5000);
            while (!done.WaitOne(50))
            {
                if (stopping_) return null;
                if (DateTime.UtcNow > deadline) return TransportResponse.NetworkError("no answer from the transport");
            }
            done.Close();
            return result;
        }

        private void Handle(TransportResponse r, int n)
        {
            long now = clock_.UnixMs;
            int s = r.Status;
            if (s == 200 || (s == 400 && HasRecordErrors(r.Body)))
            {
                HandleResults(r, n);
                return;
            }
            if (s == 413 || (s == 400 && r.Body.Contains("malformed_body")))
            {
                Halve(r, n);
                return;
            }
            if (s == 0 || s == 408 || s == 429 || s >= 500)
            {
                long retryAfter = Backoff.ParseRetryAfter(r.RetryAfter, now);
                long delay = backoff_.Delay(attempt_++, retryAfter);
                nextAttemptAt_ = now + delay;
                client_.DebugLog("batch of " + n + " not delivered (" + Describe(r) + "), retry in " + delay + " ms");
                return;
            }
            // 401/403 and other refusals of the whole request: a configuration problem; keep
            // every event and retry slowly.
            client_.RaiseError("server refused the batch: " + Describe(r) + "; retrying in " + config_.RetryMaxMs + " ms");
            nextAttemptAt_ = now + config_.RetryMaxMs;
        }

        private static string Describe(TransportResponse r)
        {
            if (r.Status == 0) return r.Error;
            string body = r.Body ?? "";
            return "HTTP " + r.Status + (body.Length > 0 ? " " + (body.Length > 200 ? body.Substring(0, 200) : body) : "");
        }

        private static bool HasRecordErrors(string body)
        {
            object parsed;
            if (!JsonReader.TryParse(body, out parsed)) return false;
            var obj = parsed as Dictionary<string, object>;
            return obj != null && obj.ContainsKey("errors") && !obj.ContainsKey("error");
        }

        private void Halve(TransportResponse r, int n)
        {
            if (n > 1)
            {
                batchLimit_ = Math.Max(1, n / 2);
                client_.DebugLog("batch of " + n + " refused (" + Describe(r) + "), halving to " + batchLimit_);
                return;
            }
            client_.RaiseDropped(DropReason.Invalid, 1, Describe(r));
            queue_.Ack(records_[0].End);
        }

        // Per-record results: accepted and invalid records are done; log_unavailable ones are
        // resent after back-off. The cursor passes the records before the first resend.
        private void HandleResults(TransportResponse r, int n)
        {
            int firstRetry = n;
            var invalid = new List<int>();
            object parsed;
            if (JsonReader.TryParse(r.Body, out parsed) && parsed is Dictionary<string, object>)
            {
                object errors;
                ((Dictionary<string, object>)parsed).TryGetValue("errors", out errors);
                var list = errors as List<object>;
                if (list != null)
                {
                    foreach (object e in list) ReadError(e as Dictionary<string, object>, n, invalid, ref firstRetry);
                }
            }
            foreach (int i in invalid)
            {
                if (i > firstRetry) queue_.Skip(records_[i].Position);
            }
            if (firstRetry > 0)
            {
                queue_.Ack(records_[firstRetry - 1].End);
                queue_.Sync();
            }
            batchLimit_ = Math.Min(config_.MaxBatchEvents, batchLimit_ * 2);
            long now = clock_.UnixMs;
            firstPendingAt_ = queue_.PendingEvents > 0 ? now : 0;
            if (firstRetry < n)
            {
                nextAttemptAt_ = now + backoff_.Delay(attempt_++, -1);
                client_.DebugLog("batch of " + n + ": resending from record " + firstRetry + " (log_unavailable)");
                return;
            }
            attempt_ = 0;
            client_.DebugLog("batch of " + n + " delivered (" + invalid.Count + " invalid)");
        }

        private void ReadError(Dictionary<string, object> e, int n, List<int> invalid, ref int firstRetry)
        {
            if (e == null) return;
            object idx, code, message;
            e.TryGetValue("index", out idx);
            e.TryGetValue("code", out code);
            e.TryGetValue("message", out message);
            if (!(idx is long) || (long)idx < 0 || (long)idx >= n) return;
            int i = (int)(long)idx;
            if ((code as string) == "log_unavailable")
            {
                firstRetry = Math.Min(firstRetry, i);
                return;
            }
            invalid.Add(i);
            client_.RaiseDropped(DropReason.Invalid, 1, (code ?? "invalid") + ": " + (message ?? ""));
        }

        private void DeliverReports()
        {
            reports_.Clear();
            queue_.TakeReports(reports_);
            foreach (DropReport d in reports_) client_.RaiseDropped(d.Reason, d.Count, d.Detail);
        }
    }
}
