// The transport seam: how the sender's batches reach the server (HttpClient on .NET/Mono,
// UnityWebRequest in Unity). Thread-safety: Send is called from the SDK's worker thread,
// one request at a time; the callback may run on any thread, exactly once.
using System;
using System.Collections.Generic;

namespace Gamelake
{
    /// <summary>One POST of a batch.</summary>
    public sealed class TransportRequest
    {
        public string Url;
        public byte[] Body;
        public int BodyLength;
        /// <summary>Headers besides Content-Length (Authorization, Content-Type, Content-Encoding).</summary>
        public List<KeyValuePair<string, string>> Headers = new List<KeyValuePair<string, string>>();
        public int TimeoutMs;
    }

    /// <summary>The answer, or a network error (Status 0 and Error set).</summary>
    public sealed class TransportResponse
    {
        public int Status;
        /// <summary>The Retry-After header's raw value, or null.</summary>
        public string RetryAfter;
        public string Body = "";
        /// <summary>Set when no HTTP answer arrived (connection refused/cut, timeout).</summary>
        public string Error;
        /// <summary>The failure was TLS (certificate not trusted, expired, for another host):
        /// reported to OnError, retried like any network error.</summary>
        public bool TlsError;

        public static TransportResponse NetworkError(string error)
        {
            return new TransportResponse { Status = 0, Error = error ?? "network error" };
        }
    }

    /// <summary>Sends a request asynchronously and reports the outcome once.</summary>
    public interface ITransport : IDisposable
    {
        void Send(TransportRequest request, Action<TransportResponse> onDone);
    }
}
