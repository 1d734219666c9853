// The background worker: takes batches from the queue's head, gzips, posts them through the
// ITransport (up to two in flight, so gzip and the next request overlap the answer), reads
// the per-record results in order and acknowledges, retrying with back-off.
// Thread-safety: one worker thread owns the batch state; Nudge/RequestFlush/WaitDrained/Stop
// and the transport's callbacks talk to it through signal_ (a monitor).
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Threading;

namespace Gamelake
{
    internal sealed class Sender
    {
        private const int MaxInFlight = 2;

        private sealed class Batch
        {
            public readonly JsonWriter Body = new JsonWriter(1 << 16);
            public readonly List<BatchRecord> Records = new List<BatchRecord>();
            public readonly MemoryStream Gzipped = new MemoryStream();
            public byte[] Packed;
            public int Generation;
            public long SentAt;
            public TransportResponse Response;  // set once by the callback (under signal_)
        }

        private readonly Config config_;
        private readonly DiskQueue queue_;
        private readonly ITransport transport_;
        private readonly IClock clock_;
        private readonly Client client_;
        private readonly Backoff backoff_;
        private readonly string url_;
        private readonly object signal_ = new object();
        private readonly Queue<Batch> inFlight_ = new Queue<Batch>();
        private readonly Stack<Batch> free_ = new Stack<Batch>();
        private readonly List<DropReport> reports_ = new List<DropReport>();
        private Thread thread_;
        private int nudged_;
        private int wakes_;
        private int wakesSeen_;
        private bool flushRequested_;
        private bool stopping_;
        private long firstPendingAt_;
        private long nextAttemptAt_;
        private long lastSyncAt_;
        private int attempt_;
        private string lastTlsError_;  // the TLS failure OnError last heard of (worker only)
        private int batchLimit_;
        private int generation_;
        private int inFlightEvents_;
        private bool planFromSet_;
        private QueuePosition planFrom_;

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
            if (Interlocked.Exchange(ref nudged_, 1) == 0) Wake();
        }

        public void RequestFlush()
        {
            lock (signal_)
            {
                flushRequested_ = true;
                Wake();
            }
        }

