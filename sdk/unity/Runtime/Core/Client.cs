// The SDK's public face: Track builds an event's JSON once into a per-thread buffer and
// appends it to the disk queue (one short lock, one write); the Sender worker does the rest.
// Thread-safety: every public member may be called from any thread. Track never throws and
// never touches the network. OnDropped / OnError / OnLog are raised on the worker thread
// (or the calling thread for Track's own refusals): marshal to the main thread if needed.
using System;
using System.Collections.Generic;

namespace Gamelake
{
    /// <summary>A gamelake analytics client. One per queue folder.</summary>
    public sealed class Client : IDisposable
    {
        public const string SdkVersion = "unity/0.1.0";
        private static readonly Dictionary<string, object> NoProps = new Dictionary<string, object>();

        [ThreadStatic] private static JsonWriter writer_;

        private readonly Config config_;
        private readonly IClock clock_;
        private readonly DiskQueue queue_;
        private readonly Sender sender_;
        private readonly ITransport transport_;
        private readonly bool ownsTransport_;
        private readonly object sessionLock_ = new object();
        private readonly string platform_;
        private readonly string openError_;
        private volatile string playerId_;
        private volatile bool debug_;
        private volatile bool optedOut_;
        private volatile bool closed_;
        private string sessionId_;
        private long sessionStartMs_;
        private long lastEventMs_;

        /// <summary>(reason, count, detail): events (or, for "corrupt", bytes) dropped.</summary>
        public event Action<string, long, string> OnDropped;
        /// <summary>Problems that drop nothing (a refused key, a queue that cannot open).</summary>
        public event Action<string> OnError;
        /// <summary>The debug log (when Debug is on); defaults to Config.Log or stderr.</summary>
        public event Action<string> OnLog;

        public Client(Config config)
        {
            if (config == null) throw new ArgumentNullException("config");
            config_ = config;
            clock_ = config.Clock ?? SystemClock.Instance;
            debug_ = config.Debug;
            platform_ = config.Platform ?? Config.DefaultPlatform();
            transport_ = config.Transport;
            if (transport_ == null)
            {
                try
                {
                    transport_ = new HttpClientTransport(config.CaCertFile, config.InsecureSkipTlsVerify);
                }
                catch (Exception e)
                {
                    // An unreadable CaCertFile: report it; every request then fails (and is retried).
                    RaiseError("CaCertFile " + config.CaCertFile + " could not be read: " + e.Message + "; using the system's CAs only");
                    transport_ = new HttpClientTransport();
                }
                ownsTransport_ = true;
            }
            if (config.InsecureSkipTlsVerify)
            {
                RaiseError("InsecureSkipTlsVerify is set: the server's TLS certificate is NOT checked (for tests only; never in a shipped game)");
            }
            string dir = config.QueueDir ?? System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "gamelake");
            queue_ = new DiskQueue(dir, config.MaxQueueBytes, config.MaxQueueEvents, config.MaxCriticalBytes);
            if (string.IsNullOrEmpty(config.BaseUrl) || string.IsNullOrEmpty(config.ApiKey)) openError_ = "BaseUrl and ApiKey are required";
            else openError_ = queue_.Open();
            if (openError_ != null)
            {
                closed_ = true;
                RaiseError(openError_);
                return;
            }
            optedOut_ = queue_.OptedOut;
            sender_ = new Sender(config, queue_, transport_, clock_, this);
            sender_.Start();
            DebugLog("started: queue " + dir + ", " + queue_.PendingEvents + " events pending");
        }

        /// <summary>Whether the debug log is on (SetDebug).</summary>
        public bool Debug { get { return debug_; } set { debug_ = value; } }
        public void SetDebug(bool on) { debug_ = on; }

        /// <summary>Events queued and not yet acknowledged.</summary>
        public int PendingEvents { get { return closed_ && sender_ == null ? 0 : queue_.PendingEvents; } }

        /// <summary>Why the client could not start, or null.</summary>
        public string StartError { get { return openError_; } }

        public void SetPlayerId(string playerId) { playerId_ = playerId; }

        /// <summary>Queues an event and returns its event_id, or "" if it was refused
        /// (bad name, too large, opted out, closed). Never throws, never waits on the network.</summary>
        public string Track(string name, IDictionary<string, object> props = null, bool critical = false)
        {
            try
            {
                if (closed_ || optedOut_) return "";
                if (!ValidName(name))
                {
                    DebugLog("Track refused: event name \"" + name + "\" (1-64 of A-Z a-z 0-9 _ - . :)");
                    return "";
                }
                long now = clock_.UnixMs;
                string sessionId = TouchSession(now);
                bool isCritical = critical || name == "purchase" || name == "session_start" || name == "session_end";
                return Emit(name, props, isCritical, now, sessionId);
            }
            catch (Exception e)
            {
                RaiseError("Track failed: " + e.Message);
                return "";
            }
        }

        private static bool ValidName(string name)
        {
            if (string.IsNullOrEmpty(name) || name.Length > 64) return false;
            foreach (char c in name)
            {
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == ':';
                if (!ok) return false;
            }
            return true;
        }

        // The current session's id; starts one (ending an idle one first) when needed.
        private string TouchSession(long now)
        {
            lock (sessionLock_)
            {
                if (sessionId_ != null && now - lastEventMs_ > config_.SessionTimeoutMs) EndSessionLocked();
                if (sessionId_ == null) StartSessionLocked(now);
                lastEventMs_ = now;
                return sessionId_;
            }
        }

