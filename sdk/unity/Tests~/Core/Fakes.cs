// Test doubles: a settable clock and a transport that answers from a handler (after gunzipping
// and splitting the NDJSON body), recording every request. Thread-safety: the fake transport
// locks its log; the clock's value is read/written with Interlocked.
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Gamelake.Tests
{
    internal sealed class FakeClock : IClock
    {
        private long now_ = 1764522303000L;
        public long UnixMs { get { return Interlocked.Read(ref now_); } }
        public void Advance(long ms) { Interlocked.Add(ref now_, ms); }
    }

    internal sealed class FakeTransport : ITransport
    {
        public readonly List<List<string>> Requests = new List<List<string>>();
        public readonly List<TransportRequest> Raw = new List<TransportRequest>();
        private readonly Func<List<string>, TransportResponse> handler_;

        public FakeTransport(Func<List<string>, TransportResponse> handler) { handler_ = handler; }

        public static TransportResponse Ok(int n)
        {
            return new TransportResponse { Status = 200, Body = "{\"accepted\":" + n + ",\"failed\":0,\"first_record_id\":1,\"errors\":[]}" };
        }

        public void Send(TransportRequest request, Action<TransportResponse> onDone)
        {
            List<string> lines = Lines(request);
            TransportResponse r;
            lock (Requests)
            {
                Requests.Add(lines);
                Raw.Add(request);
                r = handler_(lines);
            }
            Task.Run(() => onDone(r));
        }

        public static List<string> Lines(TransportRequest request)
        {
            byte[] body = request.Body;
            int len = request.BodyLength;
            foreach (var h in request.Headers)
            {
                if (h.Key == "Content-Encoding" && h.Value == "gzip")
                {
                    using (var gz = new GZipStream(new MemoryStream(body, 0, len), CompressionMode.Decompress))
                    using (var ms = new MemoryStream())
                    {
                        gz.CopyTo(ms);
                        body = ms.ToArray();
                        len = body.Length;
                    }
                }
            }
            var lines = new List<string>(Encoding.UTF8.GetString(body, 0, len).Split('\n'));
            if (lines.Count > 0 && lines[lines.Count - 1].Length == 0) lines.RemoveAt(lines.Count - 1);
            return lines;
        }

        public int RequestCount { get { lock (Requests) return Requests.Count; } }

        public void Dispose() { }
    }
}