        // Wakes the worker; wakes_ makes a wake between its Step and its Wait count too.
        private void Wake()
        {
            lock (signal_)
            {
                wakes_++;
                Monitor.PulseAll(signal_);
            }
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

        /// <summary>Stops the worker; requests in flight are abandoned (their events stay queued).</summary>
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
                Monitor.PulseAll(signal_);  // lets WaitDrained re-check
                if (stopping_ || HeadAnswered() || wakes_ != wakesSeen_) return;
                Monitor.Wait(signal_, ms);
            }
        }

        private bool HeadAnswered()
        {
            return inFlight_.Count > 0 && inFlight_.Peek().Response != null;
        }

        // One round: handle answers in order, then send a batch now (returns 0) or say how
        // long to sleep.
        private int Step()
        {
            Interlocked.Exchange(ref nudged_, 0);
            lock (signal_) wakesSeen_ = wakes_;
            long now = clock_.UnixMs;
            HandleAnswers(now);
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
            if (inFlight_.Count >= MaxInFlight) return 50;
            if (now < nextAttemptAt_) return (int)Math.Min(nextAttemptAt_ - now, 1000);
            int unsent = pending - inFlightEvents_;
            if (unsent <= 0) return 50;
            bool due = flushRequested_ || unsent >= config_.MaxBatchEvents || queue_.PendingBytes >= config_.MaxBatchBytes * (inFlight_.Count + 1)
                       || now - firstPendingAt_ >= config_.FlushIntervalMs;
            if (!due) return (int)Math.Max(1, firstPendingAt_ + config_.FlushIntervalMs - now);
            return SendBatch() ? 0 : 20;
        }

        private bool SendBatch()
        {
            Batch b = free_.Count > 0 ? free_.Pop() : new Batch();
            int n;
            try
            {
                int limit = Math.Min(batchLimit_, config_.MaxBatchEvents);
                n = queue_.TakeBatch(limit, config_.MaxBatchBytes, b.Body, b.Records, planFromSet_ ? planFrom_ : new QueuePosition(0, 0));
            }
            catch (IOException e)
            {
                free_.Push(b);
                client_.RaiseError("reading the queue failed: " + e.Message);
                nextAttemptAt_ = clock_.UnixMs + config_.RetryMaxMs;
                return false;
            }
            if (n == 0)
            {
                free_.Push(b);
                return false;
            }
            planFrom_ = b.Records[n - 1].End;
            planFromSet_ = true;
            b.Generation = generation_;
            b.SentAt = clock_.UnixMs;
            b.Response = null;
            inFlightEvents_ += n;
            inFlight_.Enqueue(b);
            TransportRequest request = BuildRequest(b);
            try
            {
                transport_.Send(request, r => Answer(b, r));
            }
            catch (Exception e)
            {
                Answer(b, TransportResponse.NetworkError(e.Message));
            }
            return true;
        }

        private void Answer(Batch b, TransportResponse r)
        {
            lock (signal_)
            {
                if (b.Response != null) return;  // already timed out
                b.Response = r ?? TransportResponse.NetworkError("no response");
                Wake();
            }
        }

        private TransportRequest BuildRequest(Batch b)
        {
            var req = new TransportRequest { Url = url_, TimeoutMs = config_.RequestTimeoutMs };
            req.Headers.Add(new KeyValuePair<string, string>("Authorization", "Bearer " + config_.ApiKey));
            req.Headers.Add(new KeyValuePair<string, string>("Content-Type", "application/x-ndjson"));
            int packedLength;
            if (config_.Gzip && b.Body.Length > 1024 && NativeGzip.TryCompress(b.Body.Buffer, b.Body.Length, ref b.Packed, out packedLength))
            {
                req.Body = b.Packed;
                req.BodyLength = packedLength;
                req.Headers.Add(new KeyValuePair<string, string>("Content-Encoding", "gzip"));
            }
            else if (config_.Gzip && b.Body.Length > 1024)
            {
                b.Gzipped.SetLength(0);
                using (var gz = new GZipStream(b.Gzipped, CompressionLevel.Fastest, true))
                {
                    gz.Write(b.Body.Buffer, 0, b.Body.Length);
                }
                req.Body = b.Gzipped.GetBuffer();
                req.BodyLength = (int)b.Gzipped.Length;
                req.Headers.Add(new KeyValuePair<string, string>("Content-Encoding", "gzip"));
            }
            else
            {
                req.Body = b.Body.Buffer;
                req.BodyLength = b.Body.Length;
            }
            return req;
        }

        // Handles the answered batches at the head, in order; a batch past its deadline counts
        // as a network error. After a failure the later batches in flight are abandoned (their
        // records are sent again from the cursor; the server acknowledges ids it has).
        private void HandleAnswers(long now)
        {
            while (inFlight_.Count > 0)
            {
                Batch b = inFlight_.Peek();
                TransportResponse r;
                lock (signal_)
                {
                    if (b.Response == null && now - b.SentAt > config_.RequestTimeoutMs + 5000)
                    {
                        b.Response = TransportResponse.NetworkError("no answer from the transport");
                    }
                    r = b.Response;
                }
                if (r == null) return;
                inFlight_.Dequeue();
                inFlightEvents_ -= b.Records.Count;
                bool ok = b.Generation == generation_ && Handle(r, b);
                if (b.Generation == generation_ && !ok)
                {
                    generation_++;  // resend from the cursor
                    planFromSet_ = false;
                }
                free_.Push(b);
            }
        }

        // Returns true if the whole batch is done (the next batch in flight may be handled).
        private bool Handle(TransportResponse r, Batch b)
        {
            long now = clock_.UnixMs;
            int s = r.Status;
            int n = b.Records.Count;
            if (s == 200 || (s == 400 && HasRecordErrors(r.Body))) return HandleResults(r, b);
            if (s == 413 || (s == 400 && r.Body.Contains("malformed_body")))
            {
                Halve(r, b);
                return false;
            }
            if (s == 0 && r.TlsError)
            {
                // A certificate that is not trusted needs a human: reported once per run of such
                // failures; every event is kept and sending goes on being retried.
                if (r.Error != lastTlsError_) client_.RaiseError("TLS error talking to " + config_.BaseUrl + ": " + r.Error + "; events are kept and retried");
                lastTlsError_ = r.Error;
            }
            else if (s != 0)
            {
                lastTlsError_ = null;
            }
            if (s == 0 || s == 408 || s == 429 || s >= 500)
            {
                long retryAfter = Backoff.ParseRetryAfter(r.RetryAfter, now);
                long delay = backoff_.Delay(attempt_++, retryAfter);
                nextAttemptAt_ = now + delay;
                client_.DebugLog("batch of " + n + " not delivered (" + Describe(r) + "), retry in " + delay + " ms");
                return false;
            }
            // 401/403 and other refusals of the whole request: a configuration problem; keep
            // every event and retry slowly.
            client_.RaiseError("server refused the batch: " + Describe(r) + "; retrying in " + config_.RetryMaxMs + " ms");
            nextAttemptAt_ = now + config_.RetryMaxMs;
            return false;
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

        private void Halve(TransportResponse r, Batch b)
        {
            int n = b.Records.Count;
            if (n > 1)
            {
                batchLimit_ = Math.Max(1, n / 2);
                client_.DebugLog("batch of " + n + " refused (" + Describe(r) + "), halving to " + batchLimit_);
                return;
            }
            client_.RaiseDropped(DropReason.Invalid, 1, Describe(r));
            queue_.Ack(b.Records[0].End);
        }

        // Per-record results: accepted and invalid records are done; log_unavailable ones are
        // resent after back-off. The cursor passes the records before the first resend.
        private bool HandleResults(TransportResponse r, Batch b)
        {
            int n = b.Records.Count;
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
                if (i > firstRetry) queue_.Skip(b.Records[i].Position);
            }
            if (firstRetry > 0)
            {
                queue_.Ack(b.Records[firstRetry - 1].End);
                queue_.Sync();
            }
            batchLimit_ = Math.Min(config_.MaxBatchEvents, batchLimit_ * 2);
            long now = clock_.UnixMs;
            firstPendingAt_ = queue_.PendingEvents > 0 ? now : 0;
            if (firstRetry < n)
            {
                nextAttemptAt_ = now + backoff_.Delay(attempt_++, -1);
                client_.DebugLog("batch of " + n + ": resending from record " + firstRetry + " (log_unavailable)");
                return false;
            }
            attempt_ = 0;
            client_.DebugLog("batch of " + n + " delivered (" + invalid.Count + " invalid)");
            return true;
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