        private void StartSessionLocked(long now)
        {
            sessionId_ = UuidV7.New(now);
            sessionStartMs_ = now;
            lastEventMs_ = now;
            Emit("session_start", null, true, now, sessionId_);
        }

        private void EndSessionLocked()
        {
            var props = new Dictionary<string, object> { { "duration_ms", lastEventMs_ - sessionStartMs_ } };
            Emit("session_end", props, true, lastEventMs_, sessionId_);
            sessionId_ = null;
        }

        /// <summary>Ends the current session (if any) and starts a new one now.</summary>
        public void StartSession()
        {
            if (closed_ || optedOut_) return;
            lock (sessionLock_)
            {
                if (sessionId_ != null) EndSessionLocked();
                StartSessionLocked(clock_.UnixMs);
            }
        }

        /// <summary>Emits session_end for the current session; the next Track starts a new one.</summary>
        public void EndSession()
        {
            if (closed_ || optedOut_) return;
            lock (sessionLock_)
            {
                if (sessionId_ != null) EndSessionLocked();
            }
        }

        /// <summary>The app went to the background: send what is queued.</summary>
        public void OnPause()
        {
            Flush();
        }

        /// <summary>The app came back: a pause longer than the session timeout ends the session.</summary>
        public void OnResume()
        {
            if (closed_ || optedOut_) return;
            lock (sessionLock_)
            {
                if (sessionId_ != null && clock_.UnixMs - lastEventMs_ > config_.SessionTimeoutMs) EndSessionLocked();
            }
        }

        private string Emit(string name, IDictionary<string, object> props, bool critical, long ts, string sessionId)
        {
            JsonWriter w = writer_ ?? (writer_ = new JsonWriter(1024));
            string eventId = UuidV7.New(ts);
            EventJson.Write(w, eventId, name, ts, sessionId, playerId_, platform_, config_.AppVersion, props ?? NoProps, this);
            if (w.Length > config_.MaxEventBytes)
            {
                RaiseDropped(DropReason.TooLarge, 1, name + ": " + w.Length + " bytes > MaxEventBytes " + config_.MaxEventBytes);
                return "";
            }
            int pending;
            bool wantSpare;
            string err = queue_.Append(w.Buffer, w.Length, critical, out pending, out wantSpare);
            if (w.Buffer.Length > 256 * 1024) writer_ = null;  // do not keep a huge buffer per thread
            if (err != null)
            {
                DebugLog("Track " + name + " not queued: " + err);
                return "";
            }
            // Wake the worker only when it has something new to do: the first event (its flush
            // timer starts) and each full batch. Waking it per event costs the game's CPU.
            // And when the queue wants its next segment prepared off the game's thread.
            if (pending == 1 || pending % Math.Max(1, config_.MaxBatchEvents) == 0 || wantSpare) sender_.Nudge();
            return eventId;
        }

        /// <summary>Sends everything queued now, asynchronously.</summary>
        public void Flush()
        {
            if (sender_ != null && !closed_) sender_.RequestFlush();
        }

        /// <summary>Sends and waits up to timeout until nothing is pending. True when drained.</summary>
        public bool FlushAndWait(TimeSpan timeout)
        {
            if (sender_ == null || closed_) return false;
            return sender_.WaitDrained(timeout);
        }

        /// <summary>Ends the session (its session_end is queued), flushes and waits up to
        /// timeout, then stops the worker and releases the queue folder. What is not sent
        /// stays queued for the next start. True when drained.</summary>
        public bool Shutdown(TimeSpan timeout)
        {
            if (closed_) return false;
            EndSession();
            bool drained = timeout > TimeSpan.Zero ? FlushAndWait(timeout) : queue_.PendingEvents == 0;
            closed_ = true;
            sender_.Stop();
            queue_.Dispose();
            if (ownsTransport_) transport_.Dispose();
            DebugLog("shut down, " + (drained ? "drained" : "events left queued"));
            return drained;
        }

        public void Dispose()
        {
            Shutdown(TimeSpan.Zero);
        }

        /// <summary>Opt-out stops tracking and deletes the queue; remembered across restarts.</summary>
        public void SetOptOut(bool optOut)
        {
            if (closed_) return;
            lock (sessionLock_)
            {
                queue_.SetOptOut(optOut);
                optedOut_ = optOut;
                if (optOut) sessionId_ = null;
            }
            DebugLog(optOut ? "opted out: queue cleared" : "opted in");
        }

        public bool OptedOut { get { return optedOut_; } }

        internal void RaiseDropped(string reason, long count, string detail)
        {
            DebugLog("dropped " + count + " (" + reason + "): " + detail);
            Invoke(config_.OnDropped, reason, count, detail);
            Invoke(OnDropped, reason, count, detail);
        }

        internal void RaiseError(string message)
        {
            DebugLog("error: " + message);
            try
            {
                if (config_.OnError != null) config_.OnError(message);
                var h = OnError;
                if (h != null) h(message);
            }
            catch (Exception)
            {
                // a handler's exception must not stop the SDK
            }
        }

        private static void Invoke(Action<string, long, string> h, string reason, long count, string detail)
        {
            if (h == null) return;
            try { h(reason, count, detail); } catch (Exception) { }
        }

        internal void DebugLog(string line)
        {
            if (!debug_) return;
            try
            {
                string text = "[gamelake] " + line;
                var h = OnLog;
                if (config_.Log != null) config_.Log(text);
                if (h != null) h(text);
                if (config_.Log == null && h == null) Console.Error.WriteLine(text);
            }
            catch (Exception) { }
        }
    }
}
