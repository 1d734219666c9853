// ITransport over .NET's HttpClient: one client, kept-alive connections, a timeout per
// request. Works on Mono and in Unity (where UnityWebRequestTransport is the default).
// Thread-safety: Send may be called from any thread; the callback runs on a pool thread.
using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;

namespace Gamelake
{
    /// <summary>Sends batches with System.Net.Http.HttpClient.</summary>
    public sealed class HttpClientTransport : ITransport
    {
        private readonly HttpClient client_;
        private readonly TlsTrust trust_;
        private readonly bool insecure_;
        private string lastRefusal_;  // why the validation callback last said no (any thread)

        public HttpClientTransport() : this(null, false)
        {
        }

        /// <summary>caCertFile: PEM CAs trusted besides the system's (null: none). insecure:
        /// FOR TESTS ONLY, accept any certificate (Config.InsecureSkipTlsVerify).</summary>
        public HttpClientTransport(string caCertFile, bool insecure)
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false };
            insecure_ = insecure;
            if (!string.IsNullOrEmpty(caCertFile)) trust_ = new TlsTrust(caCertFile);
            if (insecure_ || trust_ != null) handler.ServerCertificateCustomValidationCallback = Validate;
            client_ = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
            client_.DefaultRequestHeaders.ExpectContinue = false;  // no round trip before the body
        }

        // Mono's HttpClient writes headers and body separately: with Nagle on, the body waits
        // for the ACK of the headers (a delayed ACK, ~40 ms a request). Turn it off for this
        // endpoint only (ServicePoint is per host; a no-op where HttpClient does not use it).
        private void TuneEndpoint(string url)
        {
            if (url == tunedUrl_) return;
            tunedUrl_ = url;
            try
            {
                ServicePoint sp = ServicePointManager.FindServicePoint(new Uri(url));
                sp.UseNagleAlgorithm = false;
                sp.Expect100Continue = false;
            }
            catch (Exception)
            {
                // not supported on this runtime: harmless
            }
        }

        private string tunedUrl_;

        private bool Validate(HttpRequestMessage request, X509Certificate2 cert, X509Chain chain, SslPolicyErrors errors)
        {
            if (insecure_) return true;
            string why = trust_.Check(cert, chain, errors);
            if (why != null) Volatile.Write(ref lastRefusal_, why);
            return why == null;
        }

        // A TLS failure somewhere in the exception's chain (Mono: WebException TrustFailure or
        // SecureChannelFailure, AuthenticationException).
        private static bool IsTls(Exception e)
        {
            for (; e != null; e = e.InnerException)
            {
                if (e is AuthenticationException) return true;
                var we = e as WebException;
                if (we != null && (we.Status == WebExceptionStatus.TrustFailure || we.Status == WebExceptionStatus.SecureChannelFailure)) return true;
            }
            return false;
        }

        public void Send(TransportRequest request, Action<TransportResponse> onDone)
        {
            TuneEndpoint(request.Url);
            SendAsync(request, onDone).ContinueWith(t => { var unused = t.Exception; }, TaskContinuationOptions.OnlyOnFaulted);
        }

        private async Task SendAsync(TransportRequest request, Action<TransportResponse> onDone)
        {
            TransportResponse result;
            using (var cts = new CancellationTokenSource(request.TimeoutMs))
            {
                try
                {
                    using (var msg = Build(request))
                    using (HttpResponseMessage resp = await client_.SendAsync(msg, cts.Token).ConfigureAwait(false))
                    {
                        result = new TransportResponse { Status = (int)resp.StatusCode };
                        IEnumerable<string> values;
                        if (resp.Headers.TryGetValues("Retry-After", out values)) result.RetryAfter = string.Join(",", values);
                        result.Body = await resp.Content.ReadAsStringAsync().ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                    result = TransportResponse.NetworkError("timeout after " + request.TimeoutMs + " ms");
                }
                catch (Exception e)
                {
                    result = TransportResponse.NetworkError(e.GetBaseException().Message);
                    if (IsTls(e))
                    {
                        result.TlsError = true;
                        string why = Volatile.Read(ref lastRefusal_);
                        result.Error = "TLS: " + result.Error + (why != null ? " (" + why + ")" : " (no CaCertFile: only the system's CAs are trusted)");
                    }
                }
            }
            onDone(result);
        }

        private static HttpRequestMessage Build(TransportRequest request)
        {
            var msg = new HttpRequestMessage(HttpMethod.Post, request.Url);
            var content = new ByteArrayContent(request.Body, 0, request.BodyLength);
            foreach (KeyValuePair<string, string> h in request.Headers)
            {
                if (h.Key.StartsWith("Content-", StringComparison.OrdinalIgnoreCase)) content.Headers.TryAddWithoutValidation(h.Key, h.Value);
                else msg.Headers.TryAddWithoutValidation(h.Key, h.Value);
            }
            msg.Content = content;
            return msg;
        }

        public void Dispose()
        {
            client_.Dispose();
        }
    }
}
